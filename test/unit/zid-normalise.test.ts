// Zid's answers read by the document's rules, what a webhook names, and how product names are
// compared for mapping suggestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announcedId, announcedKind, MalformedZidAnswer, normaliseOrder, normaliseProduct } from '../../src/core/zid/normalise.js';
import { nameLikeness, normaliseName } from '../../src/core/zid/mapping.js';

const product = (fields: Record<string, unknown>) => normaliseProduct({ id: 7, name: 'Card', currency: 'SAR', stocks: [{ available_quantity: 1 }], ...fields });

test('a name is a string or {en, ar}; one given alone stands for English', () => {
  assert.deepEqual(product({ name: 'Plain' }).name, { en: 'Plain', ar: null });
  assert.deepEqual(product({ name: { en: 'Card', ar: 'بطاقة' } }).name, { en: 'Card', ar: 'بطاقة' });
  assert.deepEqual(product({ name: { ar: 'بطاقة' } }).name, { en: 'بطاقة', ar: 'بطاقة' });
  assert.throws(() => product({ name: { fr: 'Carte' } }), MalformedZidAnswer);
});

test('the price is sale_price, else price, else 0, in minor units without floating point', () => {
  assert.equal(product({ sale_price: 79.99, price: 99.99 }).priceMinor, 7999);
  assert.equal(product({ sale_price: null, price: 99.99 }).priceMinor, 9999);
  assert.equal(product({ price: '0.1' }).priceMinor, 10);
  assert.equal(product({}).priceMinor, 0);
  assert.throws(() => product({ price: -1 }), MalformedZidAnswer);
  assert.throws(() => product({ price: 'free' }), MalformedZidAnswer);
});

test('stock is unlimited when is_infinite, else the sum of every stock', () => {
  assert.equal(product({ is_infinite: true, stocks: [{ available_quantity: 3 }] }).stock, null);
  assert.equal(product({ stocks: [{ available_quantity: 4 }, { available_quantity: 6 }] }).stock, 10);
  assert.equal(product({ stocks: [] }).stock, 0);
  assert.throws(() => product({ stocks: [{ available_quantity: -2 }] }), MalformedZidAnswer);
});

test('a product is active when published or its status is active, published or available', () => {
  assert.equal(product({ is_published: true }).active, true);
  assert.equal(product({ is_published: false, status: 'Available' }).active, true);
  assert.equal(product({ is_published: false, status: 'draft' }).active, false);
  assert.equal(product({}).active, false);
});

test('an order reads its status code, payment status and lines, repeated products added up', () => {
  const order = normaliseOrder({
    id: 456789,
    order_number: 'ORD-1',
    order_status: { code: 'Cancelled', name: 'Cancelled' },
    payment_status: 'PAID',
    total: 299.99,
    currency: 'SAR',
    customer: { name: 'Noura', email: 'noura@example.com' },
    products: [{ id: 1, quantity: 2 }, { id: 1, quantity: 1 }, { id: 2, quantity: '3' }],
  });
  assert.equal(order.status, 'cancelled');
  assert.equal(order.paymentStatus, 'paid');
  assert.equal(order.totalMinor, 29999);
  assert.deepEqual(order.lines, [{ zidProductId: '1', quantity: 3 }, { zidProductId: '2', quantity: 3 }]);
  assert.equal(normaliseOrder({ id: 1 }).lines, null, 'a list without payload_type=default carries no products');
  assert.equal(normaliseOrder({ id: 1, customer: { email: 'not an address' } }).customer.email, null);
});

test('a webhook names its object wherever it is, and says what it is by its event or its shape', () => {
  assert.equal(announcedId({ id: 5 }), '5');
  for (const key of ['data', 'order', 'payload']) assert.equal(announcedId({ event: 'order.create', [key]: { id: 9 } }), '9');
  assert.equal(announcedId({ data: { order: { id: 11 } } }), '11');
  assert.equal(announcedId({ id: 'x y' }), undefined);
  assert.equal(announcedId('garbage'), undefined);
  assert.equal(announcedKind({ event: 'product.update', id: 1 }), 'product');
  assert.equal(announcedKind({ id: 1, order_number: 'A', payment_status: 'paid' }), 'order');
  assert.equal(announcedKind({ data: { id: 1, sku: 'S', stocks: [] } }), 'product');
  assert.equal(announcedKind({ id: 1 }), 'unknown');
});

test('names are compared after folding case, Arabic letter variants, diacritics and digits; different numbers are not alike', () => {
  assert.equal(normaliseName('بطاقة إكس بوكس ٥٠'), normaliseName('بطاقه اكس بوكس 50'));
  assert.equal(nameLikeness('iTunes Gift Card 50', 'ITUNES gift-card 50'), 1);
  assert.ok(nameLikeness('بطاقة إكس بوكس', 'بطاقة اكس بوكس') === 1);
  assert.ok(nameLikeness('PlayStation Store Card 50', 'PlayStation Card 50') > 0.7);
  assert.equal(nameLikeness('iTunes Gift Card 100', 'iTunes Gift Card 50'), 0);
  assert.ok(nameLikeness('Netflix', 'Roblox 800 Robux') < 0.5);
});

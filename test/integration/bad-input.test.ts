// Bad input costs little and means nothing it does not say: bodies over their route's size are 413
// before they are read, bodies with too many keys or too deep a nesting are 400 before they are
// parsed, throttled and anonymous callers are refused before their bodies are read, JSON bodies are
// never coerced (`quantity: true` is not 1), and only canonical digits name a product by id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockedProduct } from '../helpers/orders.js';
import { placeOrder } from '../../src/core/orders/index.js';
import { DomainError } from '../../src/core/errors.js';
import { MAX_BODY_DEPTH, MAX_BODY_KEYS } from '../../src/http/json-body.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const LOGIN_LIMIT = 3;

/** `{"k0":0,"k1":1,…}` with `keys` keys: about 1 MB at 60,000. */
function manyKeys(keys: number): string {
  return JSON.stringify(Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i])));
}

function assertRefused(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error, code, `${context}: ${res.body}`);
}

for (const kind of DATABASE_KINDS) {
  describe(`bad input (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let productId: number;
    let nextAddress = 10;
    const address = () => `10.1.0.${nextAddress++}`;
    const order = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload });
    const orderCount = async () => Number((await t.souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_LOGIN_RATE_LIMIT: String(LOGIN_LIMIT) } });
      buyer = await createReseller(t.souk, { name: 'Buyer' });
      productId = await stockedProduct(t.souk, { code: 'BAD-IN', price: '1.00' }, 20);
      await fund(t.souk, buyer.accountId, 10_000);
    });
    after(() => t.close());

    test('a 1 MB body of 60,000 keys to the shop login is 413 before it is parsed, and the server goes on answering', async () => {
      const flood = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: JSON_TYPE, payload: manyKeys(60_000), remoteAddress: address() });
      assertRefused(flood, 413, 'payload_too_large', 'login flood');
      assert.equal(flood.json().success, false);
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'nobody@example.com', password: 'wrong password' }, remoteAddress: address() });
      assertRefused(login, 401, 'unauthorized', 'an ordinary login after it');
      assert.equal((await t.app.inject({ url: '/api/products' })).statusCode, 200);
    });

    test('login, token, register, lookup, ack and body-less routes refuse a body of a few tens of KB with 413', async () => {
      const padded = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(20_000) });
      const routes: Array<[string, Record<string, string>]> = [
        ['/api/auth/login', {}],
        ['/api/auth/register', {}],
        ['/api/orders/query', {}],
        ['/api/orders', {}],
        ['/api/v1/auth/token', {}],
        ['/api/v1/auth/refresh', {}],
        ['/api/v1/webhooks/ack', bearer(buyer.apiKey)],
        ['/api/v1/orders/nope/cancel', bearer(buyer.apiKey)],
      ];
      for (const [url, headers] of routes) {
        const res = await t.app.inject({ method: 'POST', url, headers: { ...JSON_TYPE, ...headers }, payload: padded, remoteAddress: address() });
        assertRefused(res, 413, 'payload_too_large', url);
      }
      // An order takes checkout fields, not a megabyte.
      const big = await order({ product: 'BAD-IN', buyer: { name: 'x'.repeat(100_000) } });
      assertRefused(big, 413, 'payload_too_large', 'a 100 KB order');
    });

    test('a body with more keys than any request needs is 400 before it is parsed, even where large bodies are allowed', async () => {
      const flood = await t.app.inject({ method: 'POST', url: '/admin/api/products', headers: { ...JSON_TYPE, ...bearer(t.adminKey) }, payload: manyKeys(60_000) });
      assertRefused(flood, 400, 'validation_error', 'admin product flood');
      assert.match(flood.json().message, new RegExp(`more than ${MAX_BODY_KEYS} keys`));
      const before = await orderCount();
      const fields = Object.fromEntries(Array.from({ length: MAX_BODY_KEYS + 1 }, (_, i) => [`f${i}`, 'v']));
      const res = await order({ product: 'BAD-IN', fields });
      assertRefused(res, 400, 'validation', 'an order with 1001 fields');
      assert.match(res.json().message, new RegExp(`more than ${MAX_BODY_KEYS} keys`));
      assert.equal(await orderCount(), before);
    });

    test('a body nested deeper than any request needs is 400 before it is parsed', async () => {
      const depth = MAX_BODY_DEPTH + 5;
      const payload = `{"product":"BAD-IN","buyer":{"name":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...JSON_TYPE, ...bearer(buyer.apiKey) }, payload });
      assertRefused(res, 400, 'validation', 'deep nesting');
      assert.match(res.json().message, new RegExp(`more than ${MAX_BODY_DEPTH} deep`));
      // Brackets inside strings are text, not nesting.
      const text = await order({ product: 'BAD-IN', buyer: { name: '['.repeat(depth) } });
      assert.equal(text.statusCode, 200, text.body);
    });

    test('checkout fields past what a product can declare are refused before anything sorts them', async () => {
      const fields = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, 'v']));
      // An unknown product: were the fields read first, the answer would be 404.
      for (const payload of [{ product: 'NO-SUCH', fields }, { item_id: 999_999, checkout: fields }]) {
        const res = await order(payload);
        assertRefused(res, 400, 'validation', JSON.stringify(Object.keys(payload)));
      }
      await assert.rejects(
        placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'NO-SUCH', fields }, 'test'),
        (error: unknown) => error instanceof DomainError && error.code === 'validation_error',
      );
    });

    test('quantity true, [1] and "2" are refused, not coerced, and no order is written', async () => {
      const before = await orderCount();
      for (const quantity of [true, [1], '2', '1e0', null]) {
        const res = await order({ product: 'BAD-IN', quantity });
        assertRefused(res, 400, 'validation', `api quantity ${JSON.stringify(quantity)}`);
        assert.ok(res.json().fields.some((f: { field: string }) => f.field === 'quantity'), res.body);
        const shop = await t.app.inject({
          method: 'POST',
          url: '/api/orders',
          payload: { productId: String(productId), quantity, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin: 'trc20_usdt' },
        });
        assertRefused(shop, 400, 'validation_error', `shop quantity ${JSON.stringify(quantity)}`);
        assert.ok(shop.json().fields.some((f: { field: string }) => f.field === 'quantity'), shop.body);
      }
      assert.equal(await orderCount(), before);
    });

    test('product references that JavaScript reads as a number ("0x9", "9e0", " 9", "09") do not name that product', async () => {
      const before = await orderCount();
      const lookalikes = [`0x${productId.toString(16)}`, `${productId}e0`, `${productId}.0`, ` ${productId}`, `${productId} `, `0${productId}`, `+${productId}`];
      for (const reference of lookalikes) {
        const byProduct = await order({ product: reference });
        assertRefused(byProduct, 404, 'item_not_found', `product ${JSON.stringify(reference)}`);
        const byItemId = await order({ item_id: reference });
        assertRefused(byItemId, 400, 'validation', `item_id ${JSON.stringify(reference)}`);
        const shop = await t.app.inject({
          method: 'POST',
          url: '/api/orders',
          payload: { productId: reference, quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin: 'trc20_usdt' },
        });
        assert.ok([400, 404].includes(shop.statusCode), `shop productId ${JSON.stringify(reference)}: ${shop.body}`);
        const page = await t.app.inject({ url: `/api/v1/products/${encodeURIComponent(reference)}` });
        assertRefused(page, 404, 'item_not_found', `GET /products/${reference}`);
      }
      assert.equal(await orderCount(), before);
    });

    test('what clients send in the forms their documents show still works: item_id as a number or digits, query numbers', async () => {
      for (const itemId of [productId, String(productId)]) {
        const res = await order({ item_id: itemId, player_id: 'user@example.com' });
        assert.equal(res.statusCode, 200, `item_id ${JSON.stringify(itemId)}: ${res.body}`);
        assert.equal(res.json().order.item_id, productId);
      }
      assert.equal((await order({ product: String(productId) })).statusCode, 200);
      const listed = await t.app.inject({ url: '/api/v1/orders?limit=1', headers: bearer(buyer.apiKey) });
      assert.equal(listed.statusCode, 200, listed.body);
      assert.equal(listed.json().orders.length, 1);
    });

    test('an address over its registration budget is refused before its body is read', async () => {
      const from = address();
      for (let i = 0; i < LOGIN_LIMIT; i++) {
        const res = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `new${i}@example.com`, password: 'correct horse battery' }, remoteAddress: from });
        assert.equal(res.statusCode, 200, res.body);
      }
      const malformed = await t.app.inject({ method: 'POST', url: '/api/auth/register', headers: JSON_TYPE, payload: '{"email":', remoteAddress: from });
      assertRefused(malformed, 429, 'rate_limited', 'a malformed body from a throttled address');
    });

    test('a caller without credentials is refused before its body is read', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: JSON_TYPE, payload: `{"fields":${manyKeys(20_000)}` });
      assertRefused(res, 401, 'unauthorized', 'no credentials');
    });
  });
}

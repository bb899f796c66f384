// Seed 004's prices are what the shop charges: `price` is the unit price in the shop's currency
// (SOUK_SHOP_CURRENCY, CNY by default), balance_cny charges quantity × price, balance_crypto that
// amount converted to USD; a coin beside a balance method is ignored; every error under /api,
// unknown paths included, says `success: false`. On SQLite and PostgreSQL, through the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockedProduct } from '../helpers/orders.js';
import { setFxRate } from '../../src/core/wallets/index.js';

const PASSWORD = 'correct horse battery';

interface ShopProduct {
  id: string;
  slug: string;
  price: number;
}

interface ShopOrder {
  amount: number;
  currency: string;
  quantity: number;
  items: string[];
}

/** A seed 004 error: status, code and `success: false` beside the shared envelope. */
function assertShopError(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<{ success: unknown; ok: unknown; error: unknown; errorCode: unknown }>();
  assert.equal(body.success, false, res.body);
  assert.equal(body.ok, false, res.body);
  assert.equal(body.error, code, res.body);
  assert.equal(body.errorCode, code, res.body);
}

/** A registered customer with balances topped up through the admin API. */
async function customer(t: TestSouk, email: string, topUps: Array<[string, string]>) {
  const registered = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: PASSWORD } });
  assert.equal(registered.statusCode, 200, registered.body);
  const accounts = (await t.app.inject({ url: '/admin/api/accounts', headers: bearer(t.adminKey) })).json<{ accounts: Array<{ id: number; name: string }> }>().accounts;
  const account = accounts.find((a) => a.name === email);
  assert.ok(account);
  for (const [amount, currency] of topUps) {
    const topUp: LightMyRequestResponse = await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${account.id}/wallets/topup`, headers: bearer(t.adminKey), payload: { amount, currency } });
    assert.equal(topUp.statusCode, 200, topUp.body);
  }
  return registered.json<{ token: string }>().token;
}

async function me(t: TestSouk, token: string) {
  const res = await t.app.inject({ url: '/api/auth/me', headers: bearer(token) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ user: { email: string; balance: number; balance_crypto: number } }>().user;
}

async function listed(t: TestSouk, slug: string): Promise<ShopProduct | undefined> {
  const res = await t.app.inject({ url: '/api/products' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ products: ShopProduct[] }>().products.find((p) => p.slug === slug);
}

function order(t: TestSouk, token: string, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/orders', payload, headers: bearer(token) });
}

for (const kind of DATABASE_KINDS) {
  describe(`shop prices and errors, seed 004 at /api (${kind})`, () => {
    let t: TestSouk;
    let usdProduct: number;

    before(async () => {
      t = await startTestSouk(kind);
      // 1.99 USD at 7.1234 CNY per USD is 14.175566 CNY: 14.18 a unit, rounded up once per unit.
      usdProduct = await stockedProduct(t.souk, { code: 'USD-CARD', slug: 'usd-card', price: '1.99', currency: 'USD' }, 40);
      await setFxRate(t.souk, 'USD', 'CNY', '7.1234');
      await setFxRate(t.souk, 'CNY', 'USD', '0.14');
    });
    after(() => t.close());

    test('a product priced in USD shows price in CNY at the shop rate, and balance_cny charges exactly quantity × price', async () => {
      const product = await listed(t, 'usd-card');
      assert.ok(product);
      assert.equal(product.price, 14.18);
      const detail = await t.app.inject({ url: `/api/products/${usdProduct}` });
      assert.equal(detail.json<{ product: ShopProduct }>().product.price, 14.18);

      const token = await customer(t, 'cny.buyer@example.com', [['200.00', 'CNY']]);
      const res = await order(t, token, { productId: product.id, quantity: 7, contactEmail: 'cny.buyer@example.com', paymentMethod: 'balance_cny' });
      assert.equal(res.statusCode, 200, res.body);
      const placed = res.json<{ order: ShopOrder }>().order;
      // 7 × 14.18 = 99.26 CNY (converting 7 × 1.99 = 13.93 USD at once would give 99.23).
      assert.deepEqual([placed.amount, placed.currency, placed.items.length], [99.26, 'CNY', 7]);
      assert.equal(placed.amount, Math.round(7 * product.price * 100) / 100);
      assert.equal((await me(t, token)).balance, 100.74);
    });

    test('balance_crypto charges quantity × the CNY price converted to USD at the shop rate', async () => {
      const product = await listed(t, 'usd-card');
      assert.ok(product);
      const token = await customer(t, 'usd.buyer@example.com', [['50.00', 'USD']]);
      const res = await order(t, token, { productId: product.id, quantity: 7, contactEmail: 'usd.buyer@example.com', paymentMethod: 'balance_crypto' });
      assert.equal(res.statusCode, 200, res.body);
      const placed = res.json<{ order: ShopOrder }>().order;
      // 99.26 CNY at 0.14 USD per CNY = 13.8964, rounded up to 13.90 USD (not the product's 13.93 USD).
      assert.deepEqual([placed.amount, placed.currency], [13.9, 'USD']);
      assert.deepEqual(await me(t, token), { email: 'usd.buyer@example.com', balance: 0, balance_crypto: 36.1 });
    });

    test('coin sent with balance_cny (or another non-crypto method) is ignored, not refused', async () => {
      const token = await customer(t, 'coin.buyer@example.com', [['100.00', 'CNY']]);
      const res = await order(t, token, { productId: String(usdProduct), quantity: 1, contactEmail: 'coin.buyer@example.com', paymentMethod: 'balance_cny', coin: 'trc20_usdt' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json<{ order: ShopOrder }>().order.amount, res.json<{ order: ShopOrder }>().order.currency], [14.18, 'CNY']);
      // alipay with a coin is refused for alipay's sake (no provider), not for the coin.
      assertShopError(await order(t, token, { productId: String(usdProduct), quantity: 1, contactEmail: 'coin.buyer@example.com', paymentMethod: 'alipay', coin: 'btc' }), 400, 'payment_method_unavailable');
    });

    test('a product in a currency without a rate to the shop cannot be sold there: not listed, 404 in detail, 409 at checkout', async () => {
      const euro = await stockedProduct(t.souk, { code: 'EUR-CARD', slug: 'eur-card', price: '5.00', currency: 'EUR' }, 5);
      assert.equal(await listed(t, 'eur-card'), undefined);
      assertShopError(await t.app.inject({ url: '/api/products/eur-card' }), 404, 'item_not_found');
      const token = await customer(t, 'eur.buyer@example.com', [['100.00', 'CNY']]);
      assertShopError(await order(t, token, { productId: String(euro), quantity: 1, contactEmail: 'eur.buyer@example.com', paymentMethod: 'balance_cny' }), 409, 'currency_unavailable');
    });

    test('every shop error carries success: false, unknown paths and router errors included; /api/v1 keeps its own envelope', async () => {
      assertShopError(await t.app.inject({ url: '/api/nope' }), 404, 'not_found');
      assertShopError(await t.app.inject({ url: '/api/unknown/deeper?x=1' }), 404, 'not_found');
      assertShopError(await t.app.inject({ method: 'DELETE', url: '/api/products' }), 405, 'method_not_allowed');
      assertShopError(await t.app.inject({ url: '/api/products/%zz' }), 400, 'bad_request');
      assertShopError(await t.app.inject({ url: `/api/products/${'a'.repeat(400)}` }), 414, 'uri_too_long');
      const canonical = await t.app.inject({ url: '/api/v1/nope' });
      assert.equal(canonical.statusCode, 404);
      assert.equal('success' in canonical.json(), false, canonical.body);
    });
  });

  describe(`SOUK_SHOP_CURRENCY=EUR (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_SHOP_CURRENCY: 'EUR' } });
      await stockedProduct(t.souk, { code: 'EURO-CARD', slug: 'euro-card', price: '5.00', currency: 'EUR' }, 5);
      await stockedProduct(t.souk, { code: 'DOLLAR-CARD', slug: 'dollar-card', price: '10.00', currency: 'USD' }, 5);
      await setFxRate(t.souk, 'USD', 'EUR', '0.9');
    });
    after(() => t.close());

    test("prices are in the shop's currency and balance_cny pays them from the customer's balance in it", async () => {
      assert.equal((await listed(t, 'euro-card'))?.price, 5);
      const dollar = await listed(t, 'dollar-card');
      assert.equal(dollar?.price, 9);
      const token = await customer(t, 'eur.customer@example.com', [['20.00', 'EUR']]);
      assert.deepEqual(await me(t, token), { email: 'eur.customer@example.com', balance: 20, balance_crypto: 0 });
      const res = await order(t, token, { productId: dollar!.id, quantity: 2, contactEmail: 'eur.customer@example.com', paymentMethod: 'balance_cny' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json<{ order: ShopOrder }>().order.amount, res.json<{ order: ShopOrder }>().order.currency], [18, 'EUR']);
      assert.equal((await me(t, token)).balance, 2);
    });
  });
}

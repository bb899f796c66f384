// Seed 001: "Monetary amounts are decimal numbers in your account currency." A reseller with a key
// or token sees, in GET /api/v1/products and its detail, the price one unit costs it (its tier,
// converted at the rate its order is charged with) in its own currency; anonymous callers see the
// list price. A product it cannot be priced for is not offered to it. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockedProduct } from '../helpers/orders.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';

interface Listed {
  code: string;
  price: number;
  currency: string;
}

function ok(res: LightMyRequestResponse) {
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

for (const kind of DATABASE_KINDS) {
  describe(`reseller prices in the account's currency, seed 001 at /api/v1 (${kind})`, () => {
    let t: TestSouk;
    let euroKey: string;
    let euroToken: string;
    let dollarKey: string;
    const admin = (method: 'PUT' | 'PATCH' | 'POST', url: string, payload: object) => t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });

    /** An account in `currency` with a key and a funded wallet, placed in `tier` when given. */
    async function reseller(name: string, currency: string, tier?: string) {
      const account = await createAccount(t.souk.db, { name, kind: 'reseller', currency });
      const { apiKey } = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      if (tier) ok(await admin('PATCH', `/accounts/${account.id}`, { tier }));
      ok(await admin('POST', `/accounts/${account.id}/wallets/topup`, { amount: '500.00', currency }));
      return { accountId: account.id, apiKey };
    }

    const list = (headers: Record<string, string> = {}) => t.app.inject({ url: '/api/v1/products', headers });
    const listed = async (headers: Record<string, string>): Promise<Listed[]> =>
      ok(await list(headers)).products.map(({ code, price, currency }: Listed) => ({ code, price, currency }));
    const detail = (ref: string, headers: Record<string, string> = {}) => t.app.inject({ url: `/api/v1/products/${ref}`, headers });
    const buyOne = (headers: Record<string, string>, product: string) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers, payload: { product, quantity: 1 } });

    before(async () => {
      t = await startTestSouk(kind);
      await stockedProduct(t.souk, { code: 'GIFT-10', price: '10.00', currency: 'USD' }, 20);
      await stockedProduct(t.souk, { code: 'UK-5', price: '5.00', currency: 'GBP' }, 20);
      ok(await admin('PUT', '/price-tiers/gold', { discount_percent: 10 }));
      ok(await admin('PUT', '/fx-rates/USD/EUR', { rate: '0.9137' }));
      ok(await admin('PUT', '/fx-rates/GBP/USD', { rate: '1.2713' }));
      const euro = await reseller('Euro reseller', 'EUR', 'gold');
      euroKey = euro.apiKey;
      const login = await createLogin(t.souk, euro.accountId);
      // Seed 001's Generate Token; its clients send the token without "Bearer".
      euroToken = ok(await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: login })).token as string;
      dollarKey = (await reseller('Dollar reseller', 'USD')).apiKey;
    });
    after(() => t.close());

    test('a EUR reseller in a 10% tier is shown EUR prices that are exactly what an order of one unit charges', async () => {
      // 10.00 USD less 10% is 9.00 USD; at 0.9137 EUR per USD, 8.2233 EUR, rounded up: 8.23.
      for (const headers of [bearer(euroKey), { authorization: euroToken }]) {
        assert.deepEqual((await listed(headers)).find((p) => p.code === 'GIFT-10'), { code: 'GIFT-10', price: 8.23, currency: 'EUR' });
        const shown = ok(await detail('GIFT-10', headers)).product;
        assert.deepEqual([shown.price, shown.currency], [8.23, 'EUR']);
        const placed = ok(await buyOne(headers, 'GIFT-10'));
        assert.deepEqual([placed.amount, placed.currency], [shown.price, shown.currency]);
      }
    });

    test("anonymous callers see the list price in the product's currency, a USD reseller sees USD, and each view has its own ETag", async () => {
      assert.deepEqual(await listed({}), [
        { code: 'GIFT-10', price: 10, currency: 'USD' },
        { code: 'UK-5', price: 5, currency: 'GBP' },
      ]);
      assert.deepEqual([ok(await detail('UK-5')).product.price, ok(await detail('UK-5')).product.currency], [5, 'GBP']);
      // 5.00 GBP at 1.2713 USD per GBP is 6.3565 USD, rounded up: 6.36.
      assert.deepEqual(await listed(bearer(dollarKey)), [
        { code: 'GIFT-10', price: 10, currency: 'USD' },
        { code: 'UK-5', price: 6.36, currency: 'USD' },
      ]);
      const placed = ok(await buyOne(bearer(dollarKey), 'UK-5'));
      assert.deepEqual([placed.amount, placed.currency], [6.36, 'USD']);

      const publicPage = await list();
      const etags = [publicPage, await list(bearer(euroKey)), await list(bearer(dollarKey))].map((res) => res.headers.etag);
      assert.equal(new Set(etags).size, 3, `${etags.join(' ')}`);
      assert.equal(publicPage.headers['cache-control'], 'no-cache');
      assert.match(String(publicPage.headers.vary), /authorization/i);
      // A reseller's ETag does not fetch the public page's 304, nor the other way round.
      assert.equal((await list({ 'if-none-match': String(etags[1]) })).statusCode, 200);
      assert.equal((await list({ ...bearer(euroKey), 'if-none-match': String(etags[0]) })).statusCode, 200);
      assert.equal((await list({ ...bearer(euroKey), 'if-none-match': String(etags[1]) })).statusCode, 304);
    });

    test('changing the exchange rate or the tier changes the listed price and its ETag, and an order charges the new price', async () => {
      const before = await list(bearer(euroKey));
      ok(await admin('PUT', '/fx-rates/USD/EUR', { rate: '0.95' }));
      const after = await list(bearer(euroKey));
      assert.notEqual(after.headers.etag, before.headers.etag);
      assert.equal((await list({ ...bearer(euroKey), 'if-none-match': String(before.headers.etag) })).statusCode, 200);
      // 9.00 USD at 0.95 is 8.55 EUR.
      assert.deepEqual(ok(after).products.find((p: Listed) => p.code === 'GIFT-10').price, 8.55);
      assert.deepEqual([ok(await buyOne(bearer(euroKey), 'GIFT-10')).amount, ok(await detail('GIFT-10', bearer(euroKey))).product.price], [8.55, 8.55]);

      ok(await admin('PUT', '/price-tiers/gold', { discount_percent: 20 }));
      // 8.00 USD at 0.95 is 7.60 EUR.
      assert.equal((await listed(bearer(euroKey))).find((p) => p.code === 'GIFT-10')?.price, 7.6);
      assert.equal(ok(await buyOne(bearer(euroKey), 'GIFT-10')).amount, 7.6);
      // The public page is the list price throughout.
      assert.equal((await listed({}))[0]?.price, 10);
    });

    test("a product without a rate to the account's currency is not offered to it: left out of its list, 404 in detail, 409 currency_unavailable at placement", async () => {
      // There is no GBP → EUR rate.
      assert.deepEqual((await listed(bearer(euroKey))).map((p) => p.code), ['GIFT-10']);
      const missing = await detail('UK-5', bearer(euroKey));
      assert.equal(missing.statusCode, 404, missing.body);
      assert.equal(missing.json().errorCode, 'item_not_found');
      const refused = await buyOne(bearer(euroKey), 'UK-5');
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().errorCode, 'currency_unavailable');
      // Once the shop sets a rate, it is offered at it: 5.00 GBP less 20% is 4.00 GBP; at 1.1712 EUR per GBP, 4.6848, rounded up: 4.69.
      ok(await admin('PUT', '/fx-rates/GBP/EUR', { rate: '1.1712' }));
      assert.deepEqual((await listed(bearer(euroKey))).find((p) => p.code === 'UK-5'), { code: 'UK-5', price: 4.69, currency: 'EUR' });
      assert.equal(ok(await buyOne(bearer(euroKey), 'UK-5')).amount, 4.69);
    });
  });
}

// Seed 003 ("Store API") over /api/v1, request by request as its clients send them: the 400 code is
// the document's `validation`, GET /me's `user.balance` is the internal USD string whatever the
// account's currency, and a key whose account no longer exists is answered 404 user_not_found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { assertError } from '../helpers/envelope.js';


for (const kind of DATABASE_KINDS) {
  describe(`seed 003 on /api/v1 (${kind})`, () => {
    let t: TestSouk;
    let productId: number;

    /** A reseller in `currency` with a key, its main wallet funded with `minor`. */
    async function reseller(currency: string, minor: number) {
      const account = await createAccount(t.souk.db, { name: `In ${currency}`, currency });
      const key = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      if (minor) await fund(t.souk, account.id, minor, currency);
      return { accountId: account.id, apiKey: key.apiKey };
    }
    const me = (apiKey: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) });
    // The document's curl: Authorization: Bearer, Content-Type: application/json, the body as written.
    const order = (apiKey: string, raw: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer(apiKey), 'content-type': 'application/json' }, payload: raw });

    before(async () => {
      t = await startTestSouk(kind);
      productId = await stockedProduct(t.souk, { code: 'S3-CARD', price: '5.00' }, 5);
      // The shop's rates: USD → BDT (what a BDT wallet is charged for USD goods) and EUR → USD.
      await setFxRate(t.souk, 'USD', 'BDT', '120');
      await setFxRate(t.souk, 'EUR', 'USD', '1.085');
    });
    after(() => t.close());

    test('a refused request on /api/v1 is 400 `validation`, errorCode agreeing; /admin/api keeps validation_error', async () => {
      const buyer = await reseller('USD', 10_000);
      // No item_id, a malformed body, an item_id that is not one.
      for (const raw of ['{"player_id":"user@example.com"}', '{"item_id":', `{"item_id":"${productId}x"}`]) {
        const body = assertError(await order(buyer.apiKey, raw), 400, 'validation');
        assert.equal(typeof body.request_id, 'string');
      }
      const named = assertError(await order(buyer.apiKey, JSON.stringify({ item_id: productId, quantity: 0 })), 400, 'validation');
      assert.deepEqual(named.fields.map((f: { field: string }) => f.field), ['quantity']);
      assertError(await t.app.inject({ url: '/api/v1/products?limit=0' }), 400, 'validation');
      assertError(await t.app.inject({ url: '/api/v1/orders?created_from=yesterday', headers: bearer(buyer.apiKey) }), 400, 'validation');
      assert.equal(await balanceOf(t.souk, buyer.accountId), 10_000);
      // The other surfaces keep their word.
      assertError(await t.app.inject({ method: 'POST', url: '/admin/api/products', headers: bearer(t.adminKey), payload: { code: 5 } }), 400, 'validation_error');
    });

    test('the OpenAPI document shows `validation` for /api/v1 errors', async () => {
      const document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
      const bad = document.paths['/api/v1/orders'].post.responses['400'].content['application/json'].schema;
      assert.equal(bad.$ref, '#/components/schemas/ApiError');
      assert.deepEqual(document.components.schemas.ApiError.properties.error.examples, ['validation']);
      assert.match(document.components.schemas.ApiError.properties.error.description, /`validation`/);
      assert.equal(document.paths['/admin/api/products'].post.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
      assert.equal(document.paths['/api/v1/me'].get.responses['404'].content['application/json'].schema.$ref, '#/components/schemas/ApiError');
    });

    test('GET /me: user.balance is the internal USD string whatever the account currency; balance_display stays in it', async () => {
      // 1,000.00 BDT at 120 BDT a dollar is 8.333… USD: shown rounded down, never more than there is.
      const bdt = await reseller('BDT', 100_000);
      const inBdt = await me(bdt.apiKey);
      assert.equal(inBdt.statusCode, 200, inBdt.body);
      const body = inBdt.json();
      assert.equal(body.currency, 'BDT');
      assert.equal(body.balance_display, '1000.00 BDT');
      assert.equal(body.user.balance, '8.33');
      assert.equal(body.user.balance_display, '1000.00 BDT');
      assert.equal(body.user.balance_display, body.balance_display);
      // A rate set the other way round wins over the inverse.
      await setFxRate(t.souk, 'BDT', 'USD', '0.0085');
      assert.equal((await me(bdt.apiKey)).json().user.balance, '8.50');
      // EUR → USD set directly: 20.00 EUR is 21.70 USD.
      const eur = await reseller('EUR', 2_000);
      const inEur = (await me(eur.apiKey)).json();
      assert.equal(inEur.user.balance, '21.70');
      assert.equal(inEur.balance_display, '20.00 EUR');
      // USD is itself; a currency the shop has no rate for says so (null) rather than a wrong figure.
      assert.equal((await me((await reseller('USD', 1_250)).apiKey)).json().user.balance, '12.50');
      assert.equal((await me((await reseller('GBP', 500)).apiKey)).json().user.balance, null);
    });

    test('a key whose account no longer exists answers GET /me with 404 user_not_found, other routes 401', async () => {
      const gone = await reseller('USD', 1_000);
      assert.equal((await me(gone.apiKey)).statusCode, 200);
      const closed = await t.app.inject({ method: 'PATCH', url: `/admin/api/accounts/${gone.accountId}`, headers: bearer(t.adminKey), payload: { status: 'closed' } });
      assert.equal(closed.statusCode, 200, closed.body);
      assert.equal(closed.json().account.status, 'closed');
      assertError(await me(gone.apiKey), 404, 'user_not_found');
      assertError(await t.app.inject({ url: '/api/v1/me', headers: { 'x-api-key': gone.apiKey } }), 404, 'user_not_found');
      assertError(await order(gone.apiKey, JSON.stringify({ item_id: productId })), 401, 'unauthorized');
      assertError(await t.app.inject({ url: '/api/v1/orders', headers: bearer(gone.apiKey) }), 401, 'unauthorized');
      assertError(await t.app.inject({ url: '/api/v1/products', headers: bearer(gone.apiKey) }), 401, 'unauthorized');
      assert.equal(await balanceOf(t.souk, gone.accountId), 1_000);
      // A key that never was, and a suspended account's key, stay 401 on /me.
      assertError(await me(`sk_live_${'x'.repeat(43)}`), 401, 'unauthorized');
      const paused = await reseller('USD', 0);
      await t.app.inject({ method: 'PATCH', url: `/admin/api/accounts/${paused.accountId}`, headers: bearer(t.adminKey), payload: { status: 'suspended' } });
      assertError(await me(paused.apiKey), 401, 'unauthorized');
    });
  });
}

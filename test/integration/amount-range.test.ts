// No 500 from arithmetic: admin-set numbers (an exchange rate, a price, a credit limit) so large that
// an order's amount would pass what Souk holds exactly (2^53 − 1 minor units) are refused where
// they are set (400 naming the field), and an order that would still reach such an amount (a rate
// or price stored before those checks) is 409 amount_out_of_range and charges nothing. On SQLite
// and PostgreSQL, through the HTTP API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { nowIso } from '../../src/core/clock.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** The largest balance and credit limit there are: 2^53 − 1 cents. */
const MAX_USD = '90071992547409.91';

for (const kind of DATABASE_KINDS) {
  describe(`amounts past the safe range (${kind})`, () => {
    let t: TestSouk;
    const admin = (method: Method, url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload === undefined ? {} : { payload }) });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };
    const assertInvalid = (res: LightMyRequestResponse, field: string, context: string) => {
      assert.equal(res.statusCode, 400, `${context}: ${res.body}`);
      assert.equal(res.json().error, 'validation_error', context);
      assert.ok(
        res.json().fields.some((f: { field: string }) => f.field === field),
        `${context}: no problem named ${field}: ${res.body}`,
      );
      return res.json();
    };
    const assertOutOfRange = (res: LightMyRequestResponse, context: string) => {
      assert.equal(res.statusCode, 409, `${context}: ${res.body}`);
      assert.equal(res.json().error, 'amount_out_of_range', `${context}: ${res.body}`);
      assert.equal(res.json().errorCode, 'amount_out_of_range', context);
      assert.match(res.json().message, /order (fewer|less)/, context);
    };
    /** What an order could have written for an account: its orders, wallets and ledger. */
    async function footprint(accountId: number) {
      const orders = await t.souk.db.selectFrom('orders').select(['id', 'total_minor', 'charged_minor']).where('account_id', '=', accountId).orderBy('id').execute();
      const wallets = await t.souk.db.selectFrom('wallets').select(['currency', 'balance_minor', 'credit_limit_minor']).where('account_id', '=', accountId).orderBy('currency').execute();
      const ledger = await t.souk.db
        .selectFrom('ledger_entries')
        .innerJoin('wallets', 'wallets.id', 'ledger_entries.wallet_id')
        .select(['ledger_entries.id', 'ledger_entries.amount_minor'])
        .where('wallets.account_id', '=', accountId)
        .orderBy('ledger_entries.id')
        .execute();
      return { orders, wallets, ledger };
    }

    before(async () => {
      t = await startTestSouk(kind);
    });
    after(() => t.close());

    test('a huge exchange rate is 400 naming rate, and is not stored: past the maximum, or converting a product\'s largest order past the safe range', async () => {
      // 1,000,000.00 CNY a unit, up to 200 a time: 2 × 10^10 fen in one order.
      await createProduct(stockDeps(t.souk), { code: 'RIAL-PACK', name: 'Rial pack', price: '1000000.00', currency: 'CNY', fulfillment: 'manual' });
      assertInvalid(await admin('PUT', '/fx-rates/CNY/USD', { rate: '999999999999' }), 'rate', 'twelve digits');
      // No product is priced in EUR: only MAX_FX_RATE refuses these.
      assertInvalid(await admin('PUT', '/fx-rates/EUR/USD', { rate: '1000000000.000000000001' }), 'rate', 'just past the maximum');
      assertInvalid(await admin('PUT', '/fx-rates/EUR/JPY', { rate: '999999999999' }), 'rate', 'twelve digits, no product');
      const tooLarge = assertInvalid(await admin('PUT', '/fx-rates/CNY/USD', { rate: '1000000' }), 'rate', 'converts RIAL-PACK past the range');
      assert.match(tooLarge.message, /RIAL-PACK/);
      assert.deepEqual(ok(await admin('GET', '/fx-rates')).rates, []);
      // 2 × 10^10 fen at 1000 is 2 × 10^13 cents: within range.
      ok(await admin('PUT', '/fx-rates/CNY/USD', { rate: '1000' }));
      ok(await admin('PUT', '/fx-rates/EUR/USD', { rate: '1000000000' }));
      assert.deepEqual(
        ok(await admin('GET', '/fx-rates')).rates.map((r: { base: string; quote: string; rate: string }) => [r.base, r.quote, r.rate]),
        [['CNY', 'USD', '1000'], ['EUR', 'USD', '1000000000']],
      );
    });

    test('an order at a huge rate stored before the check is 409 amount_out_of_range on both order APIs, writes no order and leaves the wallet as it was', async () => {
      const productId = await stockedProduct(t.souk, { code: 'YEN-CARD', name: 'Yen card', price: '10000', currency: 'JPY' }, 5);
      // An older row: 10,000 yen at this rate is about 10^18 cents.
      await t.souk.db.insertInto('fx_rates').values({ base: 'JPY', quote: 'USD', rate: '999999999999', updated_at: nowIso() }).execute();

      const reseller = await createReseller(t.souk, { name: 'USD reseller' });
      await fund(t.souk, reseller.accountId, 1_000_000);
      const resellerBefore = await footprint(reseller.accountId);
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'YEN-CARD', client_order_id: 'yen-1' } });
      assertOutOfRange(placed, 'canonical API');
      // A retry of the same request is refused the same way, not a 500.
      assertOutOfRange(await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'YEN-CARD', client_order_id: 'yen-1' } }), 'retry');
      assert.deepEqual(await footprint(reseller.accountId), resellerBefore);

      // The shop profile prices in its currency (CNY), converting the yen price at a rate as huge.
      await t.souk.db.insertInto('fx_rates').values({ base: 'JPY', quote: 'CNY', rate: '999999999999', updated_at: nowIso() }).execute();
      const registered = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'yen.buyer@example.com', password: 'correct horse battery' } });
      assert.equal(registered.statusCode, 200, registered.body);
      const accounts = ok(await admin('GET', '/accounts')).accounts as Array<{ id: number; name: string }>;
      const customer = accounts.find((a) => a.name === 'yen.buyer@example.com');
      assert.ok(customer);
      ok(await admin('POST', `/accounts/${customer.id}/wallets/topup`, { amount: '10000.00', currency: 'USD' }));
      const customerBefore = await footprint(customer.id);
      const shopOrder = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: bearer(registered.json().token),
        payload: { productId: String(productId), quantity: 1, contactEmail: 'yen.buyer@example.com', paymentMethod: 'balance_crypto' },
      });
      assertOutOfRange(shopOrder, 'shop profile');
      assert.equal(shopOrder.json().success, false);
      assert.deepEqual(await footprint(customer.id), customerBefore);

      const product = await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow();
      assert.equal(product.stock_available, 5);
    });

    test('an order whose quantity × unit price passes the safe range is 409 amount_out_of_range and charges nothing, even to a wallet that could pay it', async () => {
      const whale = await createReseller(t.souk, { name: 'Whale' });
      ok(await admin('PATCH', `/accounts/${whale.accountId}`, { credit_limit: MAX_USD }));
      ok(await admin('POST', `/accounts/${whale.accountId}/wallets/topup`, { amount: MAX_USD }));
      await createProduct(stockDeps(t.souk), { code: 'WHALE-1', name: 'Whale', price: '1.00', fulfillment: 'manual' });
      // An older row, priced before a product's largest order had to be chargeable.
      await t.souk.db.updateTable('products').set({ price_minor: Number.MAX_SAFE_INTEGER }).where('code', '=', 'WHALE-1').execute();
      const before = await footprint(whale.accountId);

      const order = (quantity: number) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(whale.apiKey), payload: { product: 'WHALE-1', quantity } });
      assertOutOfRange(await order(2), 'two at the largest price');
      assert.deepEqual(await footprint(whale.accountId), before);
      // One is exactly the largest amount, and is charged exactly.
      const one = await order(1);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(await balanceOf(t.souk, whale.accountId), 0);
      // Its orders and wallets still read back.
      assert.equal(ok(await t.app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(whale.apiKey) })).orders.length, 1);
      ok(await admin('GET', `/accounts/${whale.accountId}/wallets`));
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a product whose largest order (price × max_quantity) passes the safe range is 400 naming price or max_quantity', async () => {
      assertInvalid(await admin('POST', '/products', { code: 'TOO-BIG', name: 'Too big', price: MAX_USD }), 'price', '200 × the largest price');
      const single = ok(await admin('POST', '/products', { code: 'ONE-BIG', name: 'One big', price: MAX_USD, max_quantity: 1, fulfillment: 'manual' }), 201);
      assert.equal(single.product.max_quantity, 1);
      assertInvalid(await admin('PATCH', '/products/ONE-BIG', { max_quantity: 2 }), 'max_quantity', 'raising max_quantity');
      assertInvalid(await admin('PATCH', '/products/RIAL-PACK', { price: '500000000000.00' }), 'price', 'raising the price');
    });
  });
}

// Coupons in placement: the discount is priced into the order, the use is counted in the order's
// transaction (exactly once, even when many buyers race for the last use), and given back when an
// order that never completed is cancelled. Also: paying from another of the account's wallets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { checkInvariants, placeOrder } from '../../src/core/orders/index.js';
import { createCoupon, findCoupon } from '../../src/core/coupons/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { runCli } from '../helpers/processes.js';

for (const kind of DATABASE_KINDS) {
  describe(`coupons (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let base: string;

    before(async () => {
      t = await startTestSouk(kind);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      buyer = await createReseller(t.souk);
      await fund(t.souk, buyer.accountId, 100_000);
      await stockedProduct(t.souk, { code: 'GIFT-10', price: '10.00' }, 200);
      await stockedProduct(t.souk, { code: 'OTHER-5', price: '5.00' }, 20);
    });
    after(() => t?.close());

    const order = (key: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload });

    test('a percentage coupon takes its share off the order, the wallet is charged the rest, and the use is counted', async () => {
      await createCoupon(t.souk.db, { code: 'Save15', percent: '15' });
      const before = await balanceOf(t.souk, buyer.accountId);
      const res = await order(buyer.apiKey, { product: 'GIFT-10', quantity: 3, coupon_code: 'save15' });
      assert.equal(res.statusCode, 200, res.body);
      const placed = res.json().order;
      assert.equal(placed.subtotal, 30);
      assert.equal(placed.discount, 4.5);
      assert.equal(placed.amount, 25.5);
      assert.equal(placed.coupon_code, 'SAVE15');
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 2550);
      assert.equal((await findCoupon(t.souk.db, 'SAVE15')).used_count, 1);
      const detail = await t.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: bearer(buyer.apiKey) });
      assert.equal(detail.json().order.discount, 4.5);
      assert.equal(detail.json().order.coupon_code, 'SAVE15');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a fixed-amount coupon never takes more than the order costs', async () => {
      await createCoupon(t.souk.db, { code: 'MINUS50', amount: '50.00', currency: 'USD' });
      const before = await balanceOf(t.souk, buyer.accountId);
      const res = await order(buyer.apiKey, { product: 'GIFT-10', quantity: 1, coupon_code: 'MINUS50' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().order.discount, 10);
      assert.equal(res.json().order.amount, 0);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a coupon that does not apply is 400 invalid_coupon and places nothing', async () => {
      const now = Date.now();
      await createCoupon(t.souk.db, { code: 'ONLY-OTHER', percent: 10, product: 'OTHER-5' });
      await createCoupon(t.souk.db, { code: 'EXPIRED', percent: 10, starts_at: new Date(now - 7_200_000).toISOString(), ends_at: new Date(now - 3_600_000).toISOString() });
      await createCoupon(t.souk.db, { code: 'LATER', percent: 10, starts_at: new Date(now + 3_600_000).toISOString() });
      await createCoupon(t.souk.db, { code: 'EUROS', amount: '1.00', currency: 'EUR' });
      const off = await t.app.inject({ method: 'POST', url: '/admin/api/coupons', headers: bearer(t.adminKey), payload: { code: 'SWITCHED-OFF', percent: 5 } });
      assert.equal(off.statusCode, 201, off.body);
      assert.equal((await t.app.inject({ method: 'POST', url: '/admin/api/coupons/SWITCHED-OFF/disable', headers: bearer(t.adminKey) })).json().coupon.status, 'disabled');
      const before = await balanceOf(t.souk, buyer.accountId);
      const orders = await t.souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      for (const [code, words] of [
        ['NOPE', /No coupon has the code NOPE/],
        ['ONLY-OTHER', /does not apply to GIFT-10/],
        ['EXPIRED', /expired/],
        ['LATER', /valid from/],
        ['EUROS', /only to products priced in EUR/],
        ['SWITCHED-OFF', /not active/],
      ] as const) {
        const res = await order(buyer.apiKey, { product: 'GIFT-10', coupon_code: code });
        assert.equal(res.statusCode, 400, `${code}: ${res.body}`);
        assert.equal(res.json().error, 'invalid_coupon');
        assert.match(res.json().message, words);
      }
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      const after = await t.souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(orders.n));
    });

    test('40 buyers racing for the last 10 uses of a coupon: exactly 10 orders get it, the others are 409 coupon_exhausted and pay nothing', async () => {
      await createCoupon(t.souk.db, { code: 'LAST-TEN', percent: 50, usage_limit: 10 });
      const buyers = await Promise.all(Array.from({ length: 40 }, () => createReseller(t.souk)));
      await Promise.all(buyers.map((b) => fund(t.souk, b.accountId, 10_000)));
      const answers = await Promise.all(
        buyers.map(async (b) => {
          const res = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { ...bearer(b.apiKey), 'content-type': 'application/json' }, body: JSON.stringify({ product: 'GIFT-10', coupon_code: 'LAST-TEN' }) });
          return { status: res.status, body: (await res.json()) as { error?: string; order?: { amount: number } }, buyer: b };
        }),
      );
      const placed = answers.filter((a) => a.status === 200);
      assert.equal(placed.length, 10);
      assert.ok(placed.every((a) => a.body.order?.amount === 5));
      const refused = answers.filter((a) => a.status !== 200);
      assert.deepEqual([...new Set(refused.map((a) => `${a.status} ${a.body.error}`))], ['409 coupon_exhausted']);
      for (const a of refused) assert.equal(await balanceOf(t.souk, a.buyer.accountId), 10_000);
      assert.equal((await findCoupon(t.souk.db, 'LAST-TEN')).used_count, 10);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('one buyer sending 10 orders at once with a once-per-customer coupon gets it once', async () => {
      await createCoupon(t.souk.db, { code: 'WELCOME', percent: 20, per_customer_limit: 1 });
      const newcomer = await createReseller(t.souk);
      await fund(t.souk, newcomer.accountId, 50_000);
      const answers = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const res = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { ...bearer(newcomer.apiKey), 'content-type': 'application/json' }, body: JSON.stringify({ product: 'GIFT-10', coupon_code: 'WELCOME' }) });
          return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
        }),
      );
      assert.equal(answers.filter((a) => a.status === 200).length, 1);
      const refused = answers.filter((a) => a.status !== 200);
      assert.equal(refused.length, 9);
      assert.ok(refused.every((a) => a.status === 409 && a.body.error === 'coupon_exhausted' && /already used/.test(a.body.message ?? '')));
      // Another customer still can.
      assert.equal((await order(buyer.apiKey, { product: 'GIFT-10', coupon_code: 'WELCOME' })).statusCode, 200);
      assert.equal((await findCoupon(t.souk.db, 'WELCOME')).used_count, 2);
    });

    test('cancelling an order gives its coupon use back, once', async () => {
      await createProduct(stockDeps(t.souk), { code: 'BY-HAND', name: 'By hand', price: '4.00', fulfillment: 'manual' });
      await createCoupon(t.souk.db, { code: 'ONCE', percent: 25, usage_limit: 1 });
      const first = await order(buyer.apiKey, { product: 'BY-HAND', coupon_code: 'ONCE' });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().order.status, 'processing');
      assert.equal((await order(buyer.apiKey, { product: 'BY-HAND', coupon_code: 'ONCE' })).statusCode, 409);
      const id = first.json().order.order_id as string;
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/orders/${id}/cancel`, headers: bearer(buyer.apiKey) })).statusCode, 200);
      assert.equal((await findCoupon(t.souk.db, 'ONCE')).used_count, 0);
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/orders/${id}/cancel`, headers: bearer(buyer.apiKey) })).statusCode, 409);
      assert.equal((await findCoupon(t.souk.db, 'ONCE')).used_count, 0);
      const again = await order(buyer.apiKey, { product: 'BY-HAND', coupon_code: 'ONCE' });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((await findCoupon(t.souk.db, 'ONCE')).used_count, 1);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a retry with the same client_order_id and coupon is a replay; with another coupon it is 422', async () => {
      await createCoupon(t.souk.db, { code: 'RETRY5', percent: 5 });
      const body = { product: 'GIFT-10', client_order_id: 'coupon-retry-1', coupon_code: 'RETRY5' };
      const first = await order(buyer.apiKey, body);
      assert.equal(first.statusCode, 200, first.body);
      const replay = await order(buyer.apiKey, body);
      assert.equal(replay.json().order.order_id, first.json().order.order_id);
      assert.equal((await findCoupon(t.souk.db, 'RETRY5')).used_count, 1);
      const other = await order(buyer.apiKey, { ...body, coupon_code: 'SAVE15' });
      assert.equal(other.statusCode, 422);
    });

    test('an order can be paid from another of the account’s wallets, converted by the FX table', async () => {
      await setFxRate(t.souk, 'USD', 'CNY', '7.1');
      await fund(t.souk, buyer.accountId, 50_000, 'CNY');
      const usd = await balanceOf(t.souk, buyer.accountId);
      const placed = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'GIFT-10', quantity: 2, payment: { kind: 'wallet', currency: 'CNY' } }, 'test');
      assert.equal(placed.order.charged_currency, 'CNY');
      assert.equal(placed.order.charged_minor, 14_200);
      assert.equal(await balanceOf(t.souk, buyer.accountId, 'CNY'), 50_000 - 14_200);
      assert.equal(await balanceOf(t.souk, buyer.accountId), usd, 'the USD wallet is untouched');
      await assert.rejects(
        placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'GIFT-10', payment: { kind: 'wallet', currency: 'GBP' } }, 'test'),
        (error: { code?: string }) => error.code === 'currency_unavailable',
      );
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('souk coupon create, list and disable work from the command line', async () => {
      // The shop's own settings: a process with another master key could not open it.
      const env = t.env;
      const created = await runCli(['coupon', 'create', '--code', 'cli-10', '--percent', '10', '--product', 'GIFT-10', '--usage-limit', '3', '--json'], env);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(JSON.parse(created.stdout).code, 'CLI-10');
      const listed = await runCli(['coupon', 'list', '--json'], env);
      assert.ok((JSON.parse(listed.stdout).coupons as Array<{ code: string }>).some((c) => c.code === 'CLI-10'));
      const disabled = await runCli(['coupon', 'disable', 'CLI-10', '--json'], env);
      assert.equal(JSON.parse(disabled.stdout).status, 'disabled');
      const bad = await runCli(['coupon', 'create', '--code', 'BAD', '--percent', '150'], env);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /percent/);
    });
  });
}

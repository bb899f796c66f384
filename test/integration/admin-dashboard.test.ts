// The console's dashboard and order desk on the admin API (issue 20), on SQLite and PostgreSQL:
// GET /admin/api/dashboard counts what was seeded (sales per day, orders by status, the review
// queue, trade-ins waiting, low stock, failing webhooks, failed upstream calls, Zid stores to
// reconnect, payments needing attention); orders are searched by number and e-mail; an order shows
// its risk reasons and the acts still open; an admin cancels an order; a viewer is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct, stockDeps } from '../helpers/orders.js';
import { createUser } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { checkInvariants, recordUpstreamCallFailure } from '../../src/core/orders/index.js';
import { createWebhookEndpoint } from '../../src/core/webhooks/index.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
const today = () => new Date().toISOString().slice(0, 10);

for (const kind of DATABASE_KINDS) {
  describe(`admin dashboard and order desk (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    let risky: TestReseller;
    let partner: TestReseller;
    const admin = (method: Method, url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload === undefined ? {} : { payload }) });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };
    const place = async (key: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().order as { order_id: string; number: string; status: string };
    };
    const placed: Record<string, { order_id: string; number: string; status: string }> = {};

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' } });
      reseller = await createReseller(t.souk, { name: 'Reseller' });
      risky = await createReseller(t.souk, { name: 'Risky' });
      partner = await createReseller(t.souk, { kind: 'partner', name: 'Trader' });
      await fund(t.souk, reseller.accountId, 100_000);
      await fund(t.souk, risky.accountId, 100_000);
      await stockedProduct(t.souk, { code: 'CARD', price: '2.50' }, 20);
      await stockedProduct(t.souk, { code: 'LOW', price: '1.00' }, 3);
      await stockedProduct(t.souk, { code: 'RISK', price: '4.00' }, 5);
      await createProduct(stockDeps(t.souk), { code: 'MAN', name: 'Manual', price: '3.00', fulfillment: 'manual' });
      ok(await admin('POST', '/products', { code: 'BUY', name: 'Bought back', price: '5.00', buyback_price: '1.00' }), 201);

      // Two sales today (5.00), one manual order waiting, one cancelled by the admin below, one in review.
      placed.a = await place(reseller.apiKey, { product: 'CARD', quantity: 1, buyer: { email: 'Alice.Buyer@Example.com' } });
      placed.b = await place(reseller.apiKey, { product: 'CARD', quantity: 1, buyer: { email: 'bob@example.com' } });
      placed.manual = await place(reseller.apiKey, { product: 'MAN', quantity: 1 });
      placed.doomed = await place(reseller.apiKey, { product: 'MAN', quantity: 1 });
      ok(await admin('PUT', '/products/RISK/risk', { high_risk: true }));
      ok(await admin('PATCH', `/accounts/${risky.accountId}`, { risk_review_score: 1 }));
      placed.review = await place(risky.apiKey, { product: 'RISK', quantity: 1 });
      assert.equal(placed.review.status, 'review');

      // A trade-in waiting to be verified.
      const traded = await t.app.inject({ method: 'POST', url: '/api/v1/trade-ins', headers: bearer(partner.apiKey), payload: { product: 'BUY', items: [{ code: 'TRADE-1' }, { code: 'TRADE-2' }] } });
      assert.equal(traded.statusCode, 202, traded.body);

      // A failing webhook endpoint (as the dispatcher leaves one after failed deliveries), and a healthy one.
      const failing = await createWebhookEndpoint({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, reseller.accountId, { url: 'http://127.0.0.1:9/failing' });
      await createWebhookEndpoint({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, reseller.accountId, { url: 'http://127.0.0.1:9/healthy' });
      await t.souk.db.updateTable('webhook_endpoints').set({ failure_streak: 4 }).where('id', '=', failing.endpoint.id).execute();

      // Failed upstream calls: one today, one long ago (outside the window).
      await recordUpstreamCallFailure(t.souk.db, { providerId: 7, dialect: 'shop', operation: 'create-order', status: 502, errorCode: 'upstream_unavailable', message: 'Bad gateway', excerpt: null, orderId: null });
      await recordUpstreamCallFailure(t.souk.db, { providerId: 7, dialect: 'shop', operation: 'balance', status: 500, errorCode: 'upstream_error', message: 'Old', excerpt: null, orderId: null });
      await t.souk.db.updateTable('api_failures').set({ created_at: new Date(Date.now() - 20 * 86_400_000).toISOString() }).where('message', '=', 'Old').execute();

      // A Zid store whose tokens Zid refused, and one connected.
      const now = new Date().toISOString();
      const store = (name: string, status: 'connected' | 'needs_reconnect') => ({
        store_key: `key-${name}`, name, currency: 'SAR', country: 'SA', status, credentials: 'sealed', hook_token_hash: `hash-${name}`, account_id: reseller.accountId,
        connected_by: 'test', webhooks: 0, sync_cursor: null, last_sync_at: null, last_order_sync_at: null, last_error: status === 'connected' ? null : 'invalid_grant', created_at: now, updated_at: now,
      });
      await t.souk.db.insertInto('zid_stores').values([store('Riyadh Cards', 'needs_reconnect'), store('Jeddah Cards', 'connected')]).execute();

      // Payments: a partial one, an unmatched transfer, a paid one owed back, and a paid one that needs nothing.
      const payment = (id: string, fields: { status: 'partial' | 'unmatched' | 'paid'; received: string; refund_due?: number }) => ({
        id, provider: 'crypto', external_id: fields.status === 'unmatched' ? `trc20_usdt:tx${id}` : null, order_id: null, asset: 'trc20_usdt', address: 'TXYZ', expected_units: '10000000',
        received_units: fields.received, status: fields.status, waiting: null, refund_due: fields.refund_due ?? 0, expires_at: now, created_at: now, updated_at: now,
        purpose: 'order' as const, wallet_id: null, credit_minor: null, checkout: null, refund_status: null, actor: null,
      });
      await t.souk.db.insertInto('payments').values([
        payment('pay_partial', { status: 'partial', received: '4000000' }),
        payment('pay_unmatched', { status: 'unmatched', received: '1000000' }),
        payment('pay_owed', { status: 'paid', received: '10000000', refund_due: 1 }),
        payment('pay_fine', { status: 'paid', received: '10000000' }),
      ]).execute();
    });
    after(() => t.close());

    test('an admin cancels an order not yet fulfilled: stock and money go back; a fulfilled one is 409', async () => {
      const before = await balanceOf(t.souk, reseller.accountId);
      const missing = await admin('POST', `/orders/${placed.doomed!.order_id}/cancel`, { reason: '' });
      assert.equal(missing.statusCode, 400, missing.body);
      const cancelled = ok(await admin('POST', `/orders/${placed.doomed!.order_id}/cancel`, { reason: 'duplicate order' })).order;
      assert.equal(cancelled.status, 'cancelled');
      assert.deepEqual(cancelled.actions, []);
      const last = cancelled.timeline.at(-1);
      assert.deepEqual([last.from, last.to, last.reason], ['processing', 'cancelled', 'duplicate order']);
      assert.match(last.actor, /^key:/);
      assert.equal(await balanceOf(t.souk, reseller.accountId), before + 300);
      const late = await admin('POST', `/orders/${placed.a!.order_id}/cancel`, { reason: 'too late' });
      assert.equal(late.statusCode, 409, late.body);
      assert.equal(late.json().error, 'invalid_state');
      assert.equal((await admin('POST', '/orders/01NOSUCHORDER0000000000000/cancel', { reason: 'x' })).statusCode, 404);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('the dashboard counts each figure seeded', async () => {
      const board = ok(await admin('GET', '/dashboard?days=7'));
      assert.equal(board.days, 7);
      const start = new Date();
      start.setUTCHours(0, 0, 0, 0);
      start.setUTCDate(start.getUTCDate() - 6);
      assert.equal(board.since, `${start.toISOString().slice(0, 19)}Z`);
      // Two CARD orders delivered today; the review and the manual ones are not sales (yet).
      assert.deepEqual(board.sales, [{ day: today(), currency: 'USD', orders: 2, amount: '5.00' }]);
      assert.deepEqual(board.orders_by_status, { awaiting_payment: 0, queued: 0, processing: 1, review: 1, fulfilled: 2, rejected: 0, cancelled: 1, expired: 0, refunded: 0 });
      assert.equal(board.reviews.waiting, 1);
      assert.match(board.reviews.due_first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(board.trade_ins, { waiting: 1 });
      // BUY has none yet (the trade-in is not accepted), LOW 3, RISK 4 left (one held by the order in review); CARD 18; manual goods are not counted.
      assert.deepEqual(board.low_stock.products.map((p: { code: string; available: number }) => [p.code, p.available]), [['BUY', 0], ['LOW', 3], ['RISK', 4]]);
      assert.deepEqual([board.low_stock.below, board.low_stock.count], [10, 3]);
      const fewer = ok(await admin('GET', '/dashboard?low_stock_below=4'));
      assert.deepEqual(fewer.low_stock.products.map((p: { code: string }) => p.code), ['BUY', 'LOW']);
      assert.deepEqual(board.failing_webhooks.map((e: { url: string; failure_streak: number }) => [e.url, e.failure_streak]), [['http://127.0.0.1:9/failing', 4]]);
      assert.equal(board.upstream_failures.count, 1);
      assert.deepEqual(board.upstream_failures.recent.map((f: { operation: string; error_code: string; provider_id: number }) => [f.operation, f.error_code, f.provider_id]), [['create-order', 'upstream_unavailable', 7]]);
      assert.deepEqual(board.zid_stores_to_reconnect.map((s: { name: string; last_error: string }) => [s.name, s.last_error]), [['Riyadh Cards', 'invalid_grant']]);
      assert.deepEqual([board.payments.partial, board.payments.late, board.payments.unmatched, board.payments.refunds_owed], [1, 0, 1, 1]);
      assert.deepEqual(board.payments.recent.map((p: { id: string }) => p.id).sort(), ['pay_owed', 'pay_partial', 'pay_unmatched']);
      // Each payment as GET /payments shows it.
      const listed = ok(await admin('GET', '/payments?status=partial')).payments[0];
      const shown = board.payments.recent.find((p: { id: string }) => p.id === 'pay_partial');
      for (const field of ['amount', 'received', 'coin', 'status', 'updated_at'] as const) assert.equal(shown[field], listed[field], field);
      assert.equal(shown.received, '4.000000');

      // A longer window reaches the old upstream failure.
      const month = ok(await admin('GET', '/dashboard?days=30'));
      assert.equal(month.upstream_failures.count, 2);
      assert.equal((await admin('GET', '/dashboard?days=0')).statusCode, 400);
      assert.equal((await admin('GET', '/dashboard?days=367')).statusCode, 400);
    });

    test('orders are found by number and by part of the e-mail, in any case', async () => {
      const find = async (q: string) => ok(await admin('GET', `/orders?q=${encodeURIComponent(q)}`)).orders.map((o: { order_id: string }) => o.order_id);
      assert.deepEqual(await find(placed.b!.number), [placed.b!.order_id]);
      assert.deepEqual(await find('alice.buyer@example.COM'), [placed.a!.order_id]);
      assert.deepEqual(await find('EXAMPLE.com'), [placed.b!.order_id, placed.a!.order_id]);
      assert.deepEqual(await find('%'), []);
      assert.deepEqual(await find('_'), []);
      const filtered = ok(await admin('GET', `/orders?q=example.com&account=${risky.accountId}`)).orders;
      assert.deepEqual(filtered, []);
    });

    test('an order shows its risk reasons and the acts still open', async () => {
      const inReview = ok(await admin('GET', `/orders/${placed.review!.order_id}`)).order;
      assert.equal(inReview.risk.verdict, 'review');
      assert.ok(inReview.risk.score >= 1);
      assert.ok(inReview.risk.reasons.some((r: { rule: string; reason: string }) => r.rule === 'high_risk_product' && r.reason.length > 0), JSON.stringify(inReview.risk));
      assert.deepEqual(inReview.actions, ['approve_review', 'reject_review', 'cancel']);
      const manual = ok(await admin('GET', `/orders/${placed.manual!.order_id}`)).order;
      assert.deepEqual(manual.actions, ['fulfil', 'cancel', 'reject']);
      const sold = ok(await admin('GET', `/orders/${placed.a!.order_id}`)).order;
      assert.deepEqual(sold.actions, ['refund']);
    });

    test('a viewer reads the dashboard but is refused a cancel (403), the order untouched', async () => {
      const adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      await createUser(t.souk.db, { accountId: adminAccount, username: 'viewer@shop.example', password: 'correct horse battery', role: 'viewer' });
      const login = await t.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'viewer@shop.example', password: 'correct horse battery' }, remoteAddress: '10.30.0.1' });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = login.cookies.find((c) => c.name === 'souk_session')!.value;
      const csrf = login.json().csrf_token as string;
      const call = (method: Method, url: string, payload?: object) => t.app.inject({ method, url, cookies: { souk_session: cookie }, headers: { 'x-csrf-token': csrf }, ...(payload ? { payload } : {}) });
      assert.equal((await call('GET', '/admin/api/dashboard')).statusCode, 200);
      const refused = await call('POST', `/admin/api/orders/${placed.manual!.order_id}/cancel`, { reason: 'viewer tries' });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(ok(await admin('GET', `/orders/${placed.manual!.order_id}`)).order.status, 'processing');
    });

    test('a trade-in is decided code by code, naming a masked code by its position', async () => {
      const [waiting] = ok(await admin('GET', '/trade-ins')).trade_ins as Array<{ trade_in_id: string; codes: Array<{ position: number; code: string; status: string }> }>;
      assert.ok(waiting);
      assert.ok(waiting.codes.every((c) => !c.code.includes('TRADE-')), 'codes are masked');
      const second = waiting.codes[1]!;
      const both = await admin('POST', `/trade-ins/${waiting.trade_in_id}/decide`, { rejected: [{ code: 'TRADE-2', position: second.position, reason: 'x' }] });
      assert.equal(both.statusCode, 400, both.body);
      const stranger = await admin('POST', `/trade-ins/${waiting.trade_in_id}/decide`, { rejected: [{ position: 999, reason: 'x' }] });
      assert.equal(stranger.statusCode, 400, stranger.body);
      const decided = ok(await admin('POST', `/trade-ins/${waiting.trade_in_id}/decide`, { rejected: [{ position: second.position, reason: 'already used' }] })).trade_in;
      assert.deepEqual(decided.codes.map((c: { status: string; reason: string | null }) => [c.status, c.reason]), [['accepted', null], ['rejected', 'already used']]);
      assert.equal(ok(await admin('GET', '/dashboard')).trade_ins.waiting, 0);
    });
  });
}

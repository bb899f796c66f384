// Risk review (issue 19, parts 1 to 3), on SQLite and PostgreSQL: an order that trips a rule waits
// in review (`verifying` on /v1, `processing` on /api, `review` on /api/v1) with its money taken
// and its codes held, and the reasons in words; a person approves it (delivered) or rejects it
// (codes back, refunded), or nobody does and the review sweep rejects and refunds it; 50
// concurrent approvals deliver once; a reject score refuses an order outright; an order paid at a
// gateway that scored for review waits after its payment; each decision is audited and called
// back. The CLI commands run as the real `souk` command against the same database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockedProduct } from '../helpers/orders.js';
import { startReceiver, type Receipt, type Receiver } from '../helpers/receiver.js';
import { runCli, jsonOf } from '../helpers/processes.js';
import { addScriptedGateway, type ScriptedGateway } from '../helpers/scripted-gateway.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';
import { updateAccount } from '../../src/core/accounts/index.js';
import { checkInvariants, expireReviews } from '../../src/core/orders/index.js';
import { housekeeping } from '../../src/worker/schedules/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';

const ENV = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.2,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };
const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

type PartnerOrder = { order_id: string; status: string; internal_status: string; reason: string | null; fulfillment: { delivered_items: unknown[] } };
const orderOf = (receipt: Receipt) => (JSON.parse(receipt.body) as { data: { order: PartnerOrder } }).data.order;
interface Review { order_id: string; risk_score: number; reasons: Array<{ rule: string; points: number; reason: string }>; review_until: string; amount: string; payment_provider: string }

for (const kind of DATABASE_KINDS) {
  describe(`risk review (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let partner: TestReseller & { signingSecret: string };
    let gateway: ScriptedGateway;
    const receivers: Receiver[] = [];
    let serial = 0;

    function signed(method: 'GET' | 'POST', url: string, body?: object) {
      const raw = body ? JSON.stringify(body) : '';
      const headers: Record<string, string> = { 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': hmacHex(partner.signingSecret, raw) };
      if (body) headers['content-type'] = 'application/json';
      return t.app.inject({ method, url, headers, ...(body ? { payload: raw } : {}) });
    }
    async function placeOnV1(callbackUrl?: string, productCode = 'RV-10') {
      const res = await signed('POST', '/v1/orders', {
        partner_order_id: `RV-${++serial}`,
        flow_type: 'buy_direct_id',
        product_code: productCode,
        buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
        ...(callbackUrl ? { callback_url: callbackUrl } : {}),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: PartnerOrder }>().order;
    }
    const getOnV1 = async (id: string) => (await signed('GET', `/v1/orders/${id}`)).json<{ order: PartnerOrder }>().order;
    const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload ? { payload } : {}) });
    const reviews = async () => (await admin('GET', '/reviews')).json<{ reviews: Review[] }>().reviews;
    const codesOf = async (orderId: string) => t.souk.db.selectFrom('stock_items').select('status').where('order_id', '=', orderId).execute();
    const audits = async (orderId: string) => (await t.souk.db.selectFrom('audit_log').select(['action', 'detail']).where('subject', '=', `order:${orderId}`).execute()).map((a) => a.action);

    before(async () => {
      t = await startTestSouk(kind, { env: ENV });
      gateway = addScriptedGateway(t.souk);
      const created = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Risky partner' });
      partner = { ...created, signingSecret: created.signingSecret! };
      await fund(t.souk, partner.accountId, 100_000);
      await stockedProduct(t.souk, { code: 'RV-10', price: '10.00' }, 40);
      await stockedProduct(t.souk, { code: 'RV-SAFE', price: '10.00' }, 40);
      // The owner marks RV-10 high-risk and sends this partner's orders scoring 30 or more to review.
      const marked = await admin('PUT', '/products/RV-10/risk', { high_risk: true });
      assert.equal(marked.statusCode, 200, marked.body);
      assert.deepEqual(marked.json(), { ok: true, product_code: 'RV-10', high_risk: true });
      const patched = await admin('PATCH', `/accounts/${partner.accountId}`, { risk_review_score: 30 });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().account.risk_review_score, 30);
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
    });
    after(async () => {
      await worker?.stop();
      for (const r of receivers) await r.close();
      if (t) {
        assert.deepEqual(await checkInvariants(t.souk.db), [], 'souk doctor is clean after everything');
        await t.close();
      }
    });

    test('an order that trips a rule waits in verifying, paid with its codes held, the reasons in words; approved, it is delivered and called back', async () => {
      const hook = await startReceiver();
      receivers.push(hook);
      const balance = await balanceOf(t.souk, partner.accountId);
      const placed = await placeOnV1(hook.url);
      assert.deepEqual([placed.status, placed.internal_status, placed.fulfillment.delivered_items.length], ['verifying', 'review', 0]);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance - 1000, 'the money is taken');
      assert.deepEqual((await codesOf(placed.order_id)).map((c) => c.status), ['reserved'], 'the code is held');
      // /api/v1 shows the order's own status.
      const canonical = await t.app.inject({ method: 'GET', url: `/api/v1/orders/${placed.order_id}`, headers: bearer(partner.apiKey) });
      assert.equal(canonical.json().order.status, 'review');

      const entry = (await reviews()).find((r) => r.order_id === placed.order_id);
      assert.ok(entry, 'listed for review');
      assert.equal(entry.amount, '10.00');
      assert.equal(entry.payment_provider, 'wallet');
      assert.ok(entry.risk_score >= 30);
      const words = entry.reasons.map((r) => r.reason);
      assert.ok(words.includes('the product is marked high-risk'), words.join('; '));
      assert.ok(words.includes("the account's first order"), words.join('; '));
      assert.match(entry.review_until, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const approved = await admin('POST', `/reviews/${placed.order_id}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'fulfilled');
      const after = await getOnV1(placed.order_id);
      assert.deepEqual([after.status, after.fulfillment.delivered_items.length], ['fulfilled', 1]);
      assert.deepEqual((await codesOf(placed.order_id)).map((c) => c.status), ['sold']);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance - 1000, 'charged once, for what was delivered');
      assert.deepEqual(await audits(placed.order_id), ['review.approve']);
      await hook.waitFor((receipts) => receipts.some((r) => r.status === 200 && r.event.type === 'order.fulfilled'), WAIT_CEILING_MS, 'the fulfilled callback');
      const fulfilled = orderOf(hook.receipts.find((r) => r.event.type === 'order.fulfilled')!);
      assert.deepEqual(fulfilled, after, 'the callback carries the order as GET answers it');
    });

    test('a rejected order gets its code back on sale and its money back, with the reason, audited and called back', async () => {
      const hook = await startReceiver();
      receivers.push(hook);
      const balance = await balanceOf(t.souk, partner.accountId);
      const placed = await placeOnV1(hook.url);
      assert.equal(placed.status, 'verifying');
      const refused = await admin('POST', `/reviews/${placed.order_id}/reject`, { reason: 'buyer looks like a card tester' });
      assert.equal(refused.statusCode, 200, refused.body);
      assert.equal(refused.json().status, 'rejected');
      const after = await getOnV1(placed.order_id);
      assert.deepEqual([after.status, after.internal_status, after.reason], ['rejected', 'rejected', 'rejected in review: buyer looks like a card tester']);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance, 'refunded');
      assert.deepEqual(await codesOf(placed.order_id), [], 'the code is back on sale');
      assert.deepEqual(await audits(placed.order_id), ['review.reject']);
      await hook.waitFor((receipts) => receipts.some((r) => r.status === 200 && r.event.type === 'order.rejected'), WAIT_CEILING_MS, 'the rejected callback');
      assert.equal(orderOf(hook.receipts.find((r) => r.event.type === 'order.rejected')!).status, 'rejected');
      // Decided: neither approved nor rejected again.
      assert.equal((await admin('POST', `/reviews/${placed.order_id}/approve`)).statusCode, 409);
      assert.equal((await admin('POST', `/reviews/${placed.order_id}/reject`, { reason: 'again' })).statusCode, 409);
    });

    test('an order nobody decides on is rejected and refunded by the review sweep once its review time is up', async () => {
      assert.ok(housekeeping().some((s) => s.name === 'orders.expire-reviews'), 'the sweep is scheduled');
      const balance = await balanceOf(t.souk, partner.accountId);
      const placed = await placeOnV1();
      const { review_until: until } = await t.souk.db.selectFrom('orders').select('review_until').where('id', '=', placed.order_id).executeTakeFirstOrThrow();
      assert.ok(until);
      // Not yet due: nothing happens.
      assert.deepEqual(await expireReviews(orderDeps(t.souk), new Date(Date.parse(until) - 1000).toISOString()), []);
      assert.equal((await getOnV1(placed.order_id)).status, 'verifying');
      const swept = await expireReviews(orderDeps(t.souk), new Date(Date.parse(until) + 1000).toISOString());
      assert.ok(swept.includes(placed.order_id));
      const after = await getOnV1(placed.order_id);
      assert.deepEqual([after.status, after.reason], ['rejected', 'not reviewed in time']);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance);
      assert.deepEqual(await codesOf(placed.order_id), []);
      assert.deepEqual(await audits(placed.order_id), ['review.expire']);
    });

    test('50 concurrent approvals of one order deliver it once: one 200, the rest 409', async () => {
      const balance = await balanceOf(t.souk, partner.accountId);
      const placed = await placeOnV1();
      const answers = await Promise.all(Array.from({ length: 50 }, () => admin('POST', `/reviews/${placed.order_id}/approve`)));
      const codes = answers.map((a) => a.statusCode).sort();
      assert.deepEqual([codes.filter((c) => c === 200).length, codes.filter((c) => c === 409).length], [1, 49], codes.join(','));
      const items = await t.souk.db.selectFrom('order_items').select('stock_item_id').where('order_id', '=', placed.order_id).execute();
      assert.equal(items.length, 1);
      const events = await t.souk.db.selectFrom('order_events').select('to_status').where('order_id', '=', placed.order_id).where('to_status', '=', 'fulfilled').execute();
      assert.equal(events.length, 1);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance - 1000);
      assert.deepEqual(await audits(placed.order_id), ['review.approve']);
    });

    test('an order at the reject score is refused on every profile with 422 order_refused, and nothing is charged or held', async () => {
      const risky = await createReseller(t.souk, { kind: 'reseller', name: 'Rejected reseller' });
      await fund(t.souk, risky.accountId, 10_000);
      // First order (15) of a high-risk product (30): 45 reaches the reject score of 40.
      await updateAccount(t.souk, risky.accountId, { riskRejectScore: 40 });
      const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('code', '=', 'RV-10').executeTakeFirstOrThrow()).stock_available;
      const stock = await available();
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(risky.apiKey), payload: { product: 'RV-10', quantity: 1 } });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error, 'order_refused');
      assert.equal(await balanceOf(t.souk, risky.accountId), 10_000);
      assert.equal(await available(), stock);
      // A product the rules do not mind goes through for the same account (first order alone: 15).
      const fine = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(risky.apiKey), payload: { product: 'RV-SAFE', quantity: 1 } });
      assert.equal(fine.statusCode, 200, fine.body);
      assert.equal(fine.json().order.status, 'fulfilled');

      // And on /v1, for the partner with a reject score of its own.
      await updateAccount(t.souk, partner.accountId, { riskRejectScore: 30 });
      try {
        const onV1 = await signed('POST', '/v1/orders', { partner_order_id: `RV-${++serial}`, flow_type: 'buy_direct_id', product_code: 'RV-10', buyer: { name: 'A', email: 'a@example.com' } });
        assert.equal(onV1.statusCode, 422, onV1.body);
        assert.equal(onV1.json().errorCode, 'order_refused');
      } finally {
        await updateAccount(t.souk, partner.accountId, { riskRejectScore: null });
      }
    });

    test("an owner's change of an account's risk terms applies to its very next order, though placement read the buyer before", async () => {
      const buyer = await createReseller(t.souk, { kind: 'reseller', name: 'Steady reseller' });
      await fund(t.souk, buyer.accountId, 10_000);
      const order = async (product = 'RV-SAFE') => {
        // From an address of its own, so that its orders count towards no other test's per-IP velocity.
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product, quantity: 1 }, remoteAddress: '10.19.0.7' });
        return res.statusCode === 200 ? res.json<{ order: { status: string } }>().order.status : `${res.statusCode} ${res.json<{ error: string }>().error}`;
      };
      // Placed and delivered: the buyer as read for it is what the next order is planned from.
      assert.equal(await order(), 'fulfilled');
      const tightened = await admin('PATCH', `/accounts/${buyer.accountId}`, { review_above: '5.00' });
      assert.equal(tightened.statusCode, 200, tightened.body);
      assert.equal(await order(), 'review');
      const loosened = await admin('PATCH', `/accounts/${buyer.accountId}`, { review_above: null });
      assert.equal(loosened.statusCode, 200, loosened.body);
      assert.equal(await order(), 'fulfilled');
      // A high-risk product (30 points) at a reject score of 30 is refused, and sold again once the owner lifts it.
      assert.equal(await order('RV-10'), 'fulfilled');
      await updateAccount(t.souk, buyer.accountId, { riskRejectScore: 30 });
      assert.equal(await order('RV-10'), '422 order_refused');
      await updateAccount(t.souk, buyer.accountId, { riskRejectScore: null });
      assert.equal(await order('RV-10'), 'fulfilled');
    });

    test('the CLI: account update --review-above, review list --json with the reasons, review reject and approve', async () => {
      const reseller = await createReseller(t.souk, { name: 'Big spender' });
      await fund(t.souk, reseller.accountId, 100_000);
      const updated = await runCli(['account', 'update', String(reseller.accountId), '--review-above', '50.00', '--json'], t.env);
      assert.equal(updated.code, 0, updated.stderr);
      assert.deepEqual(jsonOf(updated), { account_id: reseller.accountId, review_above: '50.00', risk_review_score: null, risk_reject_score: null });
      const place = async (quantity: number) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'RV-SAFE', quantity } });
        assert.equal(res.statusCode, 200, res.body);
        const { order } = res.json<{ order: { order_id: string; status: string } }>();
        return { id: order.order_id, status: order.status };
      };
      assert.equal((await place(5)).status, 'fulfilled', '50.00 is not above 50.00');
      const big = await place(6);
      assert.equal(big.status, 'review');
      const second = await place(7);

      const listed = await runCli(['review', 'list', '--json'], t.env);
      assert.equal(listed.code, 0, listed.stderr);
      const entry = (jsonOf(listed).reviews as Review[]).find((r) => r.order_id === big.id);
      assert.ok(entry, listed.stdout);
      assert.deepEqual(entry.reasons.map((r) => r.reason), ["60.00 USD is above this account's review limit of 50.00 USD"]);
      const human = await runCli(['review', 'list'], t.env);
      assert.match(human.stdout, /60\.00 USD is above this account's review limit of 50\.00 USD/);

      const balance = await balanceOf(t.souk, reseller.accountId);
      const rejected = await runCli(['review', 'reject', big.id, '--reason', 'too large for a first week', '--json'], t.env);
      assert.equal(rejected.code, 0, rejected.stderr);
      assert.deepEqual(jsonOf(rejected), { order_id: big.id, status: 'rejected' });
      assert.equal(await balanceOf(t.souk, reseller.accountId), balance + 6000);
      const approved = await runCli(['review', 'approve', second.id, '--json'], t.env);
      assert.equal(approved.code, 0, approved.stderr);
      assert.deepEqual(jsonOf(approved), { order_id: second.id, status: 'fulfilled' });
      const again = await runCli(['review', 'approve', second.id], t.env);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /fulfilled/);
      const marked = await runCli(['review', 'high-risk', 'RV-SAFE', '--json'], t.env);
      assert.deepEqual(jsonOf(marked), { product_code: 'RV-SAFE', high_risk: true });
      assert.deepEqual(jsonOf(await runCli(['review', 'high-risk', 'RV-SAFE', '--off', '--json'], t.env)), { product_code: 'RV-SAFE', high_risk: false });
      const cleared = await runCli(['account', 'update', String(reseller.accountId), '--review-above', 'none', '--json'], t.env);
      assert.equal(jsonOf(cleared).review_above, null);
    });

    test('an order paid at a gateway that scored for review waits after its payment (processing on /api), then is delivered when approved', async () => {
      const cny = await stockedProduct(t.souk, { code: 'RV-CNY', price: '50.00', currency: 'CNY' }, 5);
      assert.equal((await admin('PUT', '/products/RV-CNY/risk', { high_risk: true })).statusCode, 200);
      const guest = Number((await t.souk.db.selectFrom('settings').select('value').where('key', '=', 'shop_guest_account').executeTakeFirstOrThrow()).value);
      await updateAccount(t.souk, guest, { riskReviewScore: 30 });
      try {
        const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(cny), quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'alipay' } });
        assert.equal(res.statusCode, 200, res.body);
        const placed = res.json<{ order: { id: string; orderNo: string; status: string } }>().order;
        assert.equal(placed.status, 'pending');
        const charge = await t.souk.db.selectFrom('payments').select('id').where('order_id', '=', placed.id).executeTakeFirstOrThrow();
        gateway.paid.set(charge.id, 5000);
        const notice = await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: JSON.stringify({ ref: charge.id, sig: 'good' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(notice.body, 'success');
        const status = async () => (await t.app.inject({ method: 'GET', url: `/api/orders/${placed.id}/status`, remoteAddress: `10.19.0.${++serial % 250}` })).json<{ order: { status: string } }>().order.status;
        assert.equal(await status(), 'processing');
        const row = await t.souk.db.selectFrom('orders').select(['status', 'payment_status', 'review_until']).where('id', '=', placed.id).executeTakeFirstOrThrow();
        assert.deepEqual([row.status, row.payment_status, row.review_until !== null], ['review', 'paid', true]);
        assert.deepEqual((await codesOf(placed.id)).map((c) => c.status), ['reserved'], 'paid, but its code still held');
        const entry = (await reviews()).find((r) => r.order_id === placed.id);
        assert.equal(entry?.payment_provider, 'alipay');
        assert.equal((await admin('POST', `/reviews/${placed.id}/approve`)).statusCode, 200);
        assert.equal(await status(), 'completed');
        assert.deepEqual((await codesOf(placed.id)).map((c) => c.status), ['sold']);

        // Another, rejected: refunded back through the gateway.
        const second = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(cny), quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'alipay' } });
        const secondId = second.json<{ order: { id: string } }>().order.id;
        const secondCharge = await t.souk.db.selectFrom('payments').select('id').where('order_id', '=', secondId).executeTakeFirstOrThrow();
        gateway.paid.set(secondCharge.id, 5000);
        await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: JSON.stringify({ ref: secondCharge.id, sig: 'good' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal((await admin('POST', `/reviews/${secondId}/reject`, { reason: 'stolen card' })).statusCode, 200);
        const refunded = await t.souk.db.selectFrom('orders').select(['status', 'payment_status']).where('id', '=', secondId).executeTakeFirstOrThrow();
        assert.deepEqual([refunded.status, refunded.payment_status], ['rejected', 'refunded']);
        assert.equal((await t.souk.db.selectFrom('payments').select('refund_status').where('id', '=', secondCharge.id).executeTakeFirstOrThrow()).refund_status, 'pending');
        await t.souk.gatewayPayments.refundCharge(secondCharge.id);
        assert.deepEqual(gateway.refunds.filter((r) => r.startsWith(secondCharge.id)), [`${secondCharge.id}:${secondCharge.id}R`], 'refunded through the gateway');
        assert.deepEqual(await codesOf(secondId), []);
      } finally {
        await updateAccount(t.souk, guest, { riskReviewScore: null });
      }
    });
  });
}

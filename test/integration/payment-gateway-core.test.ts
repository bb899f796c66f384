// What Souk does with any payment gateway (issue 18, parts 2 to 5), on SQLite and PostgreSQL,
// through the shop API, /api/v1 and the notification route: a scripted gateway stands in for the
// payment service (each real one, BTCPay, Alipay and WeChat Pay, is tested against a fake of its
// own service in gateway-*.test.ts and payments-*.test.ts). It opens charges, takes notifications
// that carry `"sig": "good"` (any other is forged), and answers lookups from what the test says
// was paid: an order waits with its codes held and is delivered once, a forged notification
// credits nothing, a lost one is caught by the lookup sweep, expiry returns the codes, a late
// payment revives the order, top-ups credit once, and a refund goes back through the gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { addScriptedGateway, ScriptedGateway } from '../helpers/scripted-gateway.js';

interface ShopOrder { id: string; orderNo: string; status: string; items: string[]; payment?: { method: string; provider: string; amount: string; currency: string; qrCode?: string; status: string } }

for (const kind of DATABASE_KINDS) {
  describe(`payment gateways, the core (${kind})`, () => {
    let t: TestSouk;
    let gateway: ScriptedGateway;
    let productId: number;
    const EMAIL = 'payer@example.com';
    let nextAddress = 1;

    const notify = (ref: string, sig = 'good') => t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: JSON.stringify({ ref, sig }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow()).stock_available;
    async function order(): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 2, contactEmail: EMAIL, paymentMethod: 'alipay' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: EMAIL }, remoteAddress: `10.9.0.${nextAddress++}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    const chargeOf = async (orderId: string) => t.souk.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();

    // What the scripted gateway says was paid short of a charge still waiting (as BTCPay reports an invoice paid in part).
    const short = new Map<string, number>();

    before(async () => {
      t = await startTestSouk(kind);
      gateway = addScriptedGateway(t.souk);
      const whole = gateway.state.bind(gateway);
      gateway.state = (externalId) => (short.has(externalId) && !gateway.paid.has(externalId) ? { externalId, outcome: 'waiting', paidMinor: short.get(externalId)!, currency: 'CNY' } : whole(externalId));
      productId = await stockedProduct(t.souk, { code: 'CARD-50', price: '50.00', currency: 'CNY' }, 40);
    });
    after(async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
    });

    test('payment-config offers alipay while its gateway answers, and withdraws it after a failed check', async () => {
      const offered = async () => (await t.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ paymentMethods: Array<{ name: string; available: boolean }> }>().paymentMethods;
      assert.deepEqual((await offered()).filter((m) => m.available).map((m) => m.name).sort(), ['alipay', 'balance_cny', 'balance_crypto']);
      assert.equal((await offered()).find((m) => m.name === 'wechat')!.available, false);
      gateway.down = true;
      await t.souk.gatewayPayments.checkHealth();
      assert.equal((await offered()).find((m) => m.name === 'alipay')!.available, false);
      const refused = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: EMAIL, paymentMethod: 'alipay' } });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().errorCode, 'payment_method_unavailable');
      gateway.down = false;
      await t.souk.gatewayPayments.checkHealth();
      assert.equal((await offered()).find((m) => m.name === 'alipay')!.available, true);
    });

    test('an alipay order waits with its codes held and a QR code; 20 concurrent notifications deliver it once', async () => {
      const before = await available();
      const placed = await order();
      assert.equal(placed.status, 'pending');
      assert.deepEqual(placed.items, []);
      assert.equal(placed.payment?.method, 'alipay');
      assert.equal(placed.payment?.amount, '100.00');
      assert.equal(placed.payment?.currency, 'CNY');
      assert.match(placed.payment?.qrCode ?? '', /^https:\/\/qr\.example\//);
      assert.equal(await available(), before - 2);
      const charge = await chargeOf(placed.id);
      assert.equal(gateway.charges.get(charge.id)?.amountMinor, 10_000);
      assert.equal(gateway.charges.get(charge.id)?.notifyUrl.endsWith('/hooks/payments/alipay'), true);

      // Not paid yet: a genuine notification of a waiting charge changes nothing.
      assert.equal((await notify(charge.id)).body, 'success');
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');

      gateway.paid.set(charge.id, 10_000);
      const answers = await Promise.all(Array.from({ length: 20 }, () => notify(charge.id)));
      assert.deepEqual([...new Set(answers.map((a) => `${a.statusCode} ${a.body}`))], ['200 success']);
      const receipts = await t.souk.db.selectFrom('payment_receipts').selectAll().where('payment_id', '=', charge.id).execute();
      assert.equal(receipts.length, 1);
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'paid');
    });

    test('a forged notification is refused with the answer the gateway expects, and credits nothing', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      gateway.paid.set(charge.id, 10_000);
      const forged = await notify(charge.id, 'forged');
      assert.equal(forged.statusCode, 400);
      assert.equal(forged.body, 'fail');
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(placed.id)).received_units, '0');
      // A form is what only the Alipay route reads; JSON there is 415, never a 5xx.
      const json = await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: { ref: charge.id, sig: 'good' } });
      assert.equal(json.statusCode, 415);
      // A gateway this Souk does not have is 404.
      const wechat = await t.app.inject({ method: 'POST', url: '/hooks/payments/wechat', payload: { ref: charge.id } });
      assert.equal(wechat.statusCode, 404);
    });

    test('a notification that never came is caught by the lookup sweep; a gateway down leaves the order waiting', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      gateway.paid.set(charge.id, 10_000);
      gateway.down = true;
      const sweep = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(sweep.unreachable >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      gateway.down = false;
      const again = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(again.credited >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
    });

    test('a gateway that cannot open the charge: 503, the order cancelled and its codes back on sale', async () => {
      const before = await available();
      gateway.down = true;
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 2, contactEmail: EMAIL, paymentMethod: 'alipay' } });
      gateway.down = false;
      await t.souk.gatewayPayments.checkHealth();
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().errorCode, 'payment_unavailable');
      assert.equal(await available(), before);
    });

    test('unpaid past its hold, the order expires and its codes go back; paid late, it is delivered if the codes are there', async () => {
      const placed = await order();
      const before = await available();
      await t.souk.db.updateTable('orders').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', placed.id).execute();
      await expireUnpaidOrders(orderDeps(t.souk));
      assert.equal(await available(), before + 2);
      const charge = await chargeOf(placed.id);
      assert.equal(charge.status, 'expired');
      assert.equal(charge.waiting, null);
      gateway.paid.set(charge.id, 10_000);
      assert.equal((await notify(charge.id)).body, 'success');
      const revived = await lookUp(placed.orderNo);
      assert.equal(revived.status, 'completed');
      assert.equal(revived.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'late');
    });

    test('a part paid short is recorded partial for the admin without delivering; expiry keeps it listed; paid in full later delivers once', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      short.set(charge.id, 4000);
      for (let i = 0; i < 3; i++) assert.equal((await notify(charge.id)).body, 'success');
      let row = await chargeOf(placed.id);
      assert.deepEqual({ status: row.status, received: row.received_units, waiting: row.waiting }, { status: 'partial', received: '4000', waiting: 1 });
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await t.souk.db.selectFrom('payment_receipts').select('id').where('payment_id', '=', charge.id).execute()).length, 0);
      // An older, smaller report changes nothing.
      short.set(charge.id, 3000);
      await notify(charge.id);
      assert.equal((await chargeOf(placed.id)).received_units, '4000');
      const listed = await t.app.inject({ method: 'GET', url: '/admin/api/payments?status=partial', headers: bearer(t.adminKey) });
      assert.equal(listed.statusCode, 200, listed.body);
      const record = listed.json<{ payments: Array<Record<string, unknown>> }>().payments.find((p) => p.id === charge.id);
      assert.deepEqual({ status: record?.status, received: record?.received, amount: record?.amount }, { status: 'partial', received: '40.00', amount: '100.00' });

      // The hold ends: the codes go back, the part stays recorded (the lookup sweep no longer asks).
      const before = await available();
      await t.souk.db.updateTable('orders').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', placed.id).execute();
      await expireUnpaidOrders(orderDeps(t.souk));
      assert.equal(await available(), before + 2);
      row = await chargeOf(placed.id);
      assert.deepEqual({ status: row.status, received: row.received_units, waiting: row.waiting }, { status: 'partial', received: '4000', waiting: null });

      // Another order paid in part, then in full: the part is not counted twice.
      const second = await order();
      const secondCharge = await chargeOf(second.id);
      short.set(secondCharge.id, 2500);
      await notify(secondCharge.id);
      assert.equal((await chargeOf(second.id)).status, 'partial');
      gateway.paid.set(secondCharge.id, 10_000);
      await Promise.all(Array.from({ length: 5 }, () => notify(secondCharge.id)));
      row = await chargeOf(second.id);
      assert.deepEqual({ status: row.status, received: row.received_units }, { status: 'paid', received: '10000' });
      assert.equal((await lookUp(second.orderNo)).status, 'completed');
    });

    test('a refund of a paid order goes back through the gateway, once', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      gateway.paid.set(charge.id, 10_000);
      await notify(charge.id);
      const refunded = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${placed.id}/refund`, payload: { reason: 'buyer asked' }, headers: bearer(t.adminKey) });
      assert.equal(refunded.statusCode, 200, refunded.body);
      assert.equal((await chargeOf(placed.id)).refund_status, 'pending');
      const jobs = await t.souk.db.selectFrom('jobs').select(['kind', 'payload']).where('kind', '=', 'payments.refund').execute();
      assert.ok(jobs.some((job) => JSON.parse(job.payload).paymentId === charge.id));
      await t.souk.gatewayPayments.refundCharge(charge.id);
      await t.souk.gatewayPayments.refundCharge(charge.id);
      assert.deepEqual(gateway.refunds.filter((r) => r.startsWith(charge.id)), [`${charge.id}:${charge.id}R`]);
      const after = await chargeOf(placed.id);
      assert.equal(after.refund_status, 'refunded');
      assert.equal(after.refund_due, 0);
      const timeline = await t.souk.db.selectFrom('order_events').select('reason').where('order_id', '=', placed.id).execute();
      assert.ok(timeline.some((e) => e.reason === 'money given back through alipay'));
      const listed = await t.app.inject({ method: 'GET', url: '/admin/api/payments', headers: bearer(t.adminKey) });
      assert.equal(listed.statusCode, 200, listed.body);
      const record = listed.json<{ payments: Array<Record<string, unknown>> }>().payments.find((p) => p.id === charge.id);
      assert.deepEqual(
        { method: record?.method, purpose: record?.purpose, currency: record?.currency, amount: record?.amount, received: record?.received, status: record?.status, refund_status: record?.refund_status },
        { method: 'alipay', purpose: 'order', currency: 'CNY', amount: '100.00', received: '100.00', status: 'paid', refund_status: 'refunded' },
      );
    });

    test('a refund the gateway finishes later stays pending until a lookup says it went back, then shows on the timeline once', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      gateway.paid.set(charge.id, 10_000);
      await notify(charge.id);
      const refunded = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${placed.id}/refund`, payload: { reason: 'buyer asked' }, headers: bearer(t.adminKey) });
      assert.equal(refunded.statusCode, 200, refunded.body);
      gateway.refundOutcome = 'pending';
      try {
        await t.souk.gatewayPayments.refundCharge(charge.id);
      } finally {
        gateway.refundOutcome = 'refunded';
      }
      assert.equal((await chargeOf(placed.id)).refund_status, 'pending');
      await t.souk.gatewayPayments.lookUpWaiting();
      assert.equal((await chargeOf(placed.id)).refund_status, 'pending', 'the gateway has not finished it');
      gateway.refundsDone.add(charge.id);
      await t.souk.gatewayPayments.lookUpWaiting();
      await t.souk.gatewayPayments.lookUpWaiting();
      const after = await chargeOf(placed.id);
      assert.equal(after.refund_status, 'refunded');
      assert.equal(after.refund_due, 0);
      const timeline = await t.souk.db.selectFrom('order_events').select('reason').where('order_id', '=', placed.id).execute();
      assert.deepEqual(timeline.map((e) => e.reason).filter((r) => /refund|given back/.test(r ?? '')), ['refund asked of alipay, not finished there yet', 'money given back through alipay']);
    });

    test('a customer top-up credits the balance once, the ledger entry naming the payment; another customer cannot see it', async () => {
      const register = async (email: string) => (await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: 'long enough password' } })).json<{ token: string }>().token;
      const token = await register('topper@example.com');
      const res = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_cny', amount: '88.50', paymentMethod: 'alipay' }, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      const topup = res.json<{ topup: { id: string; status: string; amount: string; currency: string; payment: { qrCode: string; amount: string } } }>().topup;
      assert.equal(topup.status, 'open');
      assert.equal(topup.amount, '88.50');
      assert.equal(topup.payment.amount, '88.50');
      gateway.paid.set(topup.id, 8850);
      await Promise.all(Array.from({ length: 20 }, () => notify(topup.id)));
      const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).json<{ user: { balance: number } }>().user;
      assert.equal(me.balance, 88.5);
      const ledger = await t.souk.db.selectFrom('ledger_entries').select(['amount_minor', 'reference']).where('reference', '=', `payment:${topup.id}`).execute();
      assert.deepEqual(ledger.map((e) => Number(e.amount_minor)), [8850]);
      const followed = await t.app.inject({ method: 'GET', url: `/api/wallet/topups/${topup.id}`, headers: bearer(token) });
      assert.equal(followed.json().topup.status, 'paid');
      const other = await t.app.inject({ method: 'GET', url: `/api/wallet/topups/${topup.id}`, headers: bearer(await register('other@example.com')) });
      assert.equal(other.statusCode, 404);
      const anonymous = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_cny', amount: '1.00', paymentMethod: 'alipay' } });
      assert.equal(anonymous.statusCode, 401);
    });

    test("a reseller tops up its wallet on /api/v1: 201 with the QR code, credited once in the wallet's currency at the shop's rate", async () => {
      const account = await t.app.inject({ method: 'POST', url: '/admin/api/accounts', payload: { name: 'Top-up reseller', kind: 'reseller', currency: 'USD' }, headers: bearer(t.adminKey) });
      assert.equal(account.statusCode, 201, account.body);
      const accountId = account.json().account.id as number;
      const key = await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${accountId}/keys`, payload: {}, headers: bearer(t.adminKey) });
      const apiKey = key.json().api_key as string;
      const noRate = await t.app.inject({ method: 'POST', url: '/api/v1/wallet/topups', payload: { amount: '10.00', method: 'alipay' }, headers: bearer(apiKey) });
      assert.equal(noRate.statusCode, 400, noRate.body);
      assert.equal(noRate.json().error, 'payment_method_unavailable', noRate.body);
      await t.app.inject({ method: 'PUT', url: '/admin/api/fx-rates/USD/CNY', payload: { rate: '7.1' }, headers: bearer(t.adminKey) });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/wallet/topups', payload: { amount: '10.00', method: 'alipay' }, headers: bearer(apiKey) });
      assert.equal(res.statusCode, 201, res.body);
      const topup = res.json().topup as { topup_id: string; amount: string; currency: string; payment: { amount: string; currency: string; qr_code: string } };
      assert.equal(topup.currency, 'USD');
      assert.equal(topup.payment.currency, 'CNY');
      assert.equal(topup.payment.amount, '71.00');
      gateway.paid.set(topup.topup_id, 7100);
      await notify(topup.topup_id);
      await notify(topup.topup_id);
      const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiKey) })).json<{ balance: number }>();
      assert.equal(me.balance, 10);
      const followed = await t.app.inject({ method: 'GET', url: `/api/v1/wallet/topups/${topup.topup_id}`, headers: bearer(apiKey) });
      assert.equal(followed.json().topup.status, 'paid');
    });
  });
}

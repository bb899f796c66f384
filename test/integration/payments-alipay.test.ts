// Alipay through the HTTP app, on SQLite and PostgreSQL, against a fake Alipay gateway.do that
// checks Souk's RSA2 signatures and posts notifications signed with Alipay's (test) key to Souk's
// notify URL: payment-config offers alipay only when configured and answering; an order waits with
// its codes held and a QR code (or, in page mode, a checkout URL) and is delivered by the
// notification, 20 times concurrently, once, each answered `success`; forged, tampered and other
// apps' notifications credit nothing and never 5xx; a lost one is caught by the lookup sweep;
// expiry returns the codes and a late payment revives the order; a notification whose amount does
// not match delivers nothing; top-ups credit once; a refund goes back through Alipay.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { rsaPair, startFakeAlipay, type FakeAlipay } from '../fakes/alipay.js';

interface ShopOrder { id: string; orderNo: string; status: string; items: string[]; payment?: { method: string; provider: string; amount: string; currency: string; qrCode?: string; checkoutUrl?: string; status: string } }
interface PaymentMethod { name: string; available: boolean }

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const kind of DATABASE_KINDS) {
  describe(`Alipay payments (${kind})`, () => {
    let t: TestSouk;
    let fake: FakeAlipay;
    let productId: number;
    const EMAIL = 'alipay-buyer@example.com';
    let nextAddress = 1;

    const offered = async (souk: TestSouk = t) => (await souk.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ paymentMethods: PaymentMethod[] }>().paymentMethods.find((m) => m.name === 'alipay')?.available;
    const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow()).stock_available;
    const chargeOf = async (orderId: string) => t.souk.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const receipts = async (paymentId: string) => t.souk.db.selectFrom('payment_receipts').selectAll().where('payment_id', '=', paymentId).execute();
    async function order(souk: TestSouk = t, quantity = 2): Promise<ShopOrder> {
      const res = await souk.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity, contactEmail: EMAIL, paymentMethod: 'alipay' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: EMAIL }, remoteAddress: `10.8.0.${nextAddress++}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }

    before(async () => {
      fake = await startFakeAlipay();
      const port = await freePort();
      t = await startTestSouk(kind, { env: fake.env({ SOUK_PUBLIC_URL: `http://127.0.0.1:${port}` }) });
      await t.app.listen({ host: '127.0.0.1', port });
      productId = await stockedProduct(t.souk, { code: 'ALI-50', price: '50.00', currency: 'CNY' }, 40);
    });
    after(async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
      assert.deepEqual(fake.problems, []);
      await fake.close();
    });

    test('payment-config offers alipay when it is configured and answers, withdraws it when Alipay fails the check, and a Souk without it never offers it', async () => {
      assert.equal(await offered(), true);
      const checked = await t.souk.gatewayPayments.checkHealth();
      assert.equal(checked.get('alipay'), true);
      assert.equal(fake.calls.at(-1)?.method, 'alipay.trade.query');
      fake.mode = 'error';
      try {
        assert.equal((await t.souk.gatewayPayments.checkHealth()).get('alipay'), false);
        assert.equal(await offered(), false);
        const refused = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: EMAIL, paymentMethod: 'alipay' } });
        assert.equal(refused.statusCode, 400, refused.body);
        assert.equal(refused.json().errorCode, 'payment_method_unavailable');
      } finally {
        fake.mode = 'ok';
      }
      await t.souk.gatewayPayments.checkHealth();
      assert.equal(await offered(), true);

      const plain = await startTestSouk(kind);
      try {
        assert.equal(await offered(plain), false);
        assert.equal(plain.souk.gatewayPayments.ctx.gateways.has('alipay'), false);
      } finally {
        await plain.close();
      }
    });

    test("an order waits with its codes held and Alipay's QR code; 20 concurrent notifications deliver it once, each answered success", async () => {
      const before = await available();
      const placed = await order();
      assert.equal(placed.status, 'pending');
      assert.deepEqual(placed.items, []);
      assert.equal(placed.payment?.method, 'alipay');
      assert.equal(placed.payment?.amount, '100.00');
      assert.equal(placed.payment?.currency, 'CNY');
      const charge = await chargeOf(placed.id);
      const trade = fake.trades.get(charge.id)!;
      assert.equal(placed.payment?.qrCode, trade.qrCode);
      assert.equal(trade.totalAmount, '100.00');
      assert.equal(trade.notifyUrl, `${t.env.SOUK_PUBLIC_URL}/hooks/payments/alipay`);
      assert.equal(charge.external_id, charge.id, 'the out_trade_no is the charge');
      assert.equal(await available(), before - 2);

      // Scanned, not paid: Alipay's WAIT_BUYER_PAY notification is taken and changes nothing.
      fake.scan(charge.id);
      assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');

      fake.pay(charge.id);
      const body = fake.notice(charge.id);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fake.notify(charge.id, { body })));
      assert.deepEqual([...new Set(answers.map((a) => `${a.status} ${a.answer}`))], ['200 success']);
      assert.equal((await receipts(charge.id)).length, 1);
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'paid');
      // Alipay sends it again later (another notify_id, same trade): still once.
      assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
      assert.equal((await receipts(charge.id)).length, 1);
    });

    test('forged, tampered and other apps’ notifications are answered fail (Alipay sends again), credit nothing and never 5xx', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      for (const options of [{ signWith: rsaPair().privateKey }, { tamper: { total_amount: '100.01' } }, { fields: { app_id: '2021000000000999' } }]) {
        assert.deepEqual(await fake.notify(charge.id, options), { status: 400, answer: 'fail' });
      }
      for (const body of ['', 'sign=abc', '%E0%A4%A=1&&', 'a=1&'.repeat(300)]) {
        const res = await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
        assert.notEqual(res.body, 'success');
      }
      const json = await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: { out_trade_no: charge.id, trade_status: 'TRADE_SUCCESS' } });
      assert.equal(json.statusCode, 415);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(placed.id)).received_units, '0');
      assert.equal((await receipts(charge.id)).length, 0);
    });

    test('a notification that never came is caught by the lookup sweep; while Alipay is down the order stays waiting', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      fake.mode = 'reset';
      try {
        const sweep = await t.souk.gatewayPayments.lookUpWaiting();
        assert.ok(sweep.unreachable >= 1, JSON.stringify(sweep));
        assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      } finally {
        fake.mode = 'ok';
      }
      const again = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(again.credited >= 1, JSON.stringify(again));
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items.length, 2);
      // Its notification, arriving after all, credits nothing more.
      assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
      assert.equal((await receipts(charge.id)).length, 1);
    });

    test('unpaid past its hold the order expires and its codes go back; paid late, it is delivered while the codes are there', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      const before = await available();
      await t.souk.db.updateTable('orders').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', placed.id).execute();
      await expireUnpaidOrders(orderDeps(t.souk));
      assert.equal(await available(), before + 2);
      assert.equal((await chargeOf(placed.id)).status, 'expired');
      // Alipay closes its trade a little later (timeout_express in whole minutes): the buyer pays in between.
      fake.pay(charge.id);
      assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
      const revived = await lookUp(placed.orderNo);
      assert.equal(revived.status, 'completed');
      assert.equal(revived.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'late');

      // One Alipay closes unpaid: its TRADE_CLOSED notification is taken, and credits nothing.
      const closed = await order();
      const closedCharge = await chargeOf(closed.id);
      fake.expire(closedCharge.id);
      assert.deepEqual(await fake.notify(closedCharge.id), { status: 200, answer: 'success' });
      assert.equal((await lookUp(closed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(closed.id)).received_units, '0');
    });

    test('a paid notification whose amount is short of the charge delivers nothing; the order expires with the part recorded', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      assert.deepEqual(await fake.notify(charge.id, { fields: { total_amount: '60.00', receipt_amount: '60.00', buyer_pay_amount: '60.00' } }), { status: 200, answer: 'success' });
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(placed.id)).received_units, '6000');
      await t.souk.db.updateTable('orders').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', placed.id).execute();
      await expireUnpaidOrders(orderDeps(t.souk));
      assert.equal((await chargeOf(placed.id)).status, 'partial');
    });

    test('a refund of a paid order goes back through Alipay once, and its refund notification is answered success', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      await fake.notify(charge.id);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
      const refunded = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${placed.id}/refund`, payload: { reason: 'buyer asked' }, headers: bearer(t.adminKey) });
      assert.equal(refunded.statusCode, 200, refunded.body);
      assert.equal((await chargeOf(placed.id)).refund_status, 'pending');
      await t.souk.gatewayPayments.refundCharge(charge.id);
      await t.souk.gatewayPayments.refundCharge(charge.id);
      const trade = fake.trades.get(charge.id)!;
      assert.deepEqual([...trade.refunds], [[`${charge.id}R`, '100.00']]);
      assert.equal(trade.status, 'TRADE_CLOSED');
      const after = await chargeOf(placed.id);
      assert.equal(after.refund_status, 'refunded');
      assert.equal(after.refund_due, 0);
      const timeline = await t.souk.db.selectFrom('order_events').select('reason').where('order_id', '=', placed.id).execute();
      assert.ok(timeline.some((e) => e.reason === 'money given back through alipay'));
      assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
      assert.equal((await receipts(charge.id)).length, 1);
    });

    test('a customer tops up CNY balance through Alipay, credited once however often Alipay notifies', async () => {
      const token = (await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `alipay-topper-${kind}@example.com`, password: 'long enough password' } })).json<{ token: string }>().token;
      const res = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_cny', amount: '88.50', paymentMethod: 'alipay' }, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      const topup = res.json<{ topup: { id: string; status: string; payment: { qrCode: string; amount: string } } }>().topup;
      assert.equal(topup.payment.qrCode, fake.trades.get(topup.id)?.qrCode);
      assert.equal(fake.trades.get(topup.id)?.totalAmount, '88.50');
      fake.pay(topup.id);
      const body = fake.notice(topup.id);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fake.notify(topup.id, { body })));
      assert.ok(answers.every((a) => a.answer === 'success'));
      const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).json<{ user: { balance: number } }>().user;
      assert.equal(me.balance, 88.5);
      const ledger = await t.souk.db.selectFrom('ledger_entries').select('amount_minor').where('reference', '=', `payment:${topup.id}`).execute();
      assert.deepEqual(ledger.map((e) => Number(e.amount_minor)), [8850]);
    });

    test('a reseller tops up its USD wallet on /api/v1 through Alipay in CNY at the shop rate, credited once', async () => {
      const account = await t.app.inject({ method: 'POST', url: '/admin/api/accounts', payload: { name: 'Alipay reseller', kind: 'reseller', currency: 'USD' }, headers: bearer(t.adminKey) });
      assert.equal(account.statusCode, 201, account.body);
      const key = await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${account.json().account.id}/keys`, payload: {}, headers: bearer(t.adminKey) });
      const apiKey = key.json().api_key as string;
      await t.app.inject({ method: 'PUT', url: '/admin/api/fx-rates/USD/CNY', payload: { rate: '7.1' }, headers: bearer(t.adminKey) });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/wallet/topups', payload: { amount: '10.00', method: 'alipay' }, headers: bearer(apiKey) });
      assert.equal(res.statusCode, 201, res.body);
      const topup = res.json().topup as { topup_id: string; payment: { amount: string; currency: string; qr_code: string } };
      assert.equal(topup.payment.amount, '71.00');
      assert.equal(fake.trades.get(topup.topup_id)?.totalAmount, '71.00');
      // The notification is lost; the sweep finds it paid, and a late notification credits nothing more.
      fake.pay(topup.topup_id);
      await t.souk.gatewayPayments.lookUpWaiting();
      await fake.notify(topup.topup_id);
      const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiKey) })).json<{ balance: number }>();
      assert.equal(me.balance, 10);
    });

    test("in page mode an order carries Alipay's checkout URL, and its notification delivers it", async () => {
      const port = await freePort();
      const page = await startTestSouk(kind, { env: fake.env({ SOUK_ALIPAY_MODE: 'page', SOUK_PUBLIC_URL: `http://127.0.0.1:${port}` }) });
      try {
        await page.app.listen({ host: '127.0.0.1', port });
        const pageProduct = await stockedProduct(page.souk, { code: 'ALI-PAGE', price: '50.00', currency: 'CNY' }, 4);
        const res = await page.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(pageProduct), quantity: 1, contactEmail: EMAIL, paymentMethod: 'alipay' } });
        assert.equal(res.statusCode, 200, res.body);
        const placed = res.json<{ order: ShopOrder }>().order;
        assert.equal(placed.payment?.qrCode, undefined);
        const checkout = new URL(placed.payment?.checkoutUrl ?? '');
        assert.equal(`${checkout.origin}${checkout.pathname}`, fake.gateway);
        assert.equal((await fetch(checkout)).status, 200);
        const charge = await page.souk.db.selectFrom('payments').selectAll().where('order_id', '=', placed.id).executeTakeFirstOrThrow();
        assert.equal(fake.trades.get(charge.id)?.totalAmount, '50.00');
        fake.pay(charge.id);
        assert.deepEqual(await fake.notify(charge.id), { status: 200, answer: 'success' });
        const query = await page.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo: placed.orderNo, email: EMAIL } });
        assert.equal(query.json<{ order: ShopOrder }>().order.status, 'completed');
      } finally {
        await page.close();
      }
    });
  });
}

// Paying through WeChat Pay end to end, on SQLite and PostgreSQL: a Souk configured for a fake
// WeChat Pay API v3 on 127.0.0.1 (test/fakes/wechat.ts) offers `wechat` while it answers; an order
// waits with its codes held and a code_url to scan; the fake's sealed, signed TRANSACTION.SUCCESS
// posted to /hooks/payments/wechat delivers it once however often it comes (answered 204), a
// forged one credits nothing (400 {code: FAIL}, never a 5xx), a lost one is caught by the lookup
// sweep; expiry returns the codes, a payment below the order's total delivers nothing, top-ups
// credit once, and a refund goes back through WeChat Pay (pending until its REFUND.SUCCESS).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { FakeWechatPay, startFakeWechatPay, wechatEnv } from '../fakes/wechat.js';

interface ShopOrder { id: string; orderNo: string; status: string; items: string[]; payment?: { method: string; provider: string; amount: string; currency: string; qrCode?: string; status: string } }

for (const kind of DATABASE_KINDS) {
  describe(`paying through WeChat Pay (${kind})`, () => {
    let t: TestSouk;
    let fake: FakeWechatPay;
    let hook: string;
    let productId: number;
    const EMAIL = 'wechat-payer@example.com';
    let nextAddress = 1;

    const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow()).stock_available;
    const chargeOf = async (orderId: string) => t.souk.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const offered = async () => (await t.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ paymentMethods: Array<{ name: string; available: boolean }> }>().paymentMethods.find((m) => m.name === 'wechat')!.available;
    async function order(quantity = 2): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity, contactEmail: EMAIL, paymentMethod: 'wechat' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: EMAIL }, remoteAddress: `10.8.0.${nextAddress++}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    /** The fake pays the charge and posts its notification to Souk, as WeChat Pay does. */
    async function payAndNotify(reference: string, options: { total?: number } = {}) {
      fake.pay(reference, options);
      return fake.deliver(fake.paidNotification(reference), hook);
    }

    before(async () => {
      fake = await startFakeWechatPay();
      t = await startTestSouk(kind, { env: { ...wechatEnv(fake.keys, fake.url), SOUK_PUBLIC_URL: 'https://shop.example.com' } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      hook = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/hooks/payments/wechat`;
      productId = await stockedProduct(t.souk, { code: 'WX-CARD-50', price: '50.00', currency: 'CNY' }, 60);
    });
    after(async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
      await fake.close();
      // Souk's every request to WeChat Pay carried a good merchant signature.
      assert.deepEqual(fake.refusals.filter((r) => r.startsWith('SIGN_ERROR')), []);
    });

    test('payment-config offers wechat while WeChat Pay answers the health check, and withdraws it when it does not', async () => {
      assert.equal(await offered(), true);
      fake.down = '500';
      assert.deepEqual([...(await t.souk.gatewayPayments.checkHealth())], [['wechat', false]]);
      assert.equal(await offered(), false);
      const refused = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: EMAIL, paymentMethod: 'wechat' } });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().errorCode, 'payment_method_unavailable');
      fake.down = undefined;
      assert.deepEqual([...(await t.souk.gatewayPayments.checkHealth())], [['wechat', true]]);
      assert.equal(await offered(), true);
    });

    test('a wechat order waits with its codes held and a code_url; 20 concurrent notifications deliver it once, each answered 204', async () => {
      const before = await available();
      const placed = await order();
      assert.equal(placed.status, 'pending');
      assert.deepEqual(placed.items, []);
      assert.equal(placed.payment?.method, 'wechat');
      assert.equal(placed.payment?.amount, '100.00');
      assert.equal(placed.payment?.currency, 'CNY');
      assert.match(placed.payment?.qrCode ?? '', /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
      assert.equal(await available(), before - 2);
      const charge = await chargeOf(placed.id);
      const atWechat = fake.orders.get(charge.id)!;
      assert.equal(atWechat.total, 10_000);
      assert.equal(atWechat.notify_url, 'https://shop.example.com/hooks/payments/wechat');
      assert.equal(atWechat.description, `Order ${placed.orderNo}`);

      fake.pay(charge.id);
      const notification = fake.paidNotification(charge.id);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fake.deliver(notification, hook)));
      assert.deepEqual([...new Set(answers.map((a) => `${a.status} ${a.body}`))], ['204 ']);
      const receipts = await t.souk.db.selectFrom('payment_receipts').selectAll().where('payment_id', '=', charge.id).execute();
      assert.equal(receipts.length, 1);
      assert.equal(receipts[0]!.txid, atWechat.transaction_id);
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'paid');
    });

    test('a forged, tampered or replayed notification is answered 400 {code: FAIL} and credits nothing; junk never 5xx', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      const forged = fake.paidNotification(charge.id, { keys: { platformPrivateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey } });
      const genuine = fake.paidNotification(charge.id);
      const replayed = fake.paidNotification(charge.id, { at: new Date(Date.now() - 15 * 60_000) });
      for (const notice of [forged, { ...genuine, body: genuine.body.replace('"encrypt-resource"', '"encrypt-resource" ') }, replayed]) {
        const answer = await fake.deliver(notice, hook);
        assert.equal(answer.status, 400);
        assert.equal(JSON.parse(answer.body).code, 'FAIL');
      }
      for (const junk of ['{}', '[]', 'not json', '{"resource":{"ciphertext":1}}']) {
        const res = await t.app.inject({ method: 'POST', url: '/hooks/payments/wechat', payload: junk, headers: { 'content-type': 'application/json', 'wechatpay-serial': fake.keys.platformSerial } });
        assert.ok(res.statusCode < 500, `${junk}: ${res.statusCode}`);
      }
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(placed.id)).received_units, '0');
      // The genuine one, late as it may be, is still believed.
      assert.equal((await fake.deliver(genuine, hook)).status, 204);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
    });

    test('a notification that never came is caught by the lookup sweep; WeChat Pay down leaves the order waiting', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      fake.pay(charge.id);
      fake.down = '500';
      const sweep = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(sweep.unreachable >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      fake.down = undefined;
      const again = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(again.credited >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
      await t.souk.gatewayPayments.checkHealth();
    });

    test('WeChat Pay unable to open the charge: 503, the order cancelled and its codes back on sale', async () => {
      const before = await available();
      fake.down = '500';
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 2, contactEmail: EMAIL, paymentMethod: 'wechat' } });
      fake.down = undefined;
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
      assert.equal((await payAndNotify(charge.id)).status, 204);
      const revived = await lookUp(placed.orderNo);
      assert.equal(revived.status, 'completed');
      assert.equal(revived.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'late');
    });

    test('a payment below the order total delivers nothing (the charge is partial); one above it delivers, the surplus recorded', async () => {
      const placed = await order();
      const charge = await chargeOf(placed.id);
      assert.equal((await payAndNotify(charge.id, { total: 4000 })).status, 204);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      const after = await chargeOf(placed.id);
      assert.equal(after.received_units, '4000');
      assert.equal(after.status, 'partial');

      const over = await order();
      const overCharge = await chargeOf(over.id);
      assert.equal((await payAndNotify(overCharge.id, { total: 12_000 })).status, 204);
      assert.equal((await lookUp(over.orderNo)).status, 'completed');
      const overAfter = await chargeOf(over.id);
      assert.equal(overAfter.received_units, '12000');
      assert.equal(overAfter.status, 'overpaid');
    });

    test('a refund of a paid order goes back through WeChat Pay once; a processing refund is refunded on its REFUND.SUCCESS', async () => {
      const refundOf = async (placed: ShopOrder) => {
        const res = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${placed.id}/refund`, payload: { reason: 'buyer asked' }, headers: bearer(t.adminKey) });
        assert.equal(res.statusCode, 200, res.body);
      };
      const placed = await order();
      const charge = await chargeOf(placed.id);
      await payAndNotify(charge.id);
      await refundOf(placed);
      assert.equal((await chargeOf(placed.id)).refund_status, 'pending');
      await t.souk.gatewayPayments.refundCharge(charge.id);
      await t.souk.gatewayPayments.refundCharge(charge.id);
      const refunds = [...fake.refunds.values()].filter((r) => r.out_trade_no === charge.id);
      assert.deepEqual(refunds.map((r) => [r.out_refund_no, r.refund, r.total]), [[`${charge.id}R`, 10_000, 10_000]]);
      assert.equal((await chargeOf(placed.id)).refund_status, 'refunded');
      const timeline = await t.souk.db.selectFrom('order_events').select('reason').where('order_id', '=', placed.id).execute();
      assert.ok(timeline.some((e) => e.reason === 'money given back through wechat'));

      fake.refundStatus = 'PROCESSING';
      const slow = await order(1);
      const slowCharge = await chargeOf(slow.id);
      await payAndNotify(slowCharge.id);
      await refundOf(slow);
      await t.souk.gatewayPayments.refundCharge(slowCharge.id);
      assert.equal((await chargeOf(slow.id)).refund_status, 'pending');
      fake.refundStatus = 'SUCCESS';
      assert.equal((await fake.deliver(fake.refundNotification(`${slowCharge.id}R`), hook)).status, 204);
      const done = await chargeOf(slow.id);
      assert.equal(done.refund_status, 'refunded');
      assert.equal(done.refund_due, 0);
    });

    test('a customer top-up through WeChat Pay credits the balance once', async () => {
      const token = (await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'wx-topper@example.com', password: 'long enough password' } })).json<{ token: string }>().token;
      const res = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_cny', amount: '88.50', paymentMethod: 'wechat' }, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      const topup = res.json<{ topup: { id: string; status: string; payment: { qrCode: string; amount: string } } }>().topup;
      assert.match(topup.payment.qrCode, /^weixin:\/\//);
      assert.equal(fake.orders.get(topup.id)?.total, 8850);
      fake.pay(topup.id);
      const notification = fake.paidNotification(topup.id);
      await Promise.all(Array.from({ length: 20 }, () => fake.deliver(notification, hook)));
      const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).json<{ user: { balance: number } }>().user;
      assert.equal(me.balance, 88.5);
      const followed = await t.app.inject({ method: 'GET', url: `/api/wallet/topups/${topup.id}`, headers: bearer(token) });
      assert.equal(followed.json().topup.status, 'paid');
    });

    test("a reseller's top-up on /api/v1 through WeChat Pay is credited once in its wallet's currency, caught by the lookup sweep", async () => {
      const account = await t.app.inject({ method: 'POST', url: '/admin/api/accounts', payload: { name: 'WeChat reseller', kind: 'reseller', currency: 'USD' }, headers: bearer(t.adminKey) });
      assert.equal(account.statusCode, 201, account.body);
      const apiKey = (await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${account.json().account.id as number}/keys`, payload: {}, headers: bearer(t.adminKey) })).json().api_key as string;
      await t.app.inject({ method: 'PUT', url: '/admin/api/fx-rates/USD/CNY', payload: { rate: '7.1' }, headers: bearer(t.adminKey) });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/wallet/topups', payload: { amount: '10.00', method: 'wechat' }, headers: bearer(apiKey) });
      assert.equal(res.statusCode, 201, res.body);
      const topup = res.json().topup as { topup_id: string; payment: { amount: string; currency: string; qr_code: string } };
      assert.equal(topup.payment.amount, '71.00');
      assert.equal(fake.orders.get(topup.topup_id)?.total, 7100);
      fake.pay(topup.topup_id);
      await t.souk.gatewayPayments.lookUpWaiting();
      await fake.deliver(fake.paidNotification(topup.topup_id), hook);
      const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiKey) })).json<{ balance: number }>();
      assert.equal(me.balance, 10);
    });
  });
}

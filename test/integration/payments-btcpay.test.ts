// BTCPay Server end to end through the HTTP app, on SQLite and PostgreSQL, against a fake BTCPay
// (test/fakes/btcpay.ts) that posts its signed webhooks over HTTP to Souk's
// /hooks/payments/btcpay: crypto offered while BTCPay answers; a btc order waits with its codes
// held and is delivered once by the webhook (20 at once credit once); forged and tampered webhooks
// credit nothing and never 5xx; a lost webhook is caught by the lookup sweep; expiry returns the
// codes; underpaid (recorded partial for the admin), overpaid and paid late end as issue 18 part 3
// says; top-ups of a customer and of a reseller credit once; a refund becomes a pull payment the
// buyer claims, recorded as owed.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import { FakeBtcPay } from '../fakes/btcpay.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { buildGateways, readGatewaySettings } from '../../src/core/payments/gateways/index.js';

interface BtcPayView { method: string; provider: string; amount: string; currency: string; status: string; expiresAt: string; checkoutUrl?: string; coin?: string; address?: string; coinAmount?: string; uri?: string }
interface ShopOrder { id: string; orderNo: string; status: string; items: string[]; payment?: BtcPayView }
interface AdminPayment { id: string; order_id: string | null; amount: string; received: string; status: string; refund_status: string | null; method?: string }

for (const kind of DATABASE_KINDS) {
  describe(`BTCPay Server payments (${kind})`, () => {
    let t: TestSouk;
    let fake: FakeBtcPay;
    let productId: number;
    const EMAIL = 'satoshi@example.com';
    let nextAddress = 1;

    const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: bearer(t.adminKey) });
    const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow()).stock_available;
    const chargeOf = async (orderId: string) => t.souk.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const invoiceOfOrder = async (orderId: string) => fake.invoiceOf((await chargeOf(orderId)).id)!;
    const config = async () => (await t.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ paymentMethods: Array<{ name: string; available: boolean }>; coins: Array<{ name: string; available: boolean }> }>();
    async function order(quantity = 2): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity, contactEmail: EMAIL, paymentMethod: 'crypto', coin: 'btc' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: EMAIL }, remoteAddress: `10.8.${Math.floor(nextAddress / 250)}.${nextAddress++ % 250}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function expire(orderId: string) {
      await t.souk.db.updateTable('orders').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', orderId).execute();
      await expireUnpaidOrders(orderDeps(t.souk));
    }

    before(async () => {
      fake = await FakeBtcPay.start({ rates: { 'BTC-CHAIN': 50_000 } });
      t = await startTestSouk(kind, {
        env: { SOUK_BTCPAY_URL: fake.url, SOUK_BTCPAY_API_KEY: fake.apiKey, SOUK_BTCPAY_STORE_ID: fake.storeId, SOUK_BTCPAY_WEBHOOK_SECRET: fake.webhookSecret, SOUK_PAYMENT_TIMEOUT_MS: '2000' },
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      fake.webhookUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/hooks/payments/btcpay`;
      productId = await stockedProduct(t.souk, { code: 'CARD-100', price: '100.00', currency: 'CNY' }, 60);
      // The shop prices in CNY; the store invoices in USD.
      assert.equal((await admin('PUT', '/admin/api/fx-rates/CNY/USD', { rate: '0.14' })).statusCode, 200);
    });
    beforeEach(() => {
      fake.mode = 'up';
    });
    after(async () => {
      assert.deepEqual(fake.problems, []);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
      await fake.close();
    });

    test('crypto (btc) is offered while BTCPay answers, withdrawn after a failed check, and back once it answers; unconfigured, there is no BTCPay', async () => {
      assert.equal(buildGateways(readGatewaySettings({})).has('btcpay'), false);
      assert.equal(buildGateways(readGatewaySettings({ SOUK_BTCPAY_URL: fake.url, SOUK_BTCPAY_API_KEY: 'k', SOUK_BTCPAY_STORE_ID: 'S' })).has('btcpay'), false, 'no webhook secret');
      const offered = async () => {
        const answer = await config();
        return { crypto: answer.paymentMethods.find((m) => m.name === 'crypto')!.available, btc: answer.coins.find((c) => c.name === 'btc')!.available, eth: answer.coins.find((c) => c.name === 'eth')!.available };
      };
      assert.deepEqual(await offered(), { crypto: true, btc: true, eth: false });
      fake.mode = 'error500';
      await t.souk.gatewayPayments.checkHealth();
      assert.deepEqual(await offered(), { crypto: false, btc: false, eth: false });
      const refused = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: EMAIL, paymentMethod: 'crypto', coin: 'btc' } });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().errorCode, 'payment_method_unavailable');
      fake.mode = 'up';
      await t.souk.gatewayPayments.checkHealth();
      assert.deepEqual(await offered(), { crypto: true, btc: true, eth: false });
    });

    test('a btc order waits with its codes held, the BTCPay checkout and the coin address; the signed webhook delivers it, 20 at once crediting once', async () => {
      const before = await available();
      const placed = await order();
      assert.equal(placed.status, 'pending');
      assert.deepEqual(placed.items, []);
      assert.equal(await available(), before - 2);
      const invoice = await invoiceOfOrder(placed.id);
      const payment = placed.payment!;
      // 200.00 CNY at 0.14: 28.00 USD; at 50 000 USD per BTC, 0.00056 BTC.
      assert.deepEqual(
        { method: payment.method, provider: payment.provider, amount: payment.amount, currency: payment.currency, coin: payment.coin, coinAmount: payment.coinAmount },
        { method: 'crypto', provider: 'btcpay', amount: '28.00', currency: 'USD', coin: 'btc', coinAmount: '0.00056000' },
      );
      assert.equal(payment.checkoutUrl, `${fake.url}/i/${invoice.id}`);
      assert.equal(payment.address, invoice.destinations['BTC-CHAIN']);
      assert.equal(payment.uri, `bitcoin:${invoice.destinations['BTC-CHAIN']}?amount=0.00056000`);
      assert.equal(invoice.amountMinor, 2800);
      assert.ok((invoice.checkout.expirationMinutes as number) >= 14 && (invoice.checkout.expirationMinutes as number) <= 15, String(invoice.checkout.expirationMinutes));

      // BTCPay's first webhooks say nothing is paid yet: accepted, nothing changes.
      assert.deepEqual(await fake.deliver('InvoiceCreated', invoice.id), { status: 200, body: 'ok' });
      fake.pay(invoice.id, 2800);
      assert.equal((await fake.deliver('InvoiceProcessing', invoice.id, { overPaid: false })).status, 200);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending', 'paid but not confirmed: still waiting');

      fake.confirm(invoice.id);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fake.deliver('InvoiceSettled', invoice.id, { manuallyMarked: false, overPaid: false })));
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
      const receipts = await t.souk.db.selectFrom('payment_receipts').selectAll().where('payment_id', '=', (await chargeOf(placed.id)).id).execute();
      assert.equal(receipts.length, 1);
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items.length, 2);
      assert.deepEqual({ status: (await chargeOf(placed.id)).status, received: (await chargeOf(placed.id)).received_units }, { status: 'paid', received: '2800' });
    });

    test('a forged, tampered or foreign webhook is refused 400 and credits nothing; junk never 5xx', async () => {
      const placed = await order(1);
      const invoice = await invoiceOfOrder(placed.id);
      fake.settle(invoice.id);
      const body = fake.event('InvoiceSettled', invoice.id);
      assert.equal((await fake.post(body, fake.sign(body, 'guessed secret'))).status, 400);
      assert.equal((await fake.post(body.replace('InvoiceSettled', 'InvoiceSettled '), fake.sign(body))).status, 400);
      assert.equal((await fake.post(fake.event('InvoiceSettled', invoice.id, { storeId: 'SomeoneElsesStore' }))).status, 400);
      for (const junk of ['', 'not json', '{}', '[]', '{"type":7}']) {
        const res = await t.app.inject({ method: 'POST', url: '/hooks/payments/btcpay', payload: junk, headers: { 'content-type': 'application/json', 'btcpay-sig': fake.sign(junk) } });
        assert.ok(res.statusCode < 500, `${junk}: ${res.statusCode}`);
      }
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      assert.equal((await chargeOf(placed.id)).received_units, '0');
      // Then the genuine one.
      assert.equal((await fake.post(body)).status, 200);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
    });

    test('a webhook that never came is caught by the lookup sweep; BTCPay down leaves the order waiting', async () => {
      const placed = await order(1);
      const invoice = await invoiceOfOrder(placed.id);
      fake.settle(invoice.id);
      fake.mode = 'down';
      const sweep = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(sweep.unreachable >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      fake.mode = 'up';
      const again = await t.souk.gatewayPayments.lookUpWaiting();
      assert.ok(again.credited >= 1);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
      await t.souk.gatewayPayments.checkHealth();
    });

    test('unpaid past its hold, the order expires and its codes go back; paid late at BTCPay, it is delivered while the codes are there', async () => {
      const placed = await order();
      const invoice = await invoiceOfOrder(placed.id);
      const before = await available();
      await expire(placed.id);
      assert.equal(await available(), before + 2);
      assert.equal((await chargeOf(placed.id)).status, 'expired');
      fake.expire(invoice.id);
      assert.equal((await fake.deliver('InvoiceExpired', invoice.id, { partiallyPaid: false })).status, 200);
      assert.equal((await lookUp(placed.orderNo)).status, 'expired');
      fake.pay(invoice.id, invoice.amountMinor);
      assert.equal((await fake.deliver('InvoiceReceivedPayment', invoice.id, { afterExpiration: true })).status, 200);
      const revived = await lookUp(placed.orderNo);
      assert.equal(revived.status, 'completed');
      assert.equal(revived.items.length, 2);
      assert.equal((await chargeOf(placed.id)).status, 'late');
    });

    test('paid late when its codes have been sold meanwhile: nothing delivered, the money recorded as owed back', async () => {
      const scarce = await stockedProduct(t.souk, { code: 'LAST-ONE', price: '10.00', currency: 'CNY' }, 1);
      const buy = async () => {
        const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(scarce), quantity: 1, contactEmail: EMAIL, paymentMethod: 'crypto', coin: 'btc' } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json<{ order: ShopOrder }>().order;
      };
      const first = await buy();
      const firstInvoice = await invoiceOfOrder(first.id);
      await expire(first.id);
      const second = await buy();
      fake.settle((await invoiceOfOrder(second.id)).id);
      await fake.deliver('InvoiceSettled', (await invoiceOfOrder(second.id)).id);
      assert.equal((await lookUp(second.orderNo)).status, 'completed');
      fake.expire(firstInvoice.id);
      fake.pay(firstInvoice.id, firstInvoice.amountMinor);
      assert.equal((await fake.deliver('InvoiceReceivedPayment', firstInvoice.id, { afterExpiration: true })).status, 200);
      assert.equal((await lookUp(first.orderNo)).status, 'expired');
      const charge = await chargeOf(first.id);
      assert.deepEqual({ status: charge.status, refund_due: charge.refund_due, refund_status: charge.refund_status }, { status: 'late', refund_due: 1, refund_status: 'owed' });
    });

    test('underpaid: it keeps waiting with the part recorded, then expires and stays listed partial (souk payment list --status partial)', async () => {
      const placed = await order(1);
      const invoice = await invoiceOfOrder(placed.id);
      fake.pay(invoice.id, 500);
      assert.equal((await fake.deliver('InvoiceReceivedPayment', invoice.id)).status, 200);
      let charge = await chargeOf(placed.id);
      assert.deepEqual({ status: charge.status, received: charge.received_units, waiting: charge.waiting }, { status: 'partial', received: '500', waiting: 1 });
      assert.equal((await lookUp(placed.orderNo)).status, 'pending');
      await expire(placed.id);
      fake.expire(invoice.id);
      assert.equal((await fake.deliver('InvoiceExpired', invoice.id, { partiallyPaid: true })).status, 200);
      charge = await chargeOf(placed.id);
      assert.deepEqual({ status: charge.status, received: charge.received_units, waiting: charge.waiting }, { status: 'partial', received: '500', waiting: null });
      assert.equal((await lookUp(placed.orderNo)).status, 'expired');
      const listed = await runCli(['payment', 'list', '--status', 'partial', '--json'], t.env);
      assert.equal(listed.code, 0, listed.stderr);
      const row = (JSON.parse(listed.stdout) as { payments: AdminPayment[] }).payments.find((p) => p.order_id === placed.id);
      assert.deepEqual({ status: row?.status, received: row?.received, amount: row?.amount }, { status: 'partial', received: '5.00', amount: '14.00' });
    });

    test('overpaid: delivered at once, the surplus recorded', async () => {
      const placed = await order(1);
      const invoice = await invoiceOfOrder(placed.id);
      fake.settle(invoice.id, 2000);
      assert.equal((await fake.deliver('InvoiceSettled', invoice.id, { overPaid: true })).status, 200);
      assert.equal((await lookUp(placed.orderNo)).status, 'completed');
      const charge = await chargeOf(placed.id);
      assert.deepEqual({ status: charge.status, received: charge.received_units, expected: charge.expected_units }, { status: 'overpaid', received: '2000', expected: '1400' });
    });

    test('a refund of a paid order becomes one BTCPay pull payment the buyer claims, recorded owed with its page on the timeline', async () => {
      const placed = await order(1);
      const invoice = await invoiceOfOrder(placed.id);
      fake.settle(invoice.id);
      await fake.deliver('InvoiceSettled', invoice.id);
      const refunded = await admin('POST', `/admin/api/orders/${placed.id}/refund`, { reason: 'buyer asked' });
      assert.equal(refunded.statusCode, 200, refunded.body);
      const charge = await chargeOf(placed.id);
      assert.equal(charge.refund_status, 'pending');
      await t.souk.gatewayPayments.refundCharge(charge.id);
      await t.souk.gatewayPayments.refundCharge(charge.id);
      const pulls = fake.pullPayments.filter((p) => p.invoiceId === invoice.id);
      assert.equal(pulls.length, 1);
      assert.deepEqual({ amount: pulls[0]!.amount, currency: pulls[0]!.currency }, { amount: '14.00', currency: 'USD' });
      const after = await chargeOf(placed.id);
      assert.deepEqual({ refund_status: after.refund_status, refund_due: after.refund_due }, { refund_status: 'owed', refund_due: 1 });
      const timeline = await t.souk.db.selectFrom('order_events').select('reason').where('order_id', '=', placed.id).execute();
      assert.ok(timeline.some((e) => e.reason === `btcpay cannot send it back: the refund is owed; the buyer claims it at ${fake.url}/pull-payments/${pulls[0]!.id}`), JSON.stringify(timeline));
      assert.ok(timeline.every((e) => !e.reason?.includes(fake.apiKey)));
      const listed = await admin('GET', '/admin/api/payments?status=paid');
      const record = listed.json<{ payments: AdminPayment[] }>().payments.find((p) => p.id === charge.id);
      assert.equal(record?.refund_status, 'owed');
    });

    test('a customer tops up balance_cny through BTCPay (in USD at the rate) and a reseller its USD wallet on /api/v1: each credited once', async () => {
      const register = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'hodler@example.com', password: 'long enough password' } });
      const token = register.json<{ token: string }>().token;
      const res = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_cny', amount: '70.00', paymentMethod: 'crypto', coin: 'btc' }, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      const topup = res.json<{ topup: { id: string; status: string; amount: string; payment: BtcPayView } }>().topup;
      assert.deepEqual({ amount: topup.amount, paid: topup.payment.amount, currency: topup.payment.currency, coin: topup.payment.coin }, { amount: '70.00', paid: '9.80', currency: 'USD', coin: 'btc' });
      const invoice = fake.invoiceOf(topup.id)!;
      fake.settle(invoice.id);
      await Promise.all(Array.from({ length: 20 }, () => fake.deliver('InvoiceSettled', invoice.id)));
      const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).json<{ user: { balance: number } }>().user;
      assert.equal(me.balance, 70);
      const ledger = await t.souk.db.selectFrom('ledger_entries').select('amount_minor').where('reference', '=', `payment:${topup.id}`).execute();
      assert.deepEqual(ledger.map((e) => Number(e.amount_minor)), [7000]);

      const account = await admin('POST', '/admin/api/accounts', { name: 'BTC reseller', kind: 'reseller', currency: 'USD' });
      assert.equal(account.statusCode, 201, account.body);
      const key = (await admin('POST', `/admin/api/accounts/${account.json().account.id as number}/keys`, {})).json().api_key as string;
      const v1 = await t.app.inject({ method: 'POST', url: '/api/v1/wallet/topups', payload: { amount: '25.00', method: 'crypto', coin: 'btc' }, headers: bearer(key) });
      assert.equal(v1.statusCode, 201, v1.body);
      const resellerTopup = v1.json().topup as { topup_id: string; payment: { amount: string; currency: string; checkout_url?: string } };
      assert.deepEqual({ amount: resellerTopup.payment.amount, currency: resellerTopup.payment.currency }, { amount: '25.00', currency: 'USD' });
      const resellerInvoice = fake.invoiceOf(resellerTopup.topup_id)!;
      fake.settle(resellerInvoice.id);
      // The webhook is lost: the sweep credits it, and the late webhook changes nothing.
      await t.souk.gatewayPayments.lookUpWaiting();
      await fake.deliver('InvoiceSettled', resellerInvoice.id);
      const balance = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) })).json<{ balance: number }>().balance;
      assert.equal(balance, 25);
    });
  });
}

// Own-address crypto payments (issue 18, part 1's "own addresses with exact amounts"), end to end
// through the shop API, the admin API and spawned `souk payment` commands, on SQLite and
// PostgreSQL: an order gets a unique amount and its codes held; a confirmed transfer delivers it
// once; underpaid, overpaid, late and unpaid orders each end as issue 18 part 3 says.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';

const TRON_ADDRESS = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
const BTC_ADDRESS = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const txid = () => randomBytes(32).toString('hex');

interface ShopPayment { method: string; coin: string; address: string; amount: string; received: string; status: string; expiresAt: string; uri: string }
interface ShopOrder { id: string; orderNo: string; status: string; paymentStatus: string; items?: string[]; payment?: ShopPayment }
interface AdminPayment { id: string; order_id: string; amount: string; received: string; surplus: string; status: string; refund_due: boolean }

for (const kind of DATABASE_KINDS) {
  describe(`crypto payments to own addresses (${kind})`, () => {
    let t: TestSouk;
    let productId: number;
    const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: bearer(t.adminKey) });
    const config = async () => (await t.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ paymentMethods: Array<{ name: string; available: boolean }>; coins: Array<{ name: string; available: boolean }> }>();
    const offered = async (name: string) => (await config()).coins.find((c) => c.name === name)!.available;

    async function order(coin = 'trc20_usdt', quantity = 1): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    async function confirm(orderRef: string, amount: string, tx = txid()) {
      const res = await admin('POST', '/admin/api/payments/confirm', { order: orderRef, txid: tx, amount });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ credited: boolean; order_status: string; payment: AdminPayment }>();
    }
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: 'buyer@example.com' }, remoteAddress: `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    const available = async () => (await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow()).stock_available;

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_SHOP_CURRENCY: 'USD' } });
      productId = await stockedProduct(t.souk, { code: 'GIFT-10', price: '10.00', currency: 'USD' }, 60);
    });
    after(async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
    });

    test('crypto is offered only for a coin with an address, and (not USDT) a fresh rate; others are refused 400', async () => {
      assert.equal((await config()).paymentMethods.find((m) => m.name === 'crypto')!.available, false);
      const refused = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: 'a@example.com', paymentMethod: 'crypto', coin: 'trc20_usdt' } });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json<{ error: string }>().error, 'payment_method_unavailable');

      const bad = await admin('PUT', '/admin/api/payments/addresses/trc20_usdt', { address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' });
      assert.equal(bad.statusCode, 400, 'a TRON address with a wrong checksum is refused');
      assert.equal((await admin('PUT', '/admin/api/payments/addresses/trc20_usdt', { address: TRON_ADDRESS })).statusCode, 200);
      assert.equal((await admin('PUT', '/admin/api/payments/addresses/btc', { address: BTC_ADDRESS })).statusCode, 200);
      assert.equal(await offered('trc20_usdt'), true);
      assert.equal((await config()).paymentMethods.find((m) => m.name === 'crypto')!.available, true);
      assert.equal(await offered('erc20_usdt'), false, 'no address');
      assert.equal(await offered('btc'), false, 'no rate');

      await setFxRate({ db: t.souk.db, bus: t.souk.bus }, 'BTC', 'USD', '50000');
      assert.equal(await offered('btc'), true);
      const btc = await order('btc');
      // 10.00 USD at 50 000 USD per BTC: 0.0002 BTC plus 1..999 satoshi.
      const sats = Math.round(Number(btc.payment!.amount) * 1e8);
      assert.ok(sats > 20_000 && sats <= 20_999, btc.payment!.amount);
      assert.equal(btc.payment!.uri, `bitcoin:${BTC_ADDRESS}?amount=${btc.payment!.amount}`);

      // A rate older than SOUK_CRYPTO_RATE_MAX_AGE (15 min) is stale.
      await t.souk.db.updateTable('fx_rates').set({ updated_at: new Date(Date.now() - 16 * 60_000).toISOString() }).where('base', '=', 'BTC').execute();
      assert.equal(await offered('btc'), false);
      const stale = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: 'a@example.com', paymentMethod: 'crypto', coin: 'btc' } });
      assert.equal(stale.json<{ error: string }>().error, 'payment_method_unavailable');
    });

    test('an order answers where and how much to pay, holds its codes, and a confirmed transfer delivers them', async () => {
      const before = await available();
      const placed = await order();
      assert.equal(placed.status, 'pending');
      assert.equal(placed.paymentStatus, 'unpaid');
      const payment = placed.payment!;
      assert.equal(payment.method, 'crypto');
      assert.equal(payment.coin, 'trc20_usdt');
      assert.equal(payment.address, TRON_ADDRESS);
      assert.match(payment.amount, /^10\.000\d{3}$/);
      assert.notEqual(payment.amount, '10.000000');
      assert.match(payment.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(payment.uri, `tron:${TRON_ADDRESS}?amount=${payment.amount}&token=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t`);
      assert.equal(await available(), before - 1, 'the code is held');
      const status = await t.app.inject({ method: 'GET', url: `/api/orders/${placed.orderNo}/status` });
      assert.equal(status.json<{ order: ShopOrder }>().order.payment?.amount, payment.amount);

      const confirmed = await confirm(placed.orderNo, payment.amount);
      assert.equal(confirmed.credited, true);
      assert.equal(confirmed.order_status, 'fulfilled');
      assert.equal(confirmed.payment.status, 'paid');
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.paymentStatus, 'paid');
      assert.equal(delivered.items!.length, 1);
      const audit = await t.souk.db.selectFrom('audit_log').select('action').where('subject', '=', `order:${placed.id}`).execute();
      assert.deepEqual(audit.map((a) => a.action), ['payment.confirm']);
    });

    test('orders placed at once all get different amounts', async () => {
      const orders = await Promise.all(Array.from({ length: 12 }, () => order()));
      const amounts = orders.map((o) => o.payment!.amount);
      assert.equal(new Set(amounts).size, amounts.length, amounts.join(' '));
    });

    test('an unpaid order expires when its hold runs out: its codes go back, its payment is expired', async () => {
      const placed = await order();
      const held = await available();
      await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 3 * 3600_000).toISOString());
      assert.ok((await available()) > held, 'the codes went back on sale');
      assert.equal((await lookUp(placed.orderNo)).status, 'expired');
      const expired = (await admin('GET', '/admin/api/payments?status=expired')).json<{ payments: AdminPayment[] }>().payments;
      assert.ok(expired.some((p) => p.order_id === placed.id));
    });

    test('underpaid: recorded partial, the order waits, then expires and the payment stays listed partial', async () => {
      const placed = await order();
      const part = await confirm(placed.id, '5');
      assert.equal(part.payment.status, 'partial');
      assert.equal(part.order_status, 'awaiting_payment');
      await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 3 * 3600_000).toISOString());
      const partial = (await admin('GET', '/admin/api/payments?status=partial')).json<{ payments: AdminPayment[] }>().payments.find((p) => p.order_id === placed.id);
      assert.equal(partial?.received, '5.000000');
      assert.equal((await lookUp(placed.orderNo)).status, 'expired');
    });

    test('overpaid: delivered, and the surplus recorded', async () => {
      const placed = await order();
      const paid = await confirm(placed.orderNo, '12.5');
      assert.equal(paid.order_status, 'fulfilled');
      assert.equal(paid.payment.status, 'overpaid');
      assert.equal(Number(paid.payment.surplus), Number((12.5 - Number(placed.payment!.amount)).toFixed(6)));
    });

    test('paid after expiry: delivered when the codes are still there', async () => {
      const placed = await order();
      await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 3 * 3600_000).toISOString());
      const late = await confirm(placed.orderNo, placed.payment!.amount);
      assert.equal(late.payment.status, 'late');
      assert.equal(late.payment.refund_due, false);
      assert.equal(late.order_status, 'fulfilled');
      assert.equal((await lookUp(placed.orderNo)).items!.length, 1);
    });

    test('one transfer confirmed 20 times at once, and again for another order, credits once', async () => {
      const first = await order();
      const second = await order();
      const tx = txid();
      const answers = await Promise.all(Array.from({ length: 20 }, () => confirm(first.orderNo, '3', tx)));
      assert.equal(answers.filter((a) => a.credited).length, 1);
      const again = await confirm(second.orderNo, second.payment!.amount, tx.toUpperCase());
      assert.equal(again.credited, false);
      const payments = (await admin('GET', '/admin/api/payments?status=partial')).json<{ payments: AdminPayment[] }>().payments;
      assert.equal(payments.find((p) => p.order_id === first.id)?.received, '3.000000');
      assert.equal((await lookUp(second.orderNo)).status, 'pending');
    });

    test("a customer's crypto top-up to the own address: an exact amount, credited once (20 confirmations at once) in the USD balance, by its id", async () => {
      const registered = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'topper@example.com', password: 'long enough password' } });
      const token = registered.json<{ token: string }>().token;
      const res = await t.app.inject({ method: 'POST', url: '/api/wallet/topups', payload: { balance: 'balance_crypto', amount: '25.00', paymentMethod: 'crypto', coin: 'trc20_usdt' }, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      const topup = res.json<{ topup: { id: string; status: string; amount: string; currency: string; payment: ShopPayment } }>().topup;
      assert.deepEqual([topup.status, topup.amount, topup.currency, topup.payment.coin, topup.payment.address], ['open', '25.00', 'USD', 'trc20_usdt', TRON_ADDRESS]);
      assert.match(topup.payment.amount, /^25\.00[0-9]{4}$/);
      const tx = txid();
      const answers = await Promise.all(Array.from({ length: 20 }, () => confirm(topup.id, topup.payment.amount, tx)));
      assert.equal(answers.filter((a) => a.credited).length, 1);
      assert.equal(answers[0]!.order_status, null);
      const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).json<{ user: { balance_crypto: number } }>().user;
      assert.equal(me.balance_crypto, 25);
      const followed = (await t.app.inject({ method: 'GET', url: `/api/wallet/topups/${topup.id}`, headers: bearer(token) })).json<{ topup: { status: string } }>().topup;
      assert.equal(followed.status, 'paid');
    });

    test('souk payment address set / confirm / list --json', async () => {
      const set = await runCli(['payment', 'address', 'set', '--coin', 'erc20_usdt', '--address', '0xdAC17F958D2ee523a2206206994597C13D831ec7', '--json'], t.env);
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout).address.coin, 'erc20_usdt');
      const wrong = await runCli(['payment', 'address', 'set', '--coin', 'erc20_usdt', '--address', '0xdAC17F958D2ee523a2206206994597C13D831ec8', '--json'], t.env);
      assert.notEqual(wrong.code, 0, 'a broken EIP-55 checksum is refused');
      const placed = await order('erc20_usdt');
      assert.match(placed.payment!.uri, /^ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1\/transfer\?address=0xdAC17F958D2ee523a2206206994597C13D831ec7&uint256=\d+$/);
      const confirmed = await runCli(['payment', 'confirm', placed.orderNo, '--txid', `0x${txid()}`, '--amount', placed.payment!.amount, '--json'], t.env);
      assert.equal(confirmed.code, 0, confirmed.stderr);
      const body = JSON.parse(confirmed.stdout) as { credited: boolean; order_status: string; payment: AdminPayment };
      assert.equal(body.credited, true);
      assert.equal(body.order_status, 'fulfilled');
      assert.equal(body.payment.status, 'paid');
      const listed = await runCli(['payment', 'list', '--status', 'paid', '--json'], t.env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok((JSON.parse(listed.stdout) as { payments: AdminPayment[] }).payments.some((p) => p.order_id === placed.id));
      const addresses = JSON.parse((await runCli(['payment', 'address', 'list', '--json'], t.env)).stdout) as { addresses: Array<{ coin: string }> };
      assert.deepEqual(addresses.addresses.map((a) => a.coin), ['btc', 'erc20_usdt', 'trc20_usdt']);
    });
  });
}

// Chain watchers (issue 18: own-address crypto confirmed automatically), on SQLite and PostgreSQL,
// against fakes of a TronGrid-compatible API and EVM JSON-RPC nodes that check what Souk sends:
// a shop order paid by a transfer is delivered once the transfer has its confirmations and not
// before; underpaid, overpaid and late transfers end as issue 18 part 3 says; one transfer read by
// 20 watcher runs at once credits once; a transfer that pays no invoice is recorded, not credited;
// a node that cannot be reached leaves orders waiting; the schedule runs the watchers; the price
// feed makes a coin priced by rate available.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { orderDeps, stockedProduct } from '../helpers/orders.js';
import { until } from '../helpers/until.js';
import { startFakeTronGrid, tronAddress, TRON_USDT, type FakeTronGrid } from '../fakes/trongrid.js';
import { evmAddress, startFakeEvmNode, type FakeEvmNode } from '../fakes/evm-rpc.js';
import { startFakeCoinGecko } from '../fakes/coingecko.js';
import { checkInvariants, expireUnpaidOrders } from '../../src/core/orders/index.js';
import { COIN_SPECS, decimalToUnits, paymentRecordView, setReceivingAddress } from '../../src/core/payments/providers/crypto/index.js';
import { refreshCoinRates, watchChains, watchEvmChain, watchTron } from '../../src/core/payments/providers/crypto/watchers/index.js';
import { Scheduler } from '../../src/core/jobs/index.js';
import { watchChainsSchedule } from '../../src/worker/schedules/watch-chains.js';
import type { Coin } from '../../src/core/payments/index.js';

interface ShopOrder { id: string; orderNo: string; status: string; paymentStatus: string; items?: string[]; payment?: { amount: string; coin: string; address: string } }
interface AdminPayment { id: string; order_id: string | null; coin: string; amount: string; received: string; surplus: string; status: string; txid: string | null; refund_due: boolean }

const ERC20_USDT = COIN_SPECS.erc20_usdt.contract!;
const BEP20_USDT = COIN_SPECS.bep20_usdt.contract!;
const TRONGRID_KEY = 'tg-key-7f3a9c';
const ETH_CONFIRMATIONS = 12;
const BSC_CONFIRMATIONS = 15;

/** A port nothing listens on: a node that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const kind of DATABASE_KINDS) {
  describe(`chain watchers (${kind})`, () => {
    let t: TestSouk;
    let tron: FakeTronGrid;
    let eth: FakeEvmNode;
    let bsc: FakeEvmNode;
    let productId: number;
    const warnings: string[] = [];
    const addresses: Record<'trc20_usdt' | 'erc20_usdt' | 'bep20_usdt', string> = { trc20_usdt: tronAddress(), erc20_usdt: evmAddress(), bep20_usdt: evmAddress() };
    const deps = () => ({ ...orderDeps(t.souk), log: (message: string, fields: Record<string, string | number | null>) => void warnings.push(`${message} ${JSON.stringify(fields)}`) });
    const admin = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(t.adminKey) });

    // Watched 60 s ahead of the clock, so a transfer made now is past the confirmations' 57 s.
    const runTron = () => watchTron(deps(), { url: tron.url, apiKey: TRONGRID_KEY, confirmations: 19, lookbackMs: 3_600_000 }, Date.now() + 60_000);
    const runEth = () => watchEvmChain(deps(), { chain: 'ethereum', rpcUrl: `${eth.url}/v3/project-secret`, confirmations: ETH_CONFIRMATIONS, lookbackBlocks: 300 });
    const runBsc = () => watchEvmChain(deps(), { chain: 'bsc', rpcUrl: bsc.url, confirmations: BSC_CONFIRMATIONS, lookbackBlocks: 300 });

    async function order(coin: Coin): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { productId: String(productId), quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    const unitsOf = (o: ShopOrder) => decimalToUnits(o.payment!.amount, COIN_SPECS[o.payment!.coin as Coin].decimals)!;
    async function lookUp(orderNo: string): Promise<ShopOrder> {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: 'buyer@example.com' }, remoteAddress: `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order: ShopOrder }>().order;
    }
    /** The order's status as Souk keeps it (awaiting_payment, fulfilled, expired …): read often, unlike the rate-limited shop lookup. */
    const statusOf = async (orderId: string) => (await t.souk.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
    async function paymentOf(orderId: string): Promise<AdminPayment> {
      return paymentRecordView(await t.souk.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow());
    }

    before(async () => {
      tron = await startFakeTronGrid({ apiKey: TRONGRID_KEY });
      eth = await startFakeEvmNode({ head: 5000, maxRange: 100 });
      bsc = await startFakeEvmNode({ head: 90_000 });
      t = await startTestSouk(kind, {
        env: { SOUK_SHOP_CURRENCY: 'USD', SOUK_TRONGRID_URL: tron.url, SOUK_TRONGRID_API_KEY: TRONGRID_KEY, SOUK_ETH_RPC_URL: eth.url, SOUK_BSC_RPC_URL: bsc.url, SOUK_BSC_CONFIRMATIONS: String(BSC_CONFIRMATIONS) },
      });
      productId = await stockedProduct(t.souk, { code: 'GIFT-10', price: '10.00', currency: 'USD' }, 80);
      for (const [coin, address] of Object.entries(addresses)) await setReceivingAddress(t.souk.db, coin, address, 'test');
    });
    after(async () => {
      assert.deepEqual(tron.problems, [], 'TronGrid saw nothing it would refuse');
      assert.deepEqual(eth.problems, [], 'the Ethereum node saw nothing it would refuse');
      assert.deepEqual(bsc.problems, [], 'the BNB Chain node saw nothing it would refuse');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      await t.close();
      await Promise.all([tron.close(), eth.close(), bsc.close()]);
    });

    test('TRON: a USDT transfer is credited once TronGrid lists it confirmed, and the codes are delivered', async () => {
      const placed = await order('trc20_usdt');
      const sent = tron.addTransfer({ to: addresses.trc20_usdt, units: unitsOf(placed), confirmed: false });
      // Outgoing transfers and other tokens are listed by TronGrid too (without its filters): never credited.
      tron.addTransfer({ to: tronAddress(), from: addresses.trc20_usdt, units: unitsOf(placed), confirmed: true });
      assert.equal((await runTron()).credited, 0);
      assert.equal(await statusOf(placed.id), 'awaiting_payment', 'not confirmed yet');

      tron.confirm(sent.transaction_id);
      const report = await runTron();
      assert.equal(report.credited, 1);
      const delivered = await lookUp(placed.orderNo);
      assert.equal(delivered.status, 'completed');
      assert.equal(delivered.items!.length, 1);
      const paid = await paymentOf(placed.id);
      assert.equal(paid.status, 'paid');
      assert.equal(paid.txid, null);
      const audit = await t.souk.db.selectFrom('audit_log').select(['actor', 'action']).where('subject', '=', `order:${placed.id}`).execute();
      assert.deepEqual(audit, [{ actor: 'watcher:tron', action: 'payment.confirm' }]);

      const asked = tron.requests.filter((r) => r.path === `/v1/accounts/${addresses.trc20_usdt}/transactions/trc20`);
      assert.ok(asked.length >= 2);
      for (const r of asked) {
        assert.equal(r.apiKey, TRONGRID_KEY);
        assert.equal(r.query.only_confirmed, 'true');
        assert.equal(r.query.only_to, 'true');
        assert.equal(r.query.contract_address, TRON_USDT);
      }
      assert.equal((await runTron()).credited, 0, 'read again, it credits nothing');
    });

    test('TRON: a confirmed transfer younger than the required confirmations (19 blocks of 3 s) waits for them', async () => {
      const placed = await order('trc20_usdt');
      const now = Date.now();
      tron.addTransfer({ to: addresses.trc20_usdt, units: unitsOf(placed), confirmed: true, at: now - 30_000 });
      const early = await watchTron(deps(), { url: tron.url, apiKey: TRONGRID_KEY, confirmations: 19, lookbackMs: 3_600_000 }, now);
      assert.equal(early.credited, 0);
      assert.equal(tron.requests.at(-1)!.query.max_timestamp, String(now - 19 * 3000), 'nothing newer than 57 s is asked for');
      assert.equal(await statusOf(placed.id), 'awaiting_payment');
      const later = await watchTron(deps(), { url: tron.url, apiKey: TRONGRID_KEY, confirmations: 19, lookbackMs: 3_600_000 }, now + 30_000);
      assert.equal(later.credited, 1);
      assert.equal(await statusOf(placed.id), 'fulfilled');
    });

    test('TRON: pages are followed through meta.fingerprint', async () => {
      const placed = await order('trc20_usdt');
      // 410 small unrelated transfers first: the order's is on the third page of 200.
      const past = Date.now() - 1000;
      for (let i = 0; i < 410; i++) tron.addTransfer({ to: addresses.trc20_usdt, units: 1n + BigInt(i), confirmed: true, at: past });
      tron.addTransfer({ to: addresses.trc20_usdt, units: unitsOf(placed), confirmed: true });
      const before = tron.requests.length;
      const report = await runTron();
      assert.equal(report.credited, 1);
      assert.ok(tron.requests.slice(before).some((r) => r.query.fingerprint !== undefined), 'a later page was asked for');
      assert.equal(await statusOf(placed.id), 'fulfilled');
      // Each unrelated transfer is recorded once for the admin.
      assert.equal(report.unmatched, 410);
      assert.equal((await runTron()).unmatched, 0);
    });

    test('Ethereum: delivered at exactly the required confirmations, not one block before; a too-wide range is split', async () => {
      const placed = await order('erc20_usdt');
      eth.addTransfer({ token: ERC20_USDT, to: addresses.erc20_usdt, units: unitsOf(placed) });
      eth.mine(ETH_CONFIRMATIONS - 1);
      await runEth();
      assert.equal(await statusOf(placed.id), 'awaiting_payment', `${ETH_CONFIRMATIONS - 1} confirmations are not enough`);
      eth.mine(1);
      const report = await runEth();
      assert.equal(report.credited, 1);
      assert.equal(await statusOf(placed.id), 'fulfilled');
      assert.ok(eth.refusals > 0, 'the first run asked a range the node refused, and split it');
      const logCalls = eth.calls.filter((c) => c.method === 'eth_getLogs');
      for (const { params } of logCalls) {
        const filter = params[0] as { address: string; topics: unknown[] };
        assert.equal(filter.address, ERC20_USDT.toLowerCase());
        assert.deepEqual(filter.topics[2], [`0x${'0'.repeat(24)}${addresses.erc20_usdt.slice(2)}`]);
      }
      const audit = await t.souk.db.selectFrom('audit_log').select('actor').where('subject', '=', `order:${placed.id}`).execute();
      assert.deepEqual(audit.map((a) => a.actor), ['watcher:ethereum']);
    });

    test('BNB Chain (18 decimals): an underpaid transfer names no order: the order waits, the transfer is recorded, and the admin credits it as partial', async () => {
      const placed = await order('bep20_usdt');
      const txid = bsc.addTransfer({ token: BEP20_USDT, to: addresses.bep20_usdt, units: unitsOf(placed) / 2n });
      bsc.mine(BSC_CONFIRMATIONS);
      const report = await runBsc();
      assert.deepEqual([report.credited, report.unmatched], [0, 1]);
      assert.equal(await statusOf(placed.id), 'awaiting_payment');
      const recorded = (await admin('/admin/api/payments?status=unmatched')).json<{ payments: AdminPayment[] }>().payments.find((p) => p.coin === 'bep20_usdt');
      assert.equal(decimalToUnits(recorded!.received, 18), unitsOf(placed) / 2n);
      assert.equal(recorded!.txid, txid, 'the admin sees which transfer to credit');

      const confirmed = await t.app.inject({ method: 'POST', url: '/admin/api/payments/confirm', headers: bearer(t.adminKey), payload: { order: placed.orderNo, txid: recorded!.txid, amount: recorded!.received } });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      const payment = await paymentOf(placed.id);
      assert.equal(payment.status, 'partial');
      assert.equal(decimalToUnits(payment.received, 18), unitsOf(placed) / 2n);
      assert.equal(await statusOf(placed.id), 'awaiting_payment', 'a partial payment keeps the order waiting');
      const left = (await admin('/admin/api/payments?status=unmatched')).json<{ payments: AdminPayment[] }>().payments.filter((p) => p.coin === 'bep20_usdt');
      assert.deepEqual(left, [], 'credited, the transfer is no longer listed as unmatched');
    });

    test('overpaid: a buyer who pays the exact amount twice gets the order once, and the surplus is recorded', async () => {
      const placed = await order('erc20_usdt');
      eth.addTransfer({ token: ERC20_USDT, to: addresses.erc20_usdt, units: unitsOf(placed) });
      eth.mine(1);
      eth.addTransfer({ token: ERC20_USDT, to: addresses.erc20_usdt, units: unitsOf(placed) });
      eth.mine(ETH_CONFIRMATIONS);
      assert.equal((await runEth()).credited, 2);
      assert.equal(await statusOf(placed.id), 'fulfilled');
      const payment = await paymentOf(placed.id);
      assert.equal(payment.status, 'overpaid');
      assert.equal(decimalToUnits(payment.surplus, 6), unitsOf(placed));
      assert.equal(payment.refund_due, false);
    });

    test('paid after expiry: the late transfer finds the ended invoice and revives the order', async () => {
      const placed = await order('trc20_usdt');
      await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 3 * 3600_000).toISOString());
      assert.equal(await statusOf(placed.id), 'expired');
      tron.addTransfer({ to: addresses.trc20_usdt, units: unitsOf(placed), confirmed: true });
      assert.equal((await runTron()).credited, 1);
      const payment = await paymentOf(placed.id);
      assert.equal(payment.status, 'late');
      assert.equal(payment.refund_due, false);
      const revived = await lookUp(placed.orderNo);
      assert.equal(revived.status, 'completed');
      assert.equal(revived.items!.length, 1);
    });

    test('one transfer read by 20 watcher runs at once credits once', async () => {
      const placed = await order('erc20_usdt');
      const txid = eth.addTransfer({ token: ERC20_USDT, to: addresses.erc20_usdt, units: unitsOf(placed) });
      eth.mine(ETH_CONFIRMATIONS);
      const reports = await Promise.all(Array.from({ length: 20 }, () => runEth()));
      assert.equal(reports.reduce((sum, r) => sum + r.credited, 0), 1);
      const receipts = await t.souk.db.selectFrom('payment_receipts').selectAll().where('txid', '=', txid).execute();
      assert.equal(receipts.length, 1);
      assert.equal(await statusOf(placed.id), 'fulfilled');
      const audit = await t.souk.db.selectFrom('audit_log').select('action').where('subject', '=', `order:${placed.id}`).execute();
      assert.equal(audit.length, 1);
    });

    test('a transfer of an amount no invoice asks credits nothing: it is recorded once for the admin', async () => {
      const txid = bsc.addTransfer({ token: BEP20_USDT, to: addresses.bep20_usdt, units: 7_777_777n * 10n ** 12n });
      bsc.mine(BSC_CONFIRMATIONS);
      warnings.length = 0;
      const reports = await Promise.all(Array.from({ length: 10 }, () => runBsc()));
      assert.equal(reports.reduce((sum, r) => sum + r.unmatched, 0), 1);
      assert.equal(reports.reduce((sum, r) => sum + r.credited, 0), 0);
      const unmatched = (await admin('/admin/api/payments?status=unmatched')).json<{ payments: AdminPayment[] }>().payments.filter((p) => p.coin === 'bep20_usdt');
      assert.equal(unmatched.length, 1);
      assert.equal(unmatched[0]!.order_id, null);
      assert.equal(unmatched[0]!.received, '7.777777');
      assert.equal(unmatched[0]!.txid, txid);
      assert.equal((await t.souk.db.selectFrom('payment_receipts').select('id').where('txid', '=', txid).execute()).length, 0, 'never credited');
      const audit = await t.souk.db.selectFrom('audit_log').select(['actor', 'detail']).where('action', '=', 'payment.unmatched').where('detail', 'like', `%${txid}%`).execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, 'watcher:bsc');
      assert.equal(warnings.filter((w) => w.includes(txid)).length, 1);
    });

    test('a node that cannot be reached leaves the order waiting, warns without its key, and the next round delivers', async () => {
      const placed = await order('erc20_usdt');
      eth.addTransfer({ token: ERC20_USDT, to: addresses.erc20_usdt, units: unitsOf(placed) });
      eth.mine(ETH_CONFIRMATIONS);
      const port = await closedPort();
      warnings.length = 0;
      const settings = { ...t.souk.config.chains, tronGridUrl: undefined, bscRpcUrl: undefined, ethRpcUrl: `http://127.0.0.1:${port}/v3/project-secret-key` };
      assert.deepEqual(await watchChains(deps(), settings, 1800), []);
      assert.equal(await statusOf(placed.id), 'awaiting_payment');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /ethereum/);
      assert.doesNotMatch(warnings[0]!, /project-secret-key/);

      eth.down = true;
      await watchChains(deps(), { ...settings, ethRpcUrl: eth.url }, 1800);
      assert.equal(await statusOf(placed.id), 'awaiting_payment', 'a node answering 503 changes nothing');
      eth.down = false;
      const [report] = await watchChains(deps(), { ...settings, ethRpcUrl: eth.url }, 1800);
      assert.equal(report!.credited, 1);
      assert.equal(await statusOf(placed.id), 'fulfilled');
    });

    test('the payments.watch-chains schedule runs the watchers', async () => {
      const placed = await order('bep20_usdt');
      bsc.addTransfer({ token: BEP20_USDT, to: addresses.bep20_usdt, units: unitsOf(placed) });
      bsc.mine(BSC_CONFIRMATIONS);
      const errors: unknown[] = [];
      const scheduler = new Scheduler({ db: t.souk.db, context: t.souk, schedules: [watchChainsSchedule(100)], onError: (error) => errors.push(error) });
      scheduler.start();
      try {
        await until(() => statusOf(placed.id), (status) => status === 'fulfilled', 'the scheduled watcher delivers the order');
      } finally {
        await scheduler.stop();
      }
      assert.deepEqual(errors, []);
    });

    test('the price feed writes BTC, ETH, TRX and BNB rates, and a coin priced by rate is offered', async () => {
      const feed = await startFakeCoinGecko({ bitcoin: 97_000.5, ethereum: 3500.25, tron: 0.2451, binancecoin: 610 });
      try {
        await setReceivingAddress(t.souk.db, 'trx', addresses.trc20_usdt, 'test');
        const coins = async () => (await t.app.inject({ method: 'GET', url: '/api/payment-config' })).json<{ coins: Array<{ name: string; available: boolean }> }>().coins;
        assert.equal((await coins()).find((c) => c.name === 'trx')!.available, false, 'no rate yet');
        const written = await refreshCoinRates({ db: t.souk.db, bus: t.souk.bus }, feed.url);
        assert.deepEqual(written.sort(), ['BNB', 'BTC', 'ETH', 'TRX']);
        assert.deepEqual(feed.problems, []);
        const rates = await t.souk.db.selectFrom('fx_rates').select(['base', 'rate']).where('quote', '=', 'USD').where('base', 'in', ['BTC', 'TRX']).orderBy('base').execute();
        assert.deepEqual(rates.map((r) => [r.base, Number(r.rate)]), [['BTC', 97_000.5], ['TRX', 0.2451]]);
        assert.equal((await coins()).find((c) => c.name === 'trx')!.available, true);
      } finally {
        await feed.close();
      }
    });
  });
}

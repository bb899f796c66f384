// Two Souks chained on 127.0.0.1 (A, a real `souk serve` process, upstream of B), with a
// misbehaving hop between them (test/helpers/faulty-upstream.ts) that passes B's calls to A and,
// when told, lets A take an order and then loses the answer. What must hold: A killed after taking
// B's orders and started again at the same address, B finds them by our reference and delivers
// them, and A holds one order each; A answering 500 after it bought, the same; a dialect that
// cannot look an order up (store, shop, and the smm panel) leaves it processing for a person with
// an api_failures row `needs_attention`, never a second create, and a person's "not bought"
// rejects and refunds it. No credential shows in api_failures or in any log line. `souk doctor`
// finds nothing on either side after all of it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startFakeSmm, type FakeSmm } from '../helpers/fake-smm.js';
import { startFaultyUpstream, type Fault, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { balanceOf, fund, orderDeps } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import {
  accountOnA,
  API_PATH,
  captureUpstreamLog,
  driveRounds,
  driveUntil,
  ledgerOf,
  lineSink,
  orderDebitsOf,
  orderOnA,
  orderOnB,
  ordersOf,
  productOnA,
  refOnA,
  secretsOf,
  SOUK_DIALECTS,
  startChainUpstream,
  statusOnB,
  type AccountOnA,
  type ChainUpstream,
  type ProductOnA,
  type SoukDialect,
} from '../helpers/upstream-chain.js';
import { checkInvariants, fulfilManualOrder } from '../../src/core/orders/index.js';
import { readRun } from '../../src/core/steps/index.js';
import { FORWARD_WORKFLOW } from '../../src/core/upstream/index.js';

// A short wait at placement: an order whose answer is lost answers `processing` soon, and the run goes on.
const B_ENV = { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_TIMEOUT_MS: '5000', SOUK_UPSTREAM_WAIT_MS: '1000' };
const LINK = 'https://instagram.com/souk.example';

interface Seeded {
  accounts: Record<SoukDialect, AccountOnA>;
  products: Record<SoukDialect, ProductOnA>;
}

/** A create: a POST to the orders collection of any of A's APIs. */
const isCreate = (request: { method: string; url: string }) => request.method === 'POST' && /\/orders(\?|$)/.test(request.url);

for (const kind of DATABASE_KINDS) {
  describe(`two Souks chained through a faulty hop, A killed and answering 500 (${kind})`, () => {
    let a: ChainUpstream & { seeded: Seeded };
    let b: TestSouk;
    let hop: FaultyUpstream;
    let panel: FakeSmm;
    let buyer: TestReseller;
    let log: ReturnType<typeof captureUpstreamLog>;
    const serverLog = lineSink();
    const providers = {} as Record<SoukDialect | 'smm', number>;
    const imported = {} as Record<SoukDialect | 'smm', string>;
    let serial = 0;
    const reference = () => `fault-${kind}-${++serial}`;
    /** The next create through the hop meets `fault`; everything else passes. */
    const nextCreate = (fault: Fault) => {
      let armed = true;
      hop.plan = (request) => (armed && isCreate(request) ? ((armed = false), fault) : { kind: 'pass' });
    };
    const createsSeen = () => hop.requests.filter(isCreate).length;
    const forwarded = (orderId: string) => b.souk.db.selectFrom('upstream_orders').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const needsAttention = async (orderId: string) =>
      (await b.souk.db.selectFrom('api_failures').select('id').where('order_id', '=', orderId).where('error_code', '=', 'needs_attention').execute()).length;
    /** Places an order on B for the product imported through `dialect`. */
    const place = (dialect: SoukDialect | 'smm') =>
      orderOnB(b, buyer.apiKey, { product: imported[dialect], quantity: 1, client_order_id: reference(), ...(dialect === 'smm' ? { fields: { link: LINK } } : {}) });

    before(async () => {
      log = captureUpstreamLog();
      a = await startChainUpstream(kind, async (souk) => {
        const accounts = {} as Seeded['accounts'];
        const products = {} as Seeded['products'];
        for (const dialect of SOUK_DIALECTS) {
          accounts[dialect] = await accountOnA(souk, dialect, 100_000, `Faulty B via ${dialect}`);
          products[dialect] = await productOnA(souk, `FX-${dialect.toUpperCase()}`, '3.00', 20);
        }
        return { accounts, products };
      });
      hop = await startFaultyUpstream({ target: a.origin });
      panel = await startFakeSmm();
      b = await startTestSouk(kind, { env: B_ENV, logStream: serverLog.stream });
      buyer = await createReseller(b.souk, { name: 'B buyer' });
      await fund(b.souk, buyer.accountId, 100_000);
      for (const dialect of SOUK_DIALECTS) {
        const provider = await b.souk.upstream.add({ name: `A (${dialect}) via the hop`, url: `${hop.origin}${API_PATH[dialect]}`, dialect, ...a.seeded.accounts[dialect].credentials });
        providers[dialect] = provider.id;
        imported[dialect] = (await b.souk.upstream.import(provider.id, [{ ref: refOnA(dialect, a.seeded.products[dialect]) }]))[0]!.code;
      }
      providers.smm = (await b.souk.upstream.add({ name: 'Panel', url: panel.url, dialect: 'smm', key: panel.key })).id;
      imported.smm = (await b.souk.upstream.import(providers.smm, [{ ref: '1' }]))[0]!.code;
    });

    after(async () => {
      log?.stop();
      await b?.close();
      await hop?.close();
      await panel?.close();
      await a?.close();
    });

    /** What B and A say of one of B's orders after it was delivered: one order on A with exactly its codes, one debit on each side. */
    async function assertDeliveredOnce(dialect: SoukDialect, orderId: string, before: { aOrders: number; aDebits: number }) {
      const row = await forwarded(orderId);
      assert.equal(row.state, 'delivered');
      const sold = await orderOnA(a, row.upstream_order_id!);
      const account = a.seeded.accounts[dialect].accountId;
      assert.equal(sold.account_id, account);
      assert.equal((await ordersOf(a.souk, account)).length, before.aOrders + 1, `A holds one order for B's ${dialect} order`);
      assert.equal(await orderDebitsOf(a.souk, account), before.aDebits + 1, `A debited once for B's ${dialect} order`);
      const items = await b.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', orderId).execute();
      assert.deepEqual(items.map((i) => b.souk.vault.open(i.code_enc)).sort(), sold.codes);
      assert.deepEqual((await ledgerOf(b.souk, orderId)).map((e) => e.kind), ['order']);
    }

    const countsOnA = async (dialect: SoukDialect) => {
      const account = a.seeded.accounts[dialect].accountId;
      return { aOrders: (await ordersOf(a.souk, account)).length, aDebits: await orderDebitsOf(a.souk, account) };
    };

    test('A killed after it took B’s orders, before they were answered: once A is back at its address, B finds the souk and partner orders by our reference, A holds one order each; the store and shop orders wait for a person, never bought twice', async () => {
      const before = Object.fromEntries(await Promise.all(SOUK_DIALECTS.map(async (d) => [d, await countsOnA(d)] as const))) as Record<SoukDialect, { aOrders: number; aDebits: number }>;
      const creates = createsSeen();
      // Every create reaches A, which takes it; its answer never comes back.
      hop.plan = (request) => (isCreate(request) ? { kind: 'pass_then', then: { kind: 'silence' } } : { kind: 'pass' });
      const placed = {} as Record<SoukDialect, string>;
      for (const dialect of SOUK_DIALECTS) placed[dialect] = (await place(dialect)).order_id;
      await until(
        async () => Promise.all(SOUK_DIALECTS.map(async (d) => (await countsOnA(d)).aOrders - before[d].aOrders)),
        (taken) => taken.every((n) => n === 1),
        'A took the four orders',
      );
      assert.equal(createsSeen(), creates + 4);
      await a.kill();
      hop.plan = () => ({ kind: 'pass' });
      // B's calls run out (unknown outcome); while A is down, lookups fail and nothing is created again.
      await until(
        () => Promise.all(SOUK_DIALECTS.map((d) => forwarded(placed[d]))),
        (rows) => rows.every((r) => r.state === 'sending' && /no answer/.test(r.last_error ?? '')),
        "B's creates ran out",
      );
      await driveRounds(b, Object.values(placed));
      for (const dialect of SOUK_DIALECTS) assert.equal(await statusOnB(b, placed[dialect]), 'processing');
      assert.equal(createsSeen(), creates + 4, 'no create while A is down');

      await a.start();
      for (const dialect of ['souk', 'partner'] as const) {
        await driveUntil(b, `B's ${dialect} order found and delivered`, async () => (await statusOnB(b, placed[dialect])) === 'fulfilled', placed[dialect]);
        await assertDeliveredOnce(dialect, placed[dialect], before[dialect]);
      }
      // Store and shop cannot find an order by our reference: each waits for a person.
      for (const dialect of ['store', 'shop'] as const) {
        await driveUntil(b, `B's ${dialect} order stuck`, async () => (await needsAttention(placed[dialect])) === 1, placed[dialect]);
        assert.equal((await forwarded(placed[dialect])).state, 'stuck');
      }
      await driveRounds(b, [placed.store, placed.shop]);
      assert.equal(createsSeen(), creates + 4, 'never a second create');
      for (const dialect of ['store', 'shop'] as const) {
        assert.equal(await statusOnB(b, placed[dialect]), 'processing');
        assert.equal(await needsAttention(placed[dialect]), 1, 'said once');
        // The person finds the order on A and delivers its codes by hand; the run then ends.
        const onA = await a.souk.db.selectFrom('orders').select('id').where('account_id', '=', a.seeded.accounts[dialect].accountId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
        const sold = await orderOnA(a, onA.id);
        assert.equal((await ordersOf(a.souk, a.seeded.accounts[dialect].accountId)).length, before[dialect].aOrders + 1, `A holds one order for B's ${dialect} order`);
        await fulfilManualOrder(orderDeps(b.souk), placed[dialect], sold.codes, 'admin:test');
        await driveUntil(b, `B's ${dialect} run ends`, async () => (await forwarded(placed[dialect])).state === 'delivered', placed[dialect]);
        assert.deepEqual((await ledgerOf(b.souk, placed[dialect])).map((e) => e.kind), ['order']);
      }
    });

    for (const dialect of ['souk', 'partner'] as const) {
      test(`${dialect}: A answering 500 after it bought: B looks the order up and delivers it, A holds one order`, async () => {
        const before = await countsOnA(dialect);
        const creates = createsSeen();
        nextCreate({ kind: 'pass_then', then: { kind: 'answer', status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal"}' } });
        const placed = await place(dialect);
        await driveUntil(b, `B's ${dialect} order delivered after a 500`, async () => (await statusOnB(b, placed.order_id)) === 'fulfilled', placed.order_id);
        assert.equal(createsSeen(), creates + 1, 'one create');
        const committed = hop.relayed.at(-1)!.status;
        assert.ok(committed >= 200 && committed < 300, `A took the order (${committed}) before the hop answered 500`);
        await assertDeliveredOnce(dialect, placed.order_id, before);
        const failures = await b.souk.db.selectFrom('api_failures').select(['operation', 'status']).where('order_id', '=', placed.order_id).execute();
        assert.deepEqual(failures, [{ operation: 'create-order', status: 500 }]);
      });
    }

    for (const dialect of ['souk', 'partner'] as const) {
      test(`${dialect}: a create lost before it reached A is looked up, found absent, and sent again with the same reference: one order on A`, async () => {
        const before = await countsOnA(dialect);
        const creates = createsSeen();
        nextCreate({ kind: 'hang_up' });
        const placed = await place(dialect);
        await driveUntil(b, `B's ${dialect} order delivered after a lost create`, async () => (await statusOnB(b, placed.order_id)) === 'fulfilled', placed.order_id);
        const sent = hop.requests.filter(isCreate).slice(creates);
        assert.equal(sent.length, 2, 'the lost create, then one more');
        assert.equal(sent[0]!.body, sent[1]!.body, 'the same request, with the same reference');
        assert.ok(sent[0]!.body.includes(placed.order_id), 'our order id is the reference');
        await assertDeliveredOnce(dialect, placed.order_id, before);
      });
    }

    for (const dialect of ['store', 'shop', 'smm'] as const) {
      test(`${dialect}: an outcome B cannot look up leaves the order processing with needs_attention, never a second create; resolved as not bought, it is rejected and refunded`, async () => {
        const creates = dialect === 'smm' ? panel.count('add') : createsSeen();
        const before = dialect === 'smm' ? undefined : await countsOnA(dialect);
        const balance = await balanceOf(b.souk, buyer.accountId);
        // The request is lost on its way (the hop hangs up without passing it; the panel drops it).
        if (dialect === 'smm') panel.misbehave({ kind: 'drop', carryOut: false, action: 'add' });
        else nextCreate({ kind: 'hang_up' });
        const placed = await place(dialect);
        await driveUntil(b, `B's ${dialect} order stuck`, async () => (await needsAttention(placed.order_id)) === 1, placed.order_id);
        await driveRounds(b, [placed.order_id]);
        assert.equal(await statusOnB(b, placed.order_id), 'processing');
        assert.equal((await forwarded(placed.order_id)).state, 'stuck');
        assert.equal(await needsAttention(placed.order_id), 1);
        assert.equal(dialect === 'smm' ? panel.count('add') : createsSeen(), creates + 1, 'never a second create');
        if (before && dialect !== 'smm') assert.deepEqual(await countsOnA(dialect), before, 'A took nothing');

        await b.souk.upstream.resolveNotBought(placed.order_id, 'admin:test');
        assert.equal(await statusOnB(b, placed.order_id), 'rejected');
        assert.equal((await forwarded(placed.order_id)).state, 'failed');
        const ledger = await ledgerOf(b.souk, placed.order_id);
        assert.deepEqual(ledger.map((e) => e.kind), ['order', 'refund']);
        assert.equal(await balanceOf(b.souk, buyer.accountId), balance);
      });
    }

    test('souk: a buyer who cancels while the provider asked us to wait (429) gets the money back, and the next try buys nothing', async () => {
      const before = await countsOnA('souk');
      const creates = createsSeen();
      const balance = await balanceOf(b.souk, buyer.accountId);
      nextCreate({ kind: 'answer', status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: '{"ok":false,"error":"rate_limited"}' });
      const placed = await place('souk');
      await until(
        () => b.souk.db.selectFrom('upstream_orders').select(['state', 'last_error']).where('order_id', '=', placed.order_id).executeTakeFirst(),
        (row) => row?.state === 'new' && row.last_error !== null,
        'the provider asked us to try later',
      );
      // Nothing is under way upstream: the buyer may cancel, and is refunded.
      const cancelled = await b.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.order_id}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      await driveRounds(b, [placed.order_id]);
      assert.equal(createsSeen(), creates + 1, 'no create after the cancel');
      assert.deepEqual(await countsOnA('souk'), before, 'A took nothing');
      assert.equal(await statusOnB(b, placed.order_id), 'cancelled');
      assert.equal((await forwarded(placed.order_id)).state, 'failed');
      assert.deepEqual((await ledgerOf(b.souk, placed.order_id)).map((e) => e.kind), ['order', 'refund']);
      assert.equal(await balanceOf(b.souk, buyer.accountId), balance);
      assert.equal((await readRun(b.souk.db, FORWARD_WORKFLOW, placed.order_id))?.status, 'compensated', 'the run is over');
    });

    test("souk: an upstream that echoes our key in its refusal: the order is rejected and refunded, and the key is recorded nowhere", async () => {
      const key = a.seeded.accounts.souk.credentials.key!;
      nextCreate({ kind: 'answer', status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: false, error: 'unauthorized', message: `The API key ${key} is not valid here.` }) });
      const placed = await place('souk');
      await driveUntil(b, "B's order rejected", async () => (await statusOnB(b, placed.order_id)) === 'rejected', placed.order_id);
      assert.deepEqual((await ledgerOf(b.souk, placed.order_id)).map((e) => e.kind), ['order', 'refund']);
      const rows = await b.souk.db.selectFrom('api_failures').selectAll().where('order_id', '=', placed.order_id).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.error_code, 'unauthorized');
      assert.ok(!JSON.stringify(rows).includes(key), `the key was recorded: ${rows[0]!.request_excerpt}`);
      assert.ok(!log.lines.join('').includes(key), 'the key was logged');
      assert.ok(!(await b.souk.db.selectFrom('upstream_orders').select('last_error').where('order_id', '=', placed.order_id).executeTakeFirstOrThrow()).last_error?.includes(key));
    });

    test('no credential B holds for A or the panel appears in api_failures or in a log line', async () => {
      const secrets = [...secretsOf(Object.values(a.seeded.accounts)), panel.key];
      const rows = await b.souk.db.selectFrom('api_failures').selectAll().execute();
      assert.ok(rows.length > 0 && log.lines.length > 0, 'the faults were recorded and logged');
      // B's records and logs, and A's log too (it was sent every one of them).
      const recorded = JSON.stringify(rows) + log.lines.join('') + serverLog.lines.join('') + (a.process?.output() ?? '');
      for (const secret of secrets) assert.ok(!recorded.includes(secret), `a credential (${secret.slice(0, 6)}…) was recorded`);
    });

    test('souk doctor finds nothing wrong on B or on A after all of it', async () => {
      assert.deepEqual(await checkInvariants(b.souk.db), []);
      const doctor = await runCli(['doctor', '--json'], a.env);
      assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      assert.deepEqual(JSON.parse(doctor.stdout), { ok: true, violations: [] });
    });
  });
}

// Which events are written, with what, and when: product updates (price and status at once, stock
// coalesced), wallet credits, the admin's status changes; and the circuit breaker.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { createProduct, updateProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { announceStockChanges, wakeDispatchers } from '../../src/core/events/index.js';
import { claimDeliveries, createWebhookEndpoint, fanOutEvents, getWebhookEndpoint } from '../../src/core/webhooks/index.js';
import { openSouk, type Souk } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { placeOrder } from '../../src/core/orders/index.js';
import { until } from '../helpers/until.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

/** A receiver that answers at once or holds every request until the test releases it, counting those open at once. */
interface HoldingReceiver {
  url: string;
  /** The webhook-id of every request, in the order they came. */
  arrived: string[];
  /** The webhook-ids answered 2xx. */
  delivered: string[];
  /** The most requests open at one moment since the last resetMostOpen(). */
  mostOpen(): number;
  resetMostOpen(): void;
  /** How later requests are answered: at once with this status, or held until release(). */
  answer(how: number | 'hold'): void;
  /** Answers every held request with `status`. */
  release(status: number): void;
  close(): Promise<void>;
}

async function startHoldingReceiver(): Promise<HoldingReceiver> {
  let how: number | 'hold' = 500;
  let open = 0;
  let most = 0;
  const held: Array<(status: number) => void> = [];
  const arrived: string[] = [];
  const delivered: string[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      arrived.push(id);
      most = Math.max(most, ++open);
      const reply = (status: number) => {
        open -= 1;
        if (status >= 200 && status < 300) delivered.push(id);
        response.writeHead(status, { 'content-type': 'text/plain' }).end('noted');
      };
      if (how === 'hold') held.push(reply);
      else reply(how);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrived,
    delivered,
    mostOpen: () => most,
    resetMostOpen: () => (most = open),
    answer: (next) => (how = next),
    release(status) {
      for (const reply of held.splice(0)) reply(status);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const kind of DATABASE_KINDS) {
  describe(`what the outbox records (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    const outbox = (type: string) => t.souk.db.selectFrom('outbox_events').selectAll().where('type', '=', type).orderBy('id').execute();

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk, { name: 'Watcher' });
      await fund(t.souk, buyer.accountId, 50_000);
    });
    after(() => t.close());

    test('a price or status change writes one product.updated with the new values; other edits write none', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-1', price: '2.00' }, 3);
      const before = (await outbox('product.updated')).length;
      await updateProduct(stockDeps(t.souk), id, { description: { en: 'Nicer words' } });
      assert.equal((await outbox('product.updated')).length, before);
      const res = await t.app.inject({ method: 'PATCH', url: `/admin/api/products/${id}`, headers: bearer(t.adminKey), payload: { price: '2.50' } });
      assert.equal(res.statusCode, 200, res.body);
      await updateProduct(stockDeps(t.souk), id, { status: 'inactive' });
      const events = (await outbox('product.updated')).slice(before);
      assert.equal(events.length, 2);
      assert.equal(events[0]!.account_id, null, 'every account may hear of it');
      assert.deepEqual(JSON.parse(events[0]!.payload), { product: { id, item_id: id, code: 'PU-1', price: 2.5, currency: 'USD', status: 'active', stock: 3 }, changed: ['price'] });
      assert.deepEqual(JSON.parse(events[1]!.payload).changed, ['status']);
    });

    test('stock changes are coalesced: one product.updated per product per round, with the latest stock', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-2', price: '1.00' }, 5);
      await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 });
      const before = (await outbox('product.updated')).length;
      for (let i = 0; i < 3; i++) await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PU-2' }, 'test');
      await importStock(stockDeps(t.souk), id, ['PU-2-extra-1', 'PU-2-extra-2']);
      assert.equal((await outbox('product.updated')).length, before, 'nothing yet: placement writes no product event');
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 }), 1);
      const events = (await outbox('product.updated')).slice(before);
      assert.equal(events.length, 1);
      assert.deepEqual(JSON.parse(events[0]!.payload).product.stock, 4);
      assert.deepEqual(JSON.parse(events[0]!.payload).changed, ['stock']);
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 }), 0, 'nothing changed since');
    });

    test('wallet credits and admin status changes write their events in the same transaction', async () => {
      await fund(t.souk, buyer.accountId, 1234);
      const credits = await outbox('wallet.credited');
      const last = JSON.parse(credits.at(-1)!.payload);
      assert.equal(credits.at(-1)!.account_id, buyer.accountId);
      assert.equal(last.amount, 12.34);
      assert.equal(last.kind, 'topup');
      await createProduct(stockDeps(t.souk), { code: 'PU-MAN', name: 'Manual', price: '1.00', fulfillment: 'manual' });
      const rejected = (await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PU-MAN' }, 'test')).order.id;
      const res = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${rejected}/reject`, headers: bearer(t.adminKey), payload: { reason: 'no such player' } });
      assert.equal(res.statusCode, 200, res.body);
      const types = (await t.souk.db.selectFrom('outbox_events').select('type').where('order_id', '=', rejected).orderBy('id').execute()).map((e) => e.type);
      assert.deepEqual(types, ['order.created', 'order.status_changed', 'order.rejected']);
      const refund = (await outbox('wallet.credited')).at(-1)!;
      assert.equal(JSON.parse(refund.payload).reference, `order:${rejected}`);
      const failing = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${rejected}/refund`, headers: bearer(t.adminKey), payload: { reason: 'again' } });
      assert.equal(failing.statusCode, 409);
      assert.deepEqual((await t.souk.db.selectFrom('outbox_events').select('type').where('order_id', '=', rejected).execute()).length, 3, 'a refused change writes no event');
    });
  });

  describe(`circuit breaker (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let hook: Receiver;
    let down = true;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05', SOUK_WEBHOOK_BREAKER_THRESHOLD: '3', SOUK_WEBHOOK_BREAKER_PAUSE: '1' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      hook = await startReceiver(() => (down ? 500 : 200));
    });
    after(async () => {
      await worker.stop();
      await hook.close();
      await t.close();
    });

    test('an endpoint that keeps failing is paused, then one probe reopens it and the waiting deliveries go', async () => {
      const owner = await createReseller(t.souk, { name: 'Flaky' });
      const created = await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['wallet.credited'] } });
      const { endpoint, secret } = created.json();
      for (let i = 0; i < 3; i++) await fund(t.souk, owner.accountId, 100 + i);
      const paused = await until(async () => (await t.app.inject({ url: `/admin/api/webhooks/${endpoint.id}`, headers: bearer(t.adminKey) })).json().endpoint, (e) => e.paused_until !== null, 'paused');
      assert.ok(paused.failure_streak >= 3);
      assert.ok(hook.receipts.length >= 3);
      down = false;
      await hook.waitFor((r) => new Set(r.filter((x) => x.status === 200).map((x) => x.event.id)).size === 3, WAIT_CEILING_MS, 'all three after the pause');
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret);
      const healed = await until(async () => (await t.app.inject({ url: `/admin/api/webhooks/${endpoint.id}`, headers: bearer(t.adminKey) })).json().endpoint, (e) => e.failure_streak === 0, 'closed again');
      assert.equal(healed.paused_until, null);
    });
  });

  describe(`circuit breaker half-open: one probe at a time (${kind})`, () => {
    // Two workers: one in this process and one `souk worker` process, both claiming from one database.
    // The pause is an hour; a test ends it by moving paused_until into the past, as if the hour had gone by.
    let t: TestSouk;
    let worker: WebhookWorker;
    let other: WorkerProcess;
    let canary: Receiver;
    let canaryOwner: number;
    const WAITING = 100;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05', SOUK_WEBHOOK_BREAKER_THRESHOLD: '3', SOUK_WEBHOOK_BREAKER_PAUSE: '3600' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      other = await spawnWorker(t.env);
      // A healthy endpoint: its deliveries arriving show that the workers have claimed since a wake.
      canary = await startReceiver();
      canaryOwner = (await createReseller(t.souk, { name: 'Canary' })).accountId;
      await createWebhookEndpoint(deps(), canaryOwner, { url: canary.url, events: ['wallet.credited'] });
    });
    after(async () => {
      await other?.stop();
      await worker?.stop();
      await canary?.close();
      await t?.close();
    });
    const deps = () => ({ db: t.souk.db, box: t.souk.box, allowPrivate: true });
    const deliveriesTo = (endpointId: string) => t.souk.db.selectFrom('webhook_deliveries').select(['id', 'status', 'attempts']).where('endpoint_id', '=', endpointId).orderBy('id').execute();
    const attemptsTo = async (endpointId: string) =>
      (await t.souk.db.selectFrom('webhook_attempts').innerJoin('webhook_deliveries as d', 'd.id', 'webhook_attempts.delivery_id').select('webhook_attempts.id').where('d.endpoint_id', '=', endpointId).execute()).length;

    /** Wakes every worker to claim, then makes a canary delivery and waits for it: a claim has run since. */
    async function claimRounds(rounds: number) {
      for (let i = 0; i < rounds; i++) {
        const seen = canary.receipts.length;
        wakeDispatchers(t.souk.db, 'deliveries');
        await fund(t.souk, canaryOwner, 1);
        await canary.waitFor((r) => r.length > seen, WAIT_CEILING_MS, 'the canary delivery');
      }
    }

    /** An endpoint paused by 3 failures, with WAITING more deliveries queued behind the pause, then the pause over. */
    async function pausedEndpointWithBacklog(hook: HoldingReceiver, name: string) {
      const owner = await createReseller(t.souk, { name });
      const { endpoint } = await createWebhookEndpoint(deps(), owner.accountId, { url: hook.url, events: ['wallet.credited'] });
      hook.answer(500);
      for (let i = 0; i < 3; i++) await fund(t.souk, owner.accountId, 100 + i);
      await until(
        async () => ({ endpoint: await getWebhookEndpoint(t.souk.db, endpoint.id), deliveries: await deliveriesTo(endpoint.id), attempts: await attemptsTo(endpoint.id) }),
        (s) => s.endpoint.paused_until !== null && s.deliveries.every((d) => d.status === 'pending') && s.attempts === hook.arrived.length,
        'paused, with nothing in flight',
      );
      for (let i = 0; i < WAITING; i++) await fund(t.souk, owner.accountId, 1);
      await until(() => deliveriesTo(endpoint.id), (d) => d.length === 3 + WAITING, 'the backlog written');
      hook.answer('hold');
      hook.resetMostOpen();
      const before = { arrived: hook.arrived.length, attempts: await attemptsTo(endpoint.id), deliveries: await deliveriesTo(endpoint.id) };
      await t.souk.db.updateTable('webhook_endpoints').set({ paused_until: new Date(Date.now() - 1000).toISOString() }).where('id', '=', endpoint.id).execute();
      wakeDispatchers(t.souk.db, 'deliveries');
      await until(() => hook.arrived.length, (n) => n > before.arrived, 'the probe');
      return { endpointId: endpoint.id, before };
    }

    test('when the pause ends, one probe is in flight however often the workers claim; its 2xx lets every waiting delivery go once', async () => {
      const hook = await startHoldingReceiver();
      try {
        const { endpointId, before } = await pausedEndpointWithBacklog(hook, 'Hanging');
        await claimRounds(5);
        assert.equal(hook.arrived.length - before.arrived, 1, 'one request while the probe is held');
        assert.equal(hook.mostOpen(), 1);
        const waiting = await deliveriesTo(endpointId);
        assert.equal(waiting.filter((d) => d.status === 'sending').length, 1, 'only the probe is claimed');
        assert.deepEqual(waiting.map((d) => d.attempts), before.deliveries.map((d) => d.attempts), 'no attempt counted for the deliveries that did not go');
        hook.answer(200);
        hook.release(200);
        await until(() => deliveriesTo(endpointId), (d) => d.every((x) => x.status === 'delivered'), 'all delivered');
        const ids = await t.souk.db.selectFrom('webhook_deliveries as d').innerJoin('outbox_events as e', 'e.id', 'd.event_id').select('e.event_id').where('d.endpoint_id', '=', endpointId).execute();
        assert.equal(hook.delivered.length, 3 + WAITING, 'each delivery arrived once with a 2xx');
        assert.deepEqual([...hook.delivered].sort(), ids.map((r) => r.event_id).sort());
        const healed = await getWebhookEndpoint(t.souk.db, endpointId);
        assert.equal(healed.failure_streak, 0);
        assert.equal(healed.paused_until, null);
      } finally {
        await hook.close();
      }
    });

    test('a probe that fails pauses the endpoint again, with one attempt recorded and the others still waiting', async () => {
      const hook = await startHoldingReceiver();
      try {
        const { endpointId, before } = await pausedEndpointWithBacklog(hook, 'Still down');
        await claimRounds(3);
        assert.equal(hook.arrived.length - before.arrived, 1, 'one request while the probe is held');
        hook.answer(500);
        hook.release(500);
        const repaused = await until(() => getWebhookEndpoint(t.souk.db, endpointId), (e) => e.paused_until !== null && e.paused_until > new Date().toISOString(), 'paused again');
        assert.ok(Date.parse(repaused.paused_until!) > Date.now() + 3000 * 1000, 'for the whole pause');
        await claimRounds(3);
        assert.equal(hook.arrived.length - before.arrived, 1, 'nothing more sent while paused again');
        assert.equal(await attemptsTo(endpointId), before.attempts + 1, 'one attempt recorded');
        const after = await deliveriesTo(endpointId);
        assert.ok(after.every((d) => d.status === 'pending'), 'none failed for good, none left claimed');
        const tried = after.filter((d, i) => d.attempts !== before.deliveries[i]!.attempts);
        assert.equal(tried.length, 1);
        assert.equal(tried[0]!.attempts, before.deliveries.find((d) => d.id === tried[0]!.id)!.attempts + 1);
      } finally {
        await hook.close();
      }
    });
  });

  describe(`the probe lease under racing claims (${kind})`, () => {
    // No worker runs: the test claims, as two workers do at the moment a pause ends. On PostgreSQL
    // the second claimer has a pool of its own, as another process would.
    let t: TestSouk;
    let second: Souk;
    before(async () => {
      t = await startTestSouk(kind);
      second = kind === 'postgres' ? await openSouk(loadConfig(t.env)) : t.souk;
    });
    after(async () => {
      if (second && second !== t.souk) await second.close();
      await t?.close();
    });

    test('of two claims racing when the pause ends, one takes a single probe; claims after it skip the endpoint', async () => {
      const owner = await createReseller(t.souk, { name: 'Raced' });
      const { endpoint } = await createWebhookEndpoint({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, owner.accountId, { url: 'http://127.0.0.1:9/hooks', events: ['wallet.credited'] });
      for (let i = 0; i < 100; i++) await fund(t.souk, owner.accountId, 1);
      while ((await fanOutEvents(t.souk.db)).events > 0);
      for (let round = 0; round < 10; round++) {
        // The breaker tripped and its pause has just ended; what the last round claimed is due again.
        await t.souk.db.updateTable('webhook_endpoints').set({ failure_streak: 3, paused_until: new Date(Date.now() - 1000).toISOString(), probe_until: null }).where('id', '=', endpoint.id).execute();
        await t.souk.db.updateTable('webhook_deliveries').set({ status: 'pending', claim_token: null, locked_until: null }).where('endpoint_id', '=', endpoint.id).execute();
        const claims = await Promise.all([claimDeliveries(t.souk.db, t.souk.dialect, 64), claimDeliveries(second.db, second.dialect, 64)]);
        const probes = claims.flatMap((c) => c.jobs);
        assert.equal(probes.length, 1, `round ${round}: one probe between the two claims`);
        assert.ok(probes[0]!.probe_until, 'it holds the lease');
        const later = await claimDeliveries(second.db, second.dialect, 64);
        assert.deepEqual({ jobs: later.jobs.length, putBack: later.putBack }, { jobs: 0, putBack: 0 }, 'a later claim does not touch the endpoint');
        const rows = await t.souk.db.selectFrom('webhook_deliveries').select(['id', 'status', 'attempts']).where('endpoint_id', '=', endpoint.id).execute();
        assert.deepEqual(rows.filter((r) => r.status === 'sending').map((r) => r.id), [probes[0]!.id], 'only the probe stays claimed');
        assert.ok(rows.every((r) => r.attempts === 0), 'the others lost no attempt');
      }
    });
  });

  describe(`delivery limits (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let hook: Receiver;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      hook = await startReceiver(({ event }) => (event.type === 'wallet.credited' ? { status: 429, headers: { 'retry-after': '30' } } : 200));
    });
    after(async () => {
      await worker.stop();
      await hook.close();
      await t.close();
    });
    const deliveries = async (accountId: number) => (await t.app.inject({ url: `/admin/api/webhook-deliveries?account=${accountId}`, headers: bearer(t.adminKey) })).json().deliveries;

    test('a 429 with Retry-After is believed: the next try is scheduled no sooner than it asks', async () => {
      const owner = await createReseller(t.souk, { name: 'Busy' });
      await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['wallet.credited'] } });
      await fund(t.souk, owner.accountId, 500);
      const [waiting] = await until(() => deliveries(owner.accountId), (d) => d[0]?.attempts === 1, 'the first try recorded');
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.last_status_code, 429);
      assert.ok(Date.parse(waiting.next_attempt_at) - Date.parse(waiting.attempt_log[0].attempted_at) >= 30_000, 'not before Retry-After');
    });

    test('a body over 256 KB is not sent: the delivery is dead and says why; without the codes it goes', async () => {
      const owner = await createReseller(t.souk, { name: 'Bulk buyer' });
      await fund(t.souk, owner.accountId, 1_000_000);
      const code = 'BULK';
      const product = await createProduct(stockDeps(t.souk), { code, name: 'Bulk', price: '0.01', max_quantity: 1000 });
      await importStock(stockDeps(t.souk), product.id, Array.from({ length: 600 }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(480)}`));
      const slim = await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['order.fulfilled'], include_items: false } });
      const placed = await placeOrder(orderDeps(t.souk), owner.accountId, { product: code, quantity: 600, callbackUrl: hook.url }, 'test');
      const settled = await until(() => deliveries(owner.accountId), (d) => d.length === 3 && d.every((x: { status: string }) => x.status !== 'pending' && x.status !== 'sending'), 'all three settled');
      const byTarget = (endpointId: string | null, type: string) => settled.find((d: { endpoint_id: string | null; type: string }) => d.endpoint_id === endpointId && d.type === type);
      assert.equal(byTarget(null, 'order.fulfilled').status, 'dead');
      assert.match(byTarget(null, 'order.fulfilled').last_error, /over the 256 KB limit/);
      assert.equal(byTarget(null, 'order.created').status, 'delivered');
      assert.equal(byTarget(slim.json().endpoint.id, 'order.fulfilled').status, 'delivered');
      const received = hook.delivered().filter((r) => r.event.data.order?.order_id === placed.order.id);
      assert.deepEqual(received.map((r) => r.event.type).sort(), ['order.created', 'order.fulfilled']);
      assert.ok(received.every((r) => r.body.length < 256 * 1024));
    });
  });
}

// What only real processes show: a server killed between commit and send delivers after restart,
// two workers on one PostgreSQL never send one delivery twice at once, and the CLI contract.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { runCli, spawnServer, spawnWorker, type ServerProcess, type WorkerProcess } from '../helpers/processes.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import type { Env } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import { openSouk, orderDepsOf } from '../../src/app.js';
import { placeOrder } from '../../src/core/orders/index.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';
import { until } from '../helpers/until.js';

async function cli(env: Env, args: string[], input?: string): Promise<Record<string, unknown>> {
  const result = await runCli([...args, '--json'], env, input);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** An account with a key, money, a stocked product and a webhook endpoint to `url`, all by the CLI. */
async function shop(env: Env, url: string, codes: number) {
  const { account_id: accountId } = await cli(env, ['account', 'create', '--name', 'Hooked']);
  const { api_key: apiKey } = await cli(env, ['key', 'create', '--account', String(accountId)]);
  await cli(env, ['wallet', 'topup', '--account', String(accountId), '--amount', '10000.00']);
  await cli(env, ['product', 'create', '--code', 'PROC-1', '--name', 'Card', '--price', '1.00']);
  await cli(env, ['stock', 'import', '--product', 'PROC-1', '-'], Array.from({ length: codes }, (_, i) => `PROC-CODE-${i}`).join('\n'));
  const created = await cli(env, ['webhook', 'create', '--account', String(accountId), '--url', url, '--events', 'order.created,order.fulfilled']);
  assert.deepEqual(Object.keys(created).sort(), ['endpoint_id', 'secret']);
  assert.match(String(created.secret), /^whsec_/);
  return { accountId: Number(accountId), apiKey: String(apiKey), secret: String(created.secret), endpointId: String(created.endpoint_id) };
}

for (const kind of DATABASE_KINDS) {
  describe(`webhooks across processes (${kind})`, () => {
    let database: TestDatabase;
    let env: Env;
    let hook: Receiver;
    const running: Array<ServerProcess | WorkerProcess> = [];
    before(async () => {
      database = await createTestDatabase(kind);
      env = testEnv(database, { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' });
      hook = await startReceiver();
    });
    after(async () => {
      for (const p of running) await p.stop('SIGKILL');
      await hook.close();
      await database.drop();
    });

    test('souk account callback-secret prints the same secret until rotated', async () => {
      const { account_id: accountId } = await cli(env, ['account', 'create', '--name', 'Partner', '--kind', 'partner']);
      const first = await cli(env, ['account', 'callback-secret', '--account', String(accountId)]);
      assert.deepEqual(Object.keys(first), ['secret']);
      assert.match(String(first.secret), /^whsec_[A-Za-z0-9+/]{32}$/);
      assert.deepEqual(await cli(env, ['account', 'callback-secret', '--account', String(accountId)]), first);
      const rotated = await cli(env, ['account', 'callback-secret', '--account', String(accountId), '--rotate']);
      assert.notEqual(rotated.secret, first.secret);
      const missing = await runCli(['account', 'callback-secret', '--account', '999999', '--json'], env);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /No account 999999/);
    });

    test('the CLI switches an endpoint off and on, sends it a test event, lists its deliveries and sends one again', async () => {
      const probe = await startReceiver();
      const { account_id: accountId } = await cli(env, ['account', 'create', '--name', 'Operator']);
      const { endpoint_id: endpointId } = await cli(env, ['webhook', 'create', '--account', String(accountId), '--url', probe.url]);
      assert.deepEqual(await cli(env, ['webhook', 'disable', String(endpointId)]), { endpoint_id: endpointId, enabled: false });
      const listed = (await cli(env, ['webhook', 'list', '--account', String(accountId)])).endpoints as Array<{ id: string; enabled: boolean }>;
      assert.deepEqual(listed.map((e) => [e.id, e.enabled]), [[endpointId, false]]);
      assert.deepEqual(await cli(env, ['webhook', 'enable', String(endpointId)]), { endpoint_id: endpointId, enabled: true });
      const { event_id: eventId } = await cli(env, ['webhook', 'test', String(endpointId)]);
      assert.match(String(eventId), /^evt_/);
      const sender = kind === 'sqlite' ? await spawnServer(env) : await spawnWorker(env);
      running.push(sender);
      try {
        await probe.waitFor((r) => r.length >= 1, WAIT_CEILING_MS, 'the test event');
        assert.equal(probe.receipts[0]!.headers['webhook-id'], eventId);
        assert.equal(probe.receipts[0]!.event.type, 'webhook.test');
        const deliveries = async () => (await cli(env, ['webhook', 'deliveries', '--endpoint', String(endpointId)])).deliveries as Array<{ id: number; event_id: string; status: string; attempts: number }>;
        let listedDeliveries = await deliveries();
        // The outcome is recorded just after the answer arrives.
        for (let i = 0; i < 100 && listedDeliveries[0]?.status !== 'delivered'; i++) listedDeliveries = await deliveries();
        // One delivery, delivered; on a loaded machine a first try may time out and a retry deliver it, so attempts may be more than 1.
        assert.deepEqual(listedDeliveries.map((d) => [d.event_id, d.status]), [[eventId, 'delivered']]);
        const before = probe.receipts.length;
        assert.deepEqual(await cli(env, ['webhook', 'resend', '--delivery', String(listedDeliveries[0]!.id)]), { resent: 1 });
        await probe.waitFor((r) => r.length > before, WAIT_CEILING_MS, 'the test event sent again');
        assert.equal(probe.receipts[before]!.headers['webhook-id'], eventId, 'the same event id, so the receiver can tell it is the same event');
        const neither = await runCli(['webhook', 'resend', '--json'], env);
        assert.notEqual(neither.code, 0);
        assert.match(neither.stderr, /--delivery ID or --endpoint ID/);
        assert.deepEqual(await cli(env, ['webhook', 'resend', '--endpoint', String(endpointId)]), { resent: 0 });
      } finally {
        await sender.stop('SIGKILL');
        running.splice(running.indexOf(sender), 1);
        await probe.close();
        // The endpoint takes every event type: left on, the next test's product updates would go to
        // its closed receiver and keep that test's queue from emptying.
        await cli(env, ['webhook', 'disable', String(endpointId)]);
      }
    });

    test('an order committed by a server killed (SIGKILL) before sending is delivered after restart', async () => {
      const s = await shop(env, hook.url, 10);
      const server = await spawnServer(env, ['--no-worker']);
      running.push(server);
      const res = await fetch(`${server.url}/api/v1/orders`, { method: 'POST', headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ product: 'PROC-1' }) });
      assert.equal(res.status, 200);
      const placed = (await res.json()) as { order_id: string; order: { items: unknown[] } };
      await server.stop('SIGKILL');
      assert.equal(hook.receipts.length, 0, 'nothing was sent before the kill');
      // Embedded, the restarted server is the worker; with PostgreSQL, a worker process is.
      const restarted = kind === 'sqlite' ? await spawnServer(env) : await spawnWorker(env, ['--metrics-port', '0']);
      running.push(restarted);
      await hook.waitFor((r) => r.length >= 2, WAIT_CEILING_MS, 'both events after restart');
      for (const receipt of hook.receipts) verifyReceipt(receipt, s.secret);
      assert.deepEqual(hook.receipts.map((r) => r.event.type), ['order.created', 'order.fulfilled']);
      assert.ok(hook.receipts.every((r) => r.event.data.order.order_id === placed.order_id));
      assert.deepEqual(hook.receipts[1]!.event.data.order.items, placed.order.items);
      // The worker's metrics: on the server's /metrics embedded, on --metrics-port for `souk worker`.
      const metricsUrl = 'url' in restarted ? `${restarted.url}/metrics` : restarted.metricsUrl!;
      const expected = [/souk_webhook_attempts_total\{target="endpoint",outcome="success"\} 2/, /souk_webhook_queue_depth 0/, /souk_webhook_delivery_lag_seconds_count 2/];
      // Attempts count when the answer comes, the lag once the outcome is recorded, the queue depth
      // on the worker's next round: wait for all three.
      const text = await until(async () => (await fetch(metricsUrl)).text(), (t) => expected.every((e) => e.test(t)), 'the worker metrics after both deliveries').catch(() => '');
      for (const e of expected) assert.match(text || (await (await fetch(metricsUrl)).text()), e);
    });
  });
}

describe('two workers on one PostgreSQL', () => {
  let database: TestDatabase;
  let hook: Receiver;
  const workers: WorkerProcess[] = [];
  before(async () => {
    database = await createTestDatabase('postgres');
    // Slow answers keep deliveries in flight, so a second sender would overlap with the first.
    hook = await startReceiver(() => ({ status: 200, delayMs: 30 }));
  });
  after(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await hook.close();
    await database.drop();
  });

  test('never send one delivery twice in parallel, and deliver each once', async () => {
    const env = testEnv(database, { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' });
    const s = await shop(env, hook.url, 200);
    workers.push(await spawnWorker(env), await spawnWorker(env));
    const souk = await openSouk(loadConfig(env));
    try {
      const deps = orderDepsOf(souk);
      await Promise.all(Array.from({ length: 100 }, (_, i) => placeOrder(deps, s.accountId, { product: 'PROC-1', clientOrderId: `two-${i}` }, 'test')));
    } finally {
      await souk.close();
    }
    await hook.waitFor((r) => r.length >= 200, WAIT_CEILING_MS, '200 deliveries');
    const ids = hook.receipts.map((r) => String(r.headers['webhook-id']));
    assert.equal(new Set(ids).size, 200, 'every event delivered');
    assert.equal(ids.length, 200, 'and each exactly once');
    assert.ok(hook.receipts.every((r) => r.concurrent === 1), 'never two sends of one delivery at once');
    for (const receipt of hook.receipts.slice(0, 20)) verifyReceipt(receipt, s.secret);
    // Per order, created before fulfilled.
    const seen = new Map<string, string[]>();
    for (const r of hook.receipts) seen.set(r.event.data.order.order_id, [...(seen.get(r.event.data.order.order_id) ?? []), r.event.type]);
    for (const types of seen.values()) assert.deepEqual(types, ['order.created', 'order.fulfilled']);
  });
});

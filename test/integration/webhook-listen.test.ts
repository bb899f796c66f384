// A PostgreSQL worker hears other processes through LISTEN on a connection of its own. When that
// connection is lost (a database restart, a killed backend), the worker says so and connects
// again; a delivery re-sent from another process then still goes out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { until } from '../helpers/until.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { OUTBOX_CHANNEL } from '../../src/core/events/index.js';
import { createWebhookEndpoint, listDeliveries, sendTestEvent } from '../../src/core/webhooks/index.js';
import { runCli } from '../helpers/processes.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

describe('the worker LISTEN connection (postgres)', () => {
  let t: TestSouk;
  let hook: Receiver;
  let worker: WebhookWorker;
  const errors: string[] = [];
  /** Backends of this database LISTENing for outbox notices. */
  const listeners = async () =>
    (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query = ${`listen ${OUTBOX_CHANNEL}`}`.execute(t.souk.db)).rows.map((r) => r.pid);

  before(async () => {
    t = await startTestSouk('postgres', { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    hook = await startReceiver();
    worker = await startWebhookWorker(t.souk, { onError: (error) => errors.push(String(error)) });
  });
  after(async () => {
    await worker.stop();
    await hook.close();
    await t.close();
  });

  test('a killed LISTEN backend is reported and replaced, and a re-send from another process still goes out', async () => {
    const account = await createReseller(t.souk);
    const { endpoint } = await createWebhookEndpoint({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, account.accountId, { url: hook.url });
    await sendTestEvent(t.souk.db, endpoint.id);
    await hook.waitFor((r) => r.length >= 1, WAIT_CEILING_MS, 'the test event');

    const [first] = await listeners();
    assert.ok(first, 'the worker listens');
    await sql`select pg_terminate_backend(${first})`.execute(t.souk.db);
    const replaced = await until(listeners, (pids) => pids.length === 1 && pids[0] !== first, 'a new LISTEN connection');
    assert.notEqual(replaced[0], first);
    assert.ok(errors.some((e) => /LISTEN connection closed|terminat/i.test(e)), `the loss was reported: ${errors.join('; ')}`);

    // Another process re-sends it (it reaches this worker by NOTIFY, or at worst the safety poll).
    const [delivered] = await listDeliveries(t.souk.db, { endpointId: endpoint.id });
    const resent = await runCli(['webhook', 'resend', '--delivery', String(delivered!.id), '--json'], t.env);
    assert.equal(resent.code, 0, resent.stderr);
    await hook.waitFor((r) => r.length >= 2, WAIT_CEILING_MS, 'the re-sent test event');
    assert.equal(hook.receipts[1]!.headers['webhook-id'], hook.receipts[0]!.headers['webhook-id']);
  });
});

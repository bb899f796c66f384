// The durable job queue (core/jobs) on a real database: a job commits with what enqueued it; a
// claim holds a lease and a claim token, and a worker whose lease ran out can no longer complete
// or fail the job another worker took over; two workers never run one job at once; failures wait
// growing delays with jitter inside their bounds; after the last try a job is dead, kept with its
// error, and runs again only when asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import { runCli } from '../helpers/processes.js';
import { openSouk, type Souk } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import {
  claimJobs,
  completeJob,
  defineJob,
  enqueueJob,
  failJob,
  JobWorker,
  listJobs,
  RETRY_JITTER,
  rerunJob,
  wakeJobWorkers,
  type ClaimedJob,
} from '../../src/core/jobs/index.js';

const jobRow = (t: TestSouk, id: number) => t.souk.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const after_ = (at: string, ms: number) => new Date(Date.parse(at) + ms);

for (const kind of DATABASE_KINDS) {
  describe(`the job queue (${kind})`, () => {
    let t: TestSouk;
    /** Another process's pool on PostgreSQL (its own connections); the same database handle on SQLite. */
    let second: Souk;
    before(async () => {
      t = await startTestSouk(kind);
      second = kind === 'postgres' ? await openSouk(loadConfig(t.env)) : t.souk;
    });
    after(async () => {
      if (second && second !== t.souk) await second.close();
      await t?.close();
    });

    test('a job commits with the transaction that enqueued it, or not at all; a unique key enqueues once', async () => {
      const noted = defineJob<{ note: string }, unknown>({ kind: 'test.noted', run: async () => undefined });
      await assert.rejects(
        t.souk.db.transaction().execute(async (tx) => {
          await enqueueJob(tx, noted, { note: 'rolled back' });
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const id = await t.souk.db.transaction().execute((tx) => enqueueJob(tx, noted, { note: 'kept' }, { uniqueKey: 'noted:1' }));
      assert.ok(id);
      assert.equal(await enqueueJob(t.souk.db, noted, { note: 'again' }, { uniqueKey: 'noted:1' }), undefined, 'the same key is a no-op');
      const rows = await t.souk.db.selectFrom('jobs').select(['payload', 'status']).where('kind', '=', 'test.noted').execute();
      assert.deepEqual(rows, [{ payload: JSON.stringify({ note: 'kept' }), status: 'pending' }]);
    });

    test("a claim whose lease ran out is taken by another worker, and the first worker's late completion or failure is refused", async () => {
      const id = (await enqueueJob(t.souk.db, defineJob<object, unknown>({ kind: 'test.lease', run: async () => undefined }), {}))!;
      const [first] = await claimJobs(t.souk.db, t.souk.dialect, ['test.lease'], { limit: 1, leaseMs: 60_000 });
      assert.equal(first?.id, id);
      const claimed = await jobRow(t, id);
      assert.equal(claimed.status, 'running');
      assert.equal(Date.parse(claimed.locked_until!) - Date.parse(claimed.updated_at), 60_000);
      assert.deepEqual(await claimJobs(second.db, second.dialect, ['test.lease'], { limit: 1 }), [], 'nobody takes it while the lease runs');
      // The first worker stalls past its lease; another takes the job over (the clock moved on instead of waiting a minute).
      const [takeover] = await claimJobs(second.db, second.dialect, ['test.lease'], { limit: 1, now: after_(claimed.locked_until!, 1) });
      assert.equal(takeover?.id, id);
      assert.notEqual(takeover!.claim_token, first!.claim_token);
      assert.equal(await completeJob(t.souk.db, first!), false, 'the late completion is refused');
      assert.equal((await failJob(t.souk.db, first!, 'late failure')).held, false, 'so is a late failure');
      assert.equal((await jobRow(t, id)).claim_token, takeover!.claim_token, 'the row is still the new claim’s');
      assert.equal(await completeJob(second.db, takeover!), true);
      const done = await jobRow(t, id);
      assert.deepEqual([done.status, done.attempts, done.last_error], ['done', 1, null]);
      assert.ok(done.finished_at);
    });

    test('two workers never run one job at once, and each of 150 jobs runs once', async () => {
      const running = new Set<number>();
      const runs: number[] = [];
      const overlaps: number[] = [];
      const work = defineJob<{ n: number }, unknown>({
        kind: 'test.pair',
        async run(_payload, _context, job) {
          if (running.has(job.id)) overlaps.push(job.id);
          running.add(job.id);
          // Yield, so that the other worker's claims interleave with this run.
          await new Promise((resolve) => setImmediate(resolve));
          running.delete(job.id);
          runs.push(job.id);
        },
      });
      const errors: unknown[] = [];
      const workers = [t.souk, second].map((souk) => new JobWorker({ db: souk.db, dialect: souk.dialect, context: undefined, kinds: [work], concurrency: 8, pollMs: 50, onError: (e) => errors.push(e) }));
      for (const worker of workers) worker.start();
      try {
        for (let batch = 0; batch < 3; batch++) {
          await t.souk.db.transaction().execute(async (tx) => {
            for (let n = 0; n < 50; n++) await enqueueJob(tx, work, { n: batch * 50 + n });
          });
          wakeJobWorkers(t.souk.db);
        }
        await until(() => t.souk.db.selectFrom('jobs').select('status').where('kind', '=', 'test.pair').execute(), (rows) => rows.length === 150 && rows.every((r) => r.status === 'done'), 'all 150 done');
      } finally {
        for (const worker of workers) await worker.stop();
      }
      assert.deepEqual(errors, []);
      assert.deepEqual(overlaps, [], 'no job ran in two places at once');
      assert.equal(runs.length, 150, 'each job ran once');
      assert.equal(new Set(runs).size, 150);
    });

    test('a failing job waits growing delays, each with jitter inside its bounds, and is dead after its last try', async () => {
      const schedule = [10, 100, 1000];
      const id = (await enqueueJob(t.souk.db, defineJob<object, unknown>({ kind: 'test.retry', run: async () => undefined }), {}))!;
      let now = new Date();
      for (let attempt = 1; attempt <= schedule.length; attempt++) {
        const [claim] = await claimJobs(t.souk.db, t.souk.dialect, ['test.retry'], { limit: 1, now });
        assert.equal(claim?.id, id, `attempt ${attempt} claimed`);
        const failedAt = Date.now();
        const { delayMs, held } = await failJob(t.souk.db, claim!, `refused ${attempt}`, schedule);
        assert.equal(held, true);
        const row = await jobRow(t, id);
        assert.deepEqual([row.status, row.attempts, row.last_error], ['pending', attempt, `refused ${attempt}`]);
        const base = schedule[attempt - 1]! * 1000;
        assert.ok(delayMs! >= base * (1 - RETRY_JITTER) && delayMs! <= base * (1 + RETRY_JITTER), `delay ${delayMs} ms after attempt ${attempt} is within ±20% of ${base}`);
        const waits = Date.parse(row.next_attempt_at) - Date.parse(row.updated_at);
        assert.equal(waits, delayMs, 'the row waits the delay');
        assert.ok(Date.parse(row.updated_at) >= failedAt - 1000);
        // Not before its time…
        assert.deepEqual(await claimJobs(t.souk.db, t.souk.dialect, ['test.retry'], { limit: 1, now: after_(row.next_attempt_at, -1) }), []);
        now = after_(row.next_attempt_at, 1);
      }
      const [last] = await claimJobs(t.souk.db, t.souk.dialect, ['test.retry'], { limit: 1, now });
      assert.equal((await failJob(t.souk.db, last!, 'refused for good', schedule)).delayMs, undefined, 'no delay after the last try');
      const dead = await jobRow(t, id);
      assert.deepEqual([dead.status, dead.attempts, dead.last_error], ['dead', 4, 'refused for good']);
      assert.ok(dead.finished_at);
      assert.deepEqual(await claimJobs(t.souk.db, t.souk.dialect, ['test.retry'], { limit: 1, now: after_(now.toISOString(), 86_400_000 * 30) }), [], 'a dead job is never claimed again by itself');
    });

    test('a job that keeps failing is dead after its last try, listed with its error, and runs again when asked', async () => {
      let failing = true;
      const tries: ClaimedJob['attempts'][] = [];
      const flaky = defineJob<{ order: string }, unknown>({
        kind: 'test.flaky',
        retrySchedule: [0.05, 0.05],
        async run(payload, _context, job) {
          tries.push(job.attempts);
          if (failing) throw new Error(`upstream refused ${payload.order}`);
        },
      });
      const reported: string[] = [];
      const worker = new JobWorker({ db: t.souk.db, dialect: t.souk.dialect, context: undefined, kinds: [flaky], pollMs: 50, onError: (e) => reported.push(String(e)) });
      worker.start();
      try {
        const id = (await enqueueJob(t.souk.db, flaky, { order: 'ord-1' }))!;
        wakeJobWorkers(t.souk.db);
        const dead = await until(() => jobRow(t, id), (row) => row.status === 'dead', 'dead after its last try');
        assert.equal(dead.attempts, 3, 'one try and two retries');
        assert.deepEqual(tries, [0, 1, 2]);
        assert.equal(reported.length, 3);
        const [listed] = await listJobs(t.souk.db, { status: 'dead', kind: 'test.flaky' });
        assert.deepEqual([listed?.id, listed?.last_error, listed?.attempts], [id, 'upstream refused ord-1', 3]);
        assert.equal(JSON.stringify(listed).includes('payload'), false, 'payloads are not listed');
        await assert.rejects(rerunJob(t.souk.db, 999_999), /No job/);
        // The operator sees it from the CLI, payload left out, and runs it again from there.
        const listedByCli = await runCli(['job', 'list', '--status', 'dead', '--kind', 'test.flaky', '--json'], t.env);
        assert.equal(listedByCli.code, 0, listedByCli.stderr);
        assert.deepEqual(
          (JSON.parse(listedByCli.stdout) as { jobs: Array<{ id: number; last_error: string }> }).jobs.map((j) => [j.id, j.last_error]),
          [[id, 'upstream refused ord-1']],
        );
        assert.ok(!listedByCli.stdout.includes('"order"'), 'no payload in the list');
        failing = false;
        const rerun = await runCli(['job', 'rerun', String(id), '--json'], t.env);
        assert.equal(rerun.code, 0, rerun.stderr);
        const done = await until(() => jobRow(t, id), (row) => row.status === 'done', 'done after the re-run');
        assert.equal(done.attempts, 1, 'a fresh schedule');
        // A job still waiting runs anyway: asking again is refused.
        const idle = (await enqueueJob(t.souk.db, defineJob<object, unknown>({ kind: 'test.idle', run: async () => undefined }), {}))!;
        await assert.rejects(rerunJob(t.souk.db, idle), /will run anyway/);
      } finally {
        await worker.stop();
      }
    });
  });
}

// The step runner (core/steps): a run killed between two steps (a real child process, SIGKILL) is
// resumed by another runner once its lease has run out, and every step's effect happens exactly
// once; a run killed inside a step runs that step again with the same reference, which the outside
// world recognises; a failure undoes the steps that ran, last first, and an undo that fails is
// recorded and tried again until it goes through; one run key starts one run; inputs and outputs
// rest sealed. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { ROOT, START_CEILING_MS } from '../helpers/processes.js';
import { FORWARDING_STEPS, forwardingWorkflow, startEffectServer, type EffectServer } from '../helpers/step-workflows.js';
import type { Env } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { COMPENSATION_RETRY_SECONDS, readRun, resumeRuns, startRun, STEP_LEASE_MS, type RunProgress, type StepDeps } from '../../src/core/steps/index.js';

const deps = (souk: Souk): StepDeps => ({ db: souk.db, dialect: souk.dialect, box: souk.box });
/** A runner's clock `ms` ahead: the runner that comes after a lease ran out, or after a retry's wait. */
const ahead = (ms: number) => () => new Date(Date.now() + ms);

/** Runs the child (test/helpers/step-child.ts) until it says it stopped, then kills it with SIGKILL. */
async function killChildAt(env: Env, stop: 'after-reserve' | 'inside-send', key: string, effectsUrl: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/step-child.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', ...env, STEP_STOP: stop, STEP_RUN_KEY: key, STEP_EFFECTS_URL: effectsUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not stop ${stop} within ${START_CEILING_MS} ms:\n${output}`)), START_CEILING_MS);
    const read = (data: Buffer) => {
      output += data.toString();
      if (output.includes(`stopped ${stop.replace('-', ' ')}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the child exited before it stopped ${stop}:\n${output}`));
    });
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return output;
}

for (const kind of DATABASE_KINDS) {
  describe(`step runner (${kind})`, () => {
    let database: TestDatabase;
    let env: Env;
    let souk: Souk;
    let effects: EffectServer;

    before(async () => {
      database = await createTestDatabase(kind);
      env = testEnv(database);
      souk = await openSouk(loadConfig(env));
      effects = await startEffectServer();
    });
    after(async () => {
      await effects?.close();
      await souk?.close();
      await database?.drop();
    });

    test('a run killed between two steps is resumed from the next step by another runner, once the lease has run out: every effect happens exactly once', async () => {
      const key = 'order-between';
      const workflow = forwardingWorkflow(effects.url);
      await killChildAt(env, 'after-reserve', key, effects.url);
      assert.equal(effects.callsOf('do', 'reserve').filter((c) => c.key === key).length, 1);
      assert.equal(effects.callsOf('do', 'send').filter((c) => c.key === key).length, 0, 'killed before send started');
      const stopped = await readRun(souk.db, workflow.name, key);
      assert.equal(stopped?.status, 'running');
      // reserve's end and send's start are one record: the run stopped with send recorded as starting.
      assert.deepEqual(stopped?.steps.map((s) => [s.name, s.status]), [['reserve', 'done'], ['send', 'running']]);

      // The dead runner's lease still holds: nobody takes the run over yet.
      assert.deepEqual(await resumeRuns(deps(souk), [workflow]), []);
      const resumed = await resumeRuns(deps(souk), [workflow], { clock: ahead(STEP_LEASE_MS + 1000) });
      assert.deepEqual(resumed.map((r) => [r.key, r.status, r.started]), [[key, 'done', false]]);

      const mine = effects.calls.filter((c) => c.key === key);
      assert.deepEqual(mine.map((c) => `${c.kind}:${c.step}`), ['do:reserve', 'do:send', 'do:deliver'], 'each step called once, in order, and nothing undone');
      // `send` read reserve's output, and `deliver` send's, from the records the dead process wrote.
      assert.equal(mine[1]!.carried, `up-${mine[0]!.reference}`);
      assert.equal(mine[2]!.carried, `up-${mine[1]!.reference}`);
      const done = await readRun(souk.db, workflow.name, key);
      assert.equal(done?.status, 'done');
      // send's start was recorded by the dead runner too, so the resumer's is counted as its second.
      assert.deepEqual(done?.steps.map((s) => [s.name, s.status, s.attempts]), [['reserve', 'done', 1], ['send', 'done', 2], ['deliver', 'done', 1]]);
      assert.equal(done?.attempts, 2, 'taken twice: by its starter and by the runner that resumed it');
      // Finished runs are not taken again.
      assert.deepEqual(await resumeRuns(deps(souk), [workflow], { clock: ahead(2 * STEP_LEASE_MS) }), []);
    });

    test('a run killed inside a step runs that step again with the same reference, and the outside applies it once', async () => {
      const key = 'order-inside';
      const workflow = forwardingWorkflow(effects.url);
      await killChildAt(env, 'inside-send', key, effects.url);
      const resumed = await resumeRuns(deps(souk), [workflow], { clock: ahead(STEP_LEASE_MS + 1000) });
      assert.deepEqual(resumed.map((r) => [r.key, r.status]), [[key, 'done']]);
      const sends = effects.callsOf('do', 'send').filter((c) => c.key === key);
      assert.equal(sends.length, 2, 'the step ran again: its first outcome was never recorded');
      assert.equal(sends[0]!.reference, sends[1]!.reference, 'with the same idempotency reference');
      assert.equal(effects.applied.get(`do:${sends[0]!.reference}`), 1);
      for (const step of ['reserve', 'deliver']) assert.equal(effects.callsOf('do', step).filter((c) => c.key === key).length, 1, step);
      const done = await readRun(souk.db, workflow.name, key);
      assert.deepEqual(done?.steps.map((s) => [s.name, s.status, s.attempts]), [['reserve', 'done', 1], ['send', 'done', 2], ['deliver', 'done', 1]]);
    });

    test('a failing step undoes the steps that ran, last first, recording each undo', async () => {
      const key = 'order-refused';
      const failing = await startEffectServer((call) => (call.kind === 'do' && call.step === 'deliver' ? 409 : 200));
      try {
        const events: RunProgress[] = [];
        const outcome = await startRun(deps(souk), forwardingWorkflow(failing.url), key, { orderId: key, secret: 's' }, { onProgress: (e) => void events.push(e) });
        assert.equal(outcome.status, 'compensated');
        assert.equal(outcome.failedStep, 'deliver');
        assert.match(outcome.error ?? '', /deliver: the upstream answered 409/);
        assert.deepEqual(failing.calls.map((c) => `${c.kind}:${c.step}`), ['do:reserve', 'do:send', 'do:deliver', 'undo:send', 'undo:reserve']);
        // Each undo is given its step's own reference.
        assert.equal(failing.callsOf('undo', 'send')[0]!.reference, failing.callsOf('do', 'send')[0]!.reference);
        assert.deepEqual(
          events.map((e) => ('step' in e ? `${e.kind}:${e.step}` : e.kind)),
          ['step-done:reserve', 'step-done:send', 'step-failed:deliver', 'step-compensated:send', 'step-compensated:reserve', 'run-compensated'],
        );
        const record = await readRun(souk.db, 'test-forwarding', key);
        assert.deepEqual(record?.steps.map((s) => [s.name, s.status, s.compensationAttempts]), [['reserve', 'compensated', 1], ['send', 'compensated', 1], ['deliver', 'failed', 0]]);
        assert.ok(record?.finishedAt);
      } finally {
        await failing.close();
      }
    });

    test('an undo that fails is recorded and tried again later, never dropped; the undos before it are not repeated', async () => {
      const key = 'order-stubborn';
      // deliver is refused; the first undo of reserve fails too.
      const failing = await startEffectServer((call, nth) => (call.kind === 'do' && call.step === 'deliver' ? 409 : call.kind === 'undo' && call.step === 'reserve' && nth === 1 ? 503 : 200));
      try {
        const workflow = forwardingWorkflow(failing.url);
        const first = await startRun(deps(souk), workflow, key, { orderId: key, secret: 's' });
        assert.equal(first.status, 'compensating');
        assert.match(first.error ?? '', /undo reserve: the upstream answered 503/);
        const waiting = await readRun(souk.db, workflow.name, key);
        assert.deepEqual(waiting?.steps.map((s) => [s.name, s.status, s.compensationAttempts, s.compensationError]), [
          ['reserve', 'done', 1, 'undo reserve: the upstream answered 503'],
          ['send', 'compensated', 1, null],
          ['deliver', 'failed', 0, null],
        ]);
        // Not before its retry is due.
        assert.deepEqual(await resumeRuns(deps(souk), [workflow]), []);
        const wait = COMPENSATION_RETRY_SECONDS[0]! * 1000;
        assert.ok(Date.parse(waiting!.nextAttemptAt) >= Date.now() + wait - 5_000, waiting!.nextAttemptAt);
        const retried = await resumeRuns(deps(souk), [workflow], { clock: ahead(wait + 1000) });
        assert.deepEqual(retried.map((r) => [r.key, r.status]), [[key, 'compensated']]);
        assert.deepEqual(failing.calls.map((c) => `${c.kind}:${c.step}`), ['do:reserve', 'do:send', 'do:deliver', 'undo:send', 'undo:reserve', 'undo:reserve']);
        const record = await readRun(souk.db, workflow.name, key);
        assert.deepEqual(record?.steps.map((s) => [s.name, s.status, s.compensationAttempts]), [['reserve', 'compensated', 2], ['send', 'compensated', 1], ['deliver', 'failed', 0]]);
      } finally {
        await failing.close();
      }
    });

    test('a step whose outcome is not known yet is tried again later with the same reference, and nothing is undone', async () => {
      const key = 'order-pending';
      const pending = await startEffectServer((call, nth) => (call.kind === 'do' && call.step === 'send' && nth === 1 ? 202 : 200));
      try {
        const workflow = forwardingWorkflow(pending.url);
        const first = await startRun(deps(souk), workflow, key, { orderId: key, secret: 's' });
        assert.equal(first.status, 'running');
        assert.deepEqual(await resumeRuns(deps(souk), [workflow]), [], 'not before the step asked to be tried');
        const later = await resumeRuns(deps(souk), [workflow], { clock: ahead(61_000) });
        assert.deepEqual(later.map((r) => r.status), ['done']);
        const sends = pending.callsOf('do', 'send');
        assert.equal(sends.length, 2);
        assert.equal(sends[0]!.reference, sends[1]!.reference);
        assert.deepEqual(pending.calls.filter((c) => c.kind === 'undo'), []);
      } finally {
        await pending.close();
      }
    });

    test('starting one run key twice, at once or later, runs the workflow once', async () => {
      const key = 'order-twice';
      const workflow = forwardingWorkflow(effects.url);
      const input = { orderId: key, secret: 's' };
      const both = await Promise.all([startRun(deps(souk), workflow, key, input), startRun(deps(souk), workflow, key, input)]);
      assert.deepEqual(both.map((o) => o.started).sort(), [false, true]);
      assert.equal(new Set(both.map((o) => o.runId)).size, 1);
      const again = await startRun(deps(souk), workflow, key, input);
      assert.deepEqual([again.started, again.status, again.runId], [false, 'done', both[0]!.runId]);
      for (const step of FORWARDING_STEPS) assert.equal(effects.callsOf('do', step).filter((c) => c.key === key).length, 1, step);
    });

    test("a run's input and outputs rest sealed under the master key", async () => {
      const key = 'order-sealed';
      const secret = 'GIFT-CARD-SEALED-4242';
      await startRun(deps(souk), forwardingWorkflow(effects.url), key, { orderId: key, secret });
      const { rows } = await sql<{ input: string; output: string | null }>`
        select r.input, s.output from step_runs r join step_run_steps s on s.run_id = r.id where r.run_key = ${key}`.execute(souk.db);
      assert.equal(rows.length, FORWARDING_STEPS.length);
      for (const row of rows) {
        for (const value of [row.input, row.output!]) {
          assert.ok(souk.box.isCurrent(value), value);
          assert.ok(!value.includes(secret) && !value.includes(key));
        }
      }
      const outputs = rows.map((row) => JSON.parse(souk.box.open(row.output!)) as unknown);
      assert.ok(outputs.some((o) => (o as { secret?: string } | null)?.secret === secret), 'send returned the secret, sealed');
    });
  });
}

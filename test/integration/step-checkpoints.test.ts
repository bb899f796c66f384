// A workflow checkpointed when it pauses (core/steps, `checkpoints: 'when-paused'`): a run that
// goes straight through writes its records once, at its end; a step that asks to be tried later
// records the steps before it and its own start, and the run goes on from it, never re-running
// them; a failure records what ran and undoes it; a runner that stops mid-run leaves nothing
// recorded, so the runner that takes over runs it again from the start. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { loadConfig } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { defineStep, defineWorkflow, readRun, resumeRuns, startRun, STEP_LEASE_MS, TryStepLater, type StepDeps } from '../../src/core/steps/index.js';
import type { Db } from '../../src/db/index.js';

const ahead = (ms: number) => () => new Date(Date.now() + ms);

/** A three-step workflow whose steps count their runs and undos; `second` does what the test says. */
function countingWorkflow(name: string, second: (attempt: number) => Promise<void>) {
  const ran: string[] = [];
  const step = (id: string, body?: (attempt: number) => Promise<void>) =>
    defineStep<{ n: number }, string>(id, {
      async run(input, ctx) {
        ran.push(`${id}#${ctx.attempt}`);
        await body?.(ctx.attempt);
        return `${id}-${input.n}`;
      },
      async compensate(_input, output) {
        ran.push(`undo:${output}`);
      },
    });
  const first = step('first');
  const last = defineStep<{ n: number }, string>('third', {
    async run(_input, ctx) {
      ran.push(`third#${ctx.attempt}`);
      return `${ctx.outputOf(first)}+`;
    },
  });
  return { ran, workflow: defineWorkflow(name, [first, step('second', second), last], { checkpoints: 'when-paused' }) };
}

/**
 * Two steps; the last writes the setting `key` and ends the run in that same transaction
 * (ctx.finishIn), then runs `after` inside it; `before` runs first, outside it.
 */
function finishingWorkflow(name: string, db: () => Db, key: string, hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {}) {
  const undone: string[] = [];
  const first = defineStep<{ n: number }, string>('first', {
    run: async (input) => `first-${input.n}`,
    compensate: async (_input, output) => void undone.push(output),
  });
  const last = defineStep<{ n: number }, string>('last', {
    async run(_input, ctx) {
      await hooks.before?.();
      const output = `${ctx.outputOf(first)}+last`;
      await db()
        .transaction()
        .execute(async (tx) => {
          await tx.insertInto('settings').values({ key, value: output, updated_at: new Date().toISOString() }).execute();
          await ctx.finishIn!(tx, output);
          await hooks.after?.();
        });
      return output;
    },
  });
  return { undone, workflow: defineWorkflow(name, [first, last], { checkpoints: 'when-paused' }) };
}

for (const kind of DATABASE_KINDS) {
  describe(`step checkpoints when paused (${kind})`, () => {
    let database: TestDatabase;
    let souk: Souk;
    let deps: StepDeps;

    before(async () => {
      database = await createTestDatabase(kind);
      souk = await openSouk(loadConfig(testEnv(database)));
      deps = { db: souk.db, dialect: souk.dialect, box: souk.box };
    });
    after(async () => {
      await souk?.close();
      await database?.drop();
    });

    const recordsOf = async (workflow: string, key: string) => (await readRun(souk.db, workflow, key))?.steps.map((s) => [s.name, s.status, s.attempts]);

    test('a run that goes straight through is recorded at its end: every step done, with the outputs later steps read', async () => {
      const { ran, workflow } = countingWorkflow('cp-straight', async () => {});
      const progress: string[] = [];
      const outcome = await startRun(deps, workflow, 'k1', { n: 1 }, { onProgress: (e) => void progress.push(`${e.kind}:${'step' in e ? e.step : ''}`) });
      assert.equal(outcome.status, 'done');
      assert.deepEqual(ran, ['first#1', 'second#1', 'third#1']);
      assert.deepEqual(await recordsOf('cp-straight', 'k1'), [['first', 'done', 1], ['second', 'done', 1], ['third', 'done', 1]]);
      assert.deepEqual(progress, ['step-done:first', 'step-done:second', 'step-done:third', 'run-done:'], 'each step is told once its record is written');
    });

    test('a step that asks to be tried later is recorded with the steps before it, and the run goes on from it', async () => {
      const { ran, workflow } = countingWorkflow('cp-later', async (attempt) => {
        if (attempt === 1) throw new TryStepLater('not yet', 0);
      });
      const paused = await startRun(deps, workflow, 'k2', { n: 2 });
      assert.equal(paused.status, 'running');
      assert.deepEqual(await recordsOf('cp-later', 'k2'), [['first', 'done', 1], ['second', 'running', 1]]);
      const [resumed] = await resumeRuns(deps, [workflow], { clock: ahead(1000) });
      assert.equal(resumed?.status, 'done');
      assert.deepEqual(ran, ['first#1', 'second#1', 'second#2', 'third#1'], 'first is not run again, second counts on from its record');
      assert.deepEqual(await recordsOf('cp-later', 'k2'), [['first', 'done', 1], ['second', 'done', 2], ['third', 'done', 1]]);
    });

    test('a failing step records what ran and the run undoes it, last first', async () => {
      const { ran, workflow } = countingWorkflow('cp-fail', async () => {
        throw new Error('refused');
      });
      const outcome = await startRun(deps, workflow, 'k3', { n: 3 });
      assert.equal(outcome.status, 'compensated');
      assert.deepEqual(ran, ['first#1', 'second#1', 'undo:first-3']);
      assert.deepEqual(await recordsOf('cp-fail', 'k3'), [['first', 'compensated', 1], ['second', 'failed', 1]]);
    });

    const settingOf = async (key: string) => (await souk.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;

    test('a last step that ends the run in its own transaction commits its write and every record together', async () => {
      const { workflow } = finishingWorkflow('cp-finish-in', () => souk.db, 'test.finish-in');
      const progress: string[] = [];
      const outcome = await startRun(deps, workflow, 'k5', { n: 5 }, { onProgress: (e) => void progress.push(`${e.kind}:${'step' in e ? e.step : ''}`) });
      assert.equal(outcome.status, 'done');
      assert.equal(await settingOf('test.finish-in'), 'first-5+last');
      assert.deepEqual(await recordsOf('cp-finish-in', 'k5'), [['first', 'done', 1], ['last', 'done', 1]]);
      assert.deepEqual(progress, ['step-done:first', 'step-done:last', 'run-done:']);
    });

    test('a last step whose transaction fails after it ended the run records nothing of that end: the run is undone as after any failure', async () => {
      const { undone, workflow } = finishingWorkflow('cp-finish-rolled-back', () => souk.db, 'test.finish-rolled-back', {
        after: async () => {
          throw new Error('refused after the end was written');
        },
      });
      const outcome = await startRun(deps, workflow, 'k6', { n: 6 });
      assert.equal(outcome.status, 'compensated');
      assert.equal(await settingOf('test.finish-rolled-back'), undefined, 'the write went with the transaction');
      assert.deepEqual(await recordsOf('cp-finish-rolled-back', 'k6'), [['first', 'compensated', 1], ['last', 'failed', 1]]);
      assert.deepEqual(undone, ['first-6']);
    });

    test('a runner whose run was taken over cannot end it in its step: the step\'s transaction rolls back and the run is as the other runner left it', async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let calls = 0;
      const { workflow } = finishingWorkflow('cp-finish-taken', () => souk.db, 'test.finish-taken', {
        before: async () => {
          if (++calls === 1) await held;
        },
      });
      const first = startRun(deps, workflow, 'k7', { n: 7 });
      while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
      const [takenOver] = await resumeRuns(deps, [workflow], { clock: ahead(STEP_LEASE_MS + 1000) });
      assert.equal(takenOver?.status, 'done');
      await souk.db.deleteFrom('settings').where('key', '=', 'test.finish-taken').execute();
      release();
      const late = await first;
      assert.equal(late.status, 'done', 'the first runner reports where the run stands');
      assert.equal(await settingOf('test.finish-taken'), undefined, "the first runner's write was rolled back");
    });

    test('a runner that stops mid-run leaves nothing recorded: the runner that takes over runs every step again, and the first one can record nothing', async () => {
      let release: () => void = () => {};
      const stuck = new Promise<void>((resolve) => (release = resolve));
      const { ran, workflow } = countingWorkflow('cp-takeover', async (attempt) => {
        if (attempt === 1 && !ran.includes('second#1#again')) {
          ran.push('second#1#again');
          await stuck;
        }
      });
      const first = startRun(deps, workflow, 'k4', { n: 4 });
      while (!ran.includes('second#1#again')) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(await recordsOf('cp-takeover', 'k4'), [], 'nothing recorded while it runs');
      const [takenOver] = await resumeRuns(deps, [workflow], { clock: ahead(STEP_LEASE_MS + 1000) });
      assert.equal(takenOver?.status, 'done');
      release();
      const late = await first;
      assert.equal(late.status, 'done', 'the first runner, its claim lost, reports where the run stands');
      assert.deepEqual(ran.filter((r) => r.startsWith('first')), ['first#1', 'first#1'], 'the run went again from its start');
      assert.deepEqual(await recordsOf('cp-takeover', 'k4'), [['first', 'done', 1], ['second', 'done', 1], ['third', 'done', 1]]);
    });
  });
}

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

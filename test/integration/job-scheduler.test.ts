// A schedule runs once per interval however many processes take part: two real processes share
// one database, and every run (a slot: the time the schedule's row waited for) is taken by exactly
// one of them, the slots one interval apart or more.
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { ROOT, START_CEILING_MS } from '../helpers/processes.js';
import { until } from '../helpers/until.js';
import { nextSlot } from '../../src/core/jobs/index.js';
import type { Env } from '../../src/config.js';

const EVERY_MS = 200;
const RUNS = 15;

interface SchedulerProcess {
  child: ChildProcess;
  slots(): string[];
  stop(): Promise<number | null>;
}

function startSchedulerProcess(env: Env): Promise<SchedulerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/scheduler-process.ts'), 'probe', String(EVERY_MS)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the scheduler process did not start:\n${output}`));
    }, START_CEILING_MS);
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve({
          child,
          slots: () => [...output.matchAll(/^ran (\S+)$/gm)].map((m) => m[1]!),
          stop: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  });
}

test('the next slot keeps the cadence and skips what was missed', () => {
  const from = '2026-01-01T00:00:00.000Z';
  assert.equal(nextSlot(from, 1000, new Date('2026-01-01T00:00:00.500Z')), '2026-01-01T00:00:01.000Z');
  assert.equal(nextSlot(from, 1000, new Date('2026-01-01T00:00:05.200Z')), '2026-01-01T00:00:06.000Z');
});

for (const kind of DATABASE_KINDS) {
  describe(`a schedule across two processes (${kind})`, () => {
    let t: TestSouk;
    const processes: SchedulerProcess[] = [];
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(async () => {
      for (const p of processes) await p.stop();
      await t?.close();
    });

    test('each run is taken by one process only, one interval apart', async () => {
      processes.push(...(await Promise.all([startSchedulerProcess(t.env), startSchedulerProcess(t.env)])));
      const taken = () => processes.flatMap((p) => p.slots());
      await until(taken, (slots) => slots.length >= RUNS, `${RUNS} runs between the two processes`);
      for (const p of processes) assert.equal(await p.stop(), 0);
      const slots = taken();
      assert.equal(new Set(slots).size, slots.length, `no slot was run twice: ${slots.join(' ')}`);
      const sorted = [...slots].sort();
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(Date.parse(sorted[i]!) - Date.parse(sorted[i - 1]!) >= EVERY_MS, `runs ${sorted[i - 1]} and ${sorted[i]} are less than an interval apart`);
      }
      const row = await t.souk.db.selectFrom('job_schedules').select(['runs', 'next_run_at']).where('name', '=', 'probe').executeTakeFirstOrThrow();
      assert.equal(row.runs, slots.length, 'the row counted every run, and no other');
      assert.ok(row.next_run_at > sorted.at(-1)!, 'the row waits for a later run');
    });
  });
}

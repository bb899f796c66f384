// A process that takes part in one schedule and says which runs it took: `node --import tsx
// test/helpers/scheduler-process.ts <name> <every ms>`, with SOUK_DATABASE_URL in its environment.
// Prints `ready` once its scheduler runs, then `ran <slot>` for each run it takes, and stops on SIGTERM.
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { defineSchedule, Scheduler } from '../../src/core/jobs/index.js';

const [name = 'probe', every = '200'] = process.argv.slice(2);
const handle = openDatabase(loadConfig(process.env).database);
const scheduler = new Scheduler({
  db: handle.db,
  context: undefined,
  schedules: [defineSchedule<undefined>({ name, everyMs: Number(every), run: async () => undefined })],
  onError: (error) => process.stderr.write(`scheduler: ${String(error)}\n`),
  onRun: (_name, slot) => process.stdout.write(`ran ${slot}\n`),
});
// The scheduler's timers do not hold a process open (a server's do); this one is held until SIGTERM.
const alive = setInterval(() => undefined, 60_000);
process.on('SIGTERM', () => {
  clearInterval(alive);
  void scheduler
    .stop()
    .then(() => handle.close())
    .then(() => process.exit(0));
});
scheduler.start();
process.stdout.write('ready\n');

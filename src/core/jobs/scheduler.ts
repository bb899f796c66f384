// Periodic work that holds across processes: each schedule is a row whose next_run_at is the run it
// waits for. A process whose clock has passed it advances it with a conditional update (`WHERE
// next_run_at = <what it read>`); of any number of processes only one changes the row, and that one
// runs the schedule. A run lost to a crash is made up at the next interval: periodic work is a
// sweep over what is due, so it is idempotent by nature. Work that must not be lost is enqueued as
// jobs by the run.
import type { Db } from '../../db/index.js';
import type { Schedule } from './define.js';

/** The first run after `slot` that is in the future: slots keep their cadence, and missed ones are not run in a burst. */
export function nextSlot(slot: string, everyMs: number, now: Date): string {
  const from = Date.parse(slot);
  const missed = Math.max(0, Math.floor((now.getTime() - from) / everyMs));
  return new Date(from + (missed + 1) * everyMs).toISOString();
}

export interface SchedulerOptions<C> {
  db: Db;
  context: C;
  schedules: ReadonlyArray<Schedule<C>>;
  /** Told of every failure: a run that threw (named), or the scheduler's own reads and writes. */
  onError(error: unknown, schedule?: string): void;
  /** Told of every run this process takes, with the slot (the next_run_at it advanced). */
  onRun?(name: string, slot: string): void;
}

/** Looks at least this often, so a row advanced by another process (or a changed interval) is seen in time. */
const MAX_SLEEP_MS = 1000;

export class Scheduler<C> {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private readonly running = new Map<string, Promise<void>>();
  /** A process takes part in a schedule one interval after it starts, as a timer started with it would. */
  private joinsAt = new Map<string, number>();

  constructor(private readonly options: SchedulerOptions<C>) {}

  start(): void {
    const now = Date.now();
    this.joinsAt = new Map(this.options.schedules.map((s) => [s.name, now + s.everyMs]));
    this.tick();
  }

  /** Stops taking runs; resolves once the runs of this process have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.running.values()]);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.ticking = this.round()
      .catch((error: unknown) => {
        this.options.onError(error);
        return MAX_SLEEP_MS;
      })
      .then((sleepMs) => {
        this.ticking = undefined;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), Math.max(5, Math.min(sleepMs, MAX_SLEEP_MS)));
        this.timer.unref();
      });
  }

  /** Takes every schedule that is due and not running here; returns how long to sleep until the next. */
  private async round(): Promise<number> {
    let sleepMs = MAX_SLEEP_MS;
    for (const schedule of this.options.schedules) {
      if (this.stopped) break;
      const next = await this.take(schedule);
      sleepMs = Math.min(sleepMs, Date.parse(next) - Date.now());
    }
    return sleepMs;
  }

  /** Runs the schedule if this process wins its due run; returns when it is next due. */
  private async take(schedule: Schedule<C>): Promise<string> {
    const { db } = this.options;
    const now = new Date();
    const joinsAt = this.joinsAt.get(schedule.name) ?? 0;
    if (now.getTime() < joinsAt) return new Date(joinsAt).toISOString();
    let row = await db.selectFrom('job_schedules').select('next_run_at').where('name', '=', schedule.name).executeTakeFirst();
    if (!row) {
      await db
        .insertInto('job_schedules')
        .values({ name: schedule.name, next_run_at: now.toISOString(), runs: 0, updated_at: now.toISOString() })
        .onConflict((c) => c.column('name').doNothing())
        .execute();
      row = await db.selectFrom('job_schedules').select('next_run_at').where('name', '=', schedule.name).executeTakeFirstOrThrow();
    }
    const slot = row.next_run_at;
    if (Date.parse(slot) > now.getTime()) return slot;
    const next = nextSlot(slot, schedule.everyMs, now);
    // The previous run here is still going: leave this one to another process, or to the next look.
    if (this.running.has(schedule.name)) return new Date(now.getTime() + 50).toISOString();
    const taken = await db
      .updateTable('job_schedules')
      .set((eb) => ({ next_run_at: next, runs: eb('runs', '+', 1), last_run_at: now.toISOString(), updated_at: now.toISOString() }))
      .where('name', '=', schedule.name)
      .where('next_run_at', '=', slot)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) return next;
    this.options.onRun?.(schedule.name, slot);
    const run = schedule
      .run(this.options.context)
      .then(
        () => undefined,
        async (error: unknown) => {
          this.options.onError(error, schedule.name);
          const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
          await db.updateTable('job_schedules').set({ last_error: message }).where('name', '=', schedule.name).execute();
        },
      )
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => this.running.delete(schedule.name));
    this.running.set(schedule.name, run);
    return next;
  }
}

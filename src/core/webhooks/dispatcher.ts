// The dispatcher: publishes committed events into deliveries, claims the due ones, sends them
// (many at once), and records the outcomes in batches, through core/jobs' lease protocol. It wakes
// when events commit (in process, and LISTEN/NOTIFY on PostgreSQL, on the process's one LISTEN
// connection), when a retry falls due, when a 100 ms look finds unpublished
// events (a wake that never came: another process on SQLite, a lost notice), and once a second.
import type { Db, Dialect } from '../../db/index.js';
import type { SecretBox } from '../crypto.js';
import { nowIso } from '../clock.js';
import { hasUnpublishedEvents, outboxSignal } from '../events/index.js';
import { WakeListener, type WakeNotice } from '../jobs/index.js';
import type { CodeVault } from '../inventory/index.js';
import { claimDeliveries, fanOutEvents, type DeliveryJob } from './deliveries.js';
import { recordOutcomes, succeeded, type AttemptOutcome, type Breaker } from './outcomes.js';
import { renderBodies, resolveTargets } from './render.js';
import { parseRetryAfter } from './schedule.js';
import { createSender, type Sender, type SendResult } from './sender.js';
import { signDelivery } from './signing.js';
import type { DispatcherMetrics } from './metrics.js';

export interface DispatcherOptions {
  db: Db;
  dialect: Dialect;
  box: SecretBox;
  vault: CodeVault;
  allowPrivate: boolean;
  /** Seconds between tries of a failing delivery; see schedule.ts. */
  retrySchedule: readonly number[];
  /** PostgreSQL: the process's LISTEN connection (core/jobs), shared with its other workers. */
  listener?: WakeListener;
  /** PostgreSQL, without a shared listener: the URL to LISTEN on, with a connection of the dispatcher's own. */
  databaseUrl?: string;
  /** When a failing endpoint is paused (circuit breaker). */
  breaker?: Breaker;
  /** Deliveries in flight at once. */
  concurrency?: number;
  metrics?: DispatcherMetrics;
  onError(error: unknown): void;
}

const SAFETY_POLL_MS = 1000;
/**
 * Rounds start at most this often. Under order load events commit hundreds of times a second;
 * a round per commit would publish and claim a few rows at a time, and on SQLite every round
 * takes the one connection placements need. Gathered, a round handles all of them at once.
 */
const MIN_ROUND_MS = 20;
const LOOK_MS = 100;
const FAN_OUT_BATCH = 500;

export class Dispatcher {
  private readonly sender: Sender;
  private readonly concurrency: number;
  private inFlight = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private results: AttemptOutcome[] = [];
  private flushing: Promise<void> | undefined;
  private poll: NodeJS.Timeout | undefined;
  private look: NodeJS.Timeout | undefined;
  private looking = false;
  /** The LISTEN connection this dispatcher made for itself (none when it shares the process's). */
  private ownListener: WakeListener | undefined;
  private unlisten: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idle = new Set<() => void>();
  /**
   * Whether a claim could find anything. Events commit hundreds of times a second under order load
   * and most make no delivery; claiming after each round's fan-out would be a write (on SQLite,
   * the one connection placements need) that finds nothing. So claims run only after something
   * that can make a delivery due: deliveries written, a retry's time, freed slots, another
   * worker's notice, and the safety poll (which also finds leases that ran out).
   */
  private claimable = true;
  /**
   * Whether events may be waiting for publication. A notice of new deliveries (another worker's
   * fan-out) needs only a claim; trying to publish too cost both workers a transaction that found
   * nothing, on every round, while orders waited for the same database.
   */
  private publishable = true;
  private readonly wake = () => {
    this.publishable = true;
    this.kick();
  };
  private readonly wakeToClaim = () => {
    this.claimable = true;
    this.kick();
  };
  private readonly wakeForAnything = () => {
    this.publishable = true;
    this.wakeToClaim();
  };
  private readonly onNotice = (notice: WakeNotice | 'any') => {
    if (notice === 'events') this.wake();
    else if (notice === 'deliveries') this.wakeToClaim();
    // Jobs are the job worker's; anything else (a reconnect: notices were lost) may be for us.
    else if (notice !== 'jobs') this.wakeForAnything();
  };

  constructor(private readonly options: DispatcherOptions) {
    this.sender = createSender({ allowPrivate: options.allowPrivate });
    this.concurrency = options.concurrency ?? 64;
  }

  async start(): Promise<void> {
    outboxSignal.on('inserted', this.wake);
    outboxSignal.on('due', this.wakeToClaim);
    let listener = this.options.listener;
    if (!listener && this.options.dialect === 'postgres' && this.options.databaseUrl) {
      listener = this.ownListener = new WakeListener({ url: this.options.databaseUrl, onError: this.options.onError });
      await listener.start();
    }
    this.unlisten = listener?.subscribe('any', this.onNotice);
    this.poll = setInterval(this.wakeForAnything, SAFETY_POLL_MS);
    this.poll.unref();
    this.look = setInterval(() => void this.lookForEvents(), LOOK_MS);
    this.look.unref();
    this.kick();
  }

  /** Stops taking work and waits for deliveries in flight to be sent and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    outboxSignal.off('inserted', this.wake);
    outboxSignal.off('due', this.wakeToClaim);
    if (this.poll) clearInterval(this.poll);
    if (this.look) clearInterval(this.look);
    if (this.gathering) clearTimeout(this.gathering);
    for (const timer of this.timers) clearTimeout(timer);
    this.unlisten?.();
    await this.ownListener?.stop();
    while (this.inFlight > 0 || this.pumping || this.flushing || this.results.length) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
    this.sender.close();
  }

  /** One cheap read (a partial index): is any committed event still unpublished? */
  private async lookForEvents(): Promise<void> {
    if (this.looking || this.pumping || this.stopped) return;
    this.looking = true;
    try {
      if (await hasUnpublishedEvents(this.options.db)) this.wake();
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.looking = false;
    }
  }

  private lastRound = 0;
  private gathering: NodeJS.Timeout | undefined;

  /** Asks for a round of work soon; rounds never overlap, and start at most every MIN_ROUND_MS. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    const wait = this.lastRound + MIN_ROUND_MS - Date.now();
    if (wait > 0) {
      this.gathering ??= setTimeout(() => {
        this.gathering = undefined;
        this.kick();
      }, wait);
      return;
    }
    this.lastRound = Date.now();
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      this.settle();
      if (this.again) this.kick();
    });
  }

  /** Wakes stop(), which looks again whether everything has finished. */
  private settle() {
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        // A full batch means there may be more; a short one means the outbox is drained.
        while (this.publishable && !this.stopped) {
          this.publishable = false;
          const made = await fanOutEvents(this.options.db, FAN_OUT_BATCH);
          if (made.deliveries > 0) this.claimable = true;
          if (made.events === FAN_OUT_BATCH) this.publishable = true;
        }
        while (this.claimable && !this.stopped && this.inFlight < this.concurrency) {
          const room = this.concurrency - this.inFlight;
          const { jobs, putBack } = await claimDeliveries(this.options.db, this.options.dialect, room);
          if (jobs.length) await this.launch(jobs);
          // Fewer than there was room for: nothing else is due now. (Those put back behind a probe
          // count as claimed: the next claim skips their endpoint and may find others due.)
          if (jobs.length + putBack < room) {
            this.claimable = false;
            break;
          }
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async launch(jobs: DeliveryJob[]): Promise<void> {
    const now = nowIso();
    const targets = await resolveTargets(this.options, jobs, now);
    const bodies = await renderBodies(this.options, jobs, targets);
    for (const job of jobs) {
      const target = targets.get(job.id);
      this.inFlight += 1;
      const { body, signingSecret } = bodies.get(job.id)!;
      const attempt = target
        ? this.sender.send(target.url, { ...signDelivery(target.secrets, job.event_id, Math.floor(Date.now() / 1000), body, signingSecret) }, body)
        : Promise.resolve<SendResult>({ statusCode: null, error: 'the endpoint no longer exists', durationMs: 0, final: true });
      void attempt.then((sent) => {
        this.inFlight -= 1;
        const retryAfterSeconds = parseRetryAfter(sent.retryAfter);
        this.results.push({ job, statusCode: sent.statusCode, error: sent.error, durationMs: sent.durationMs, at: nowIso(), ...(sent.final ? { final: true } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
        this.options.metrics?.observeAttempt(job, sent.statusCode, sent.durationMs);
        this.flushSoon();
      });
    }
  }

  private flushSoon() {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      while (this.results.length) {
        const batch = this.results;
        this.results = [];
        try {
          const recorded = await recordOutcomes(this.options.db, batch, this.options.retrySchedule, this.options.breaker);
          this.options.metrics?.observeRecorded(batch.filter(succeeded).map((o) => o.job), recorded.dead);
          for (const delay of recorded.retries) if (delay < SAFETY_POLL_MS) this.later(delay);
        } catch (error) {
          // The claims' leases run out and the deliveries are tried again: nothing is lost.
          this.options.onError(error);
        }
      }
      this.flushing = undefined;
      this.settle();
      // Freed slots, and chains whose next delivery may now go.
      this.wakeToClaim();
    });
  }

  private later(ms: number) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wakeToClaim();
    }, ms + 5);
    this.timers.add(timer);
  }
}

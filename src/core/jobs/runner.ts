// The loop every leased queue's worker runs: claim what is due (as many as there are free slots),
// run each claimed item, and claim again when a slot frees, a retry falls due, a wake-up comes, or
// the poll finds work another process made. Rounds never overlap; stop() waits for what is running.

/** What a queue's worker does; the runner decides when. */
export interface QueueWork<T> {
  /** Before each claim: turn what arrived into queued rows (the mailer reads the event feed). */
  prepare?(): Promise<void>;
  /** Claims up to `room` due items. */
  claim(room: number): Promise<T[]>;
  /** Runs one item and records its outcome; resolves with the milliseconds until its retry is due, if one was scheduled. */
  run(item: T): Promise<number | undefined>;
  /** One cheap look for the poll: is anything waiting? */
  waiting(): Promise<boolean>;
}

export interface QueueRunnerOptions {
  /** Items run at once. */
  concurrency: number;
  /** How often to look for work nobody woke us for (another process on SQLite, a lost notice, a lease run out). */
  pollMs: number;
  onError(error: unknown): void;
}

export class QueueRunner<T> {
  private round: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private inFlight = 0;
  private poll: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly work: QueueWork<T>,
    private readonly options: QueueRunnerOptions,
  ) {}

  start(): void {
    this.poll = setInterval(() => void this.look(), this.options.pollMs);
    this.poll.unref();
    this.kick();
  }

  /** Stops claiming; resolves once the round and every item in flight have finished and been recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    for (const timer of this.timers) clearTimeout(timer);
    while (this.round || this.running.size) await Promise.allSettled([this.round, ...this.running]);
  }

  /** Runs a round now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.claimRound().finally(() => {
      this.round = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async claimRound(): Promise<void> {
    try {
      await this.work.prepare?.();
      while (!this.stopped && this.inFlight < this.options.concurrency) {
        const room = this.options.concurrency - this.inFlight;
        const items = await this.work.claim(room);
        for (const item of items) this.launch(item);
        // Fewer than there was room for: nothing else is due now.
        if (items.length < room) break;
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  private launch(item: T): void {
    this.inFlight += 1;
    const done: Promise<void> = this.work
      .run(item)
      .then((retryInMs) => {
        if (retryInMs !== undefined) this.later(retryInMs + 5);
      })
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.inFlight -= 1;
        this.running.delete(done);
        // A slot is free.
        this.kick();
      });
    this.running.add(done);
  }

  private later(ms: number): void {
    if (this.stopped || ms > 2_147_000_000) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.kick();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async look(): Promise<void> {
    if (this.round || this.stopped || this.inFlight >= this.options.concurrency) return;
    try {
      if (await this.work.waiting()) this.kick();
    } catch (error) {
      this.options.onError(error);
    }
  }
}

// One LISTEN connection per process for every worker in it (the webhook dispatcher, the job
// worker): notices from other processes are handed to whoever subscribed to their kind. When the
// connection is lost (a restarted database, a killed backend) it is made again, after 1 s and then
// up to 30 s apart, and every subscriber is woken once it is back: notices sent meanwhile were lost.
import pg from 'pg';
import { WAKE_CHANNEL, type WakeNotice } from './notices.js';

export class WakeListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private readonly subscribers = new Set<{ notice: WakeNotice | 'any'; wake: (notice: WakeNotice | 'any') => void }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: { url: string; onError(error: unknown): void }) {}

  /** Calls `wake` on each notice of this kind (`any`: every notice), and once after a reconnect. Returns the unsubscribe. */
  subscribe(notice: WakeNotice | 'any', wake: (notice: WakeNotice | 'any') => void): () => void {
    const entry = { notice, wake };
    this.subscribers.add(entry);
    return () => this.subscribers.delete(entry);
  }

  /** Connects and LISTENs; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.client?.end().catch(() => undefined);
  }

  private deliver(notice: string | undefined) {
    for (const { notice: wanted, wake } of this.subscribers) {
      if (notice === undefined || wanted === 'any' || wanted === notice) wake((notice as WakeNotice | undefined) ?? 'any');
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url });
    let live = false;
    const lost = (error: Error) => {
      if (!live) return;
      live = false;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.onError(error);
      this.listenAgain(1000);
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the LISTEN connection closed; connecting again')));
    client.on('notification', (message) => this.deliver(message.payload ?? 'any'));
    try {
      await client.connect();
      await client.query(`listen ${WAKE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    live = true;
    this.client = client;
  }

  private listenAgain(delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      this.listen().then(
        () => this.deliver(undefined),
        (error: unknown) => {
          this.options.onError(error);
          this.listenAgain(Math.min(delayMs * 2, 30_000));
        },
      );
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}

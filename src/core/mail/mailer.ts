// The mailer: queues mails for fulfilled e-mail orders from the event feed, then sends the due ones
// one at a time (so a crash repeats at most the one in flight). It wakes when events commit in this
// process (a moment later, once the dispatcher has published them), and looks every `pollMs` for
// work that another process made.
import type { Db, Dialect } from '../../db/index.js';
import { outboxSignal } from '../events/index.js';
import type { CodeVault } from '../inventory/index.js';
import { loadOrderDetail } from '../orders/index.js';
import { codesMail } from './compose.js';
import { claimNextMail, mailWorkWaiting, markMailFailed, markMailSent, queueOrderMails, type ClaimedMail } from './order-mails.js';
import type { MailTransport } from './transport.js';

export interface MailerOptions {
  db: Db;
  dialect: Dialect;
  vault: CodeVault;
  transport: MailTransport;
  /** The From header. */
  from: string;
  pollMs?: number;
  /** Seconds between tries of a failing mail; MAIL_RETRY_SCHEDULE by default. */
  retrySchedule?: readonly number[];
  /** Told of every mail sent; never given the codes. */
  onSent?(sent: { orderId: string; orderNumber: string; messageId: string; file?: string }): void;
  onError(error: unknown): void;
}

/**
 * After an in-process wake, give the dispatcher this long to publish the events first. Wakes in the
 * meantime are folded into the one pending, so under order load (a wake per committed batch) the
 * mailer reads the feed a few times a second rather than once per commit (on SQLite every read of
 * it that moves the cursor takes the one write lock that placements need).
 */
const PUBLISH_GRACE_MS = 100;

export class Mailer {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private waking: NodeJS.Timeout | undefined;
  private readonly wake = () => {
    this.waking ??= setTimeout(() => {
      this.waking = undefined;
      this.kick();
    }, PUBLISH_GRACE_MS);
  };

  constructor(private readonly options: MailerOptions) {}

  start(): void {
    outboxSignal.on('inserted', this.wake);
    this.poll = setInterval(() => void this.look(), this.options.pollMs ?? 500);
    this.poll.unref();
    this.kick();
  }

  /** Stops taking work; resolves once the mail in flight is sent and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    outboxSignal.off('inserted', this.wake);
    if (this.poll) clearInterval(this.poll);
    for (const timer of this.timers) clearTimeout(timer);
    if (this.waking) clearTimeout(this.waking);
    await this.running;
    this.options.transport.close();
  }

  /** Runs a round now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private later(ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.kick();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async look(): Promise<void> {
    if (this.running || this.stopped) return;
    try {
      if (await mailWorkWaiting(this.options.db)) this.kick();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async round(): Promise<void> {
    const { db, dialect } = this.options;
    try {
      while ((await queueOrderMails(db, dialect)).read > 0 && !this.stopped);
      while (!this.stopped) {
        const mail = await claimNextMail(db, dialect);
        if (!mail) break;
        await this.deliver(mail);
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async deliver(mail: ClaimedMail): Promise<void> {
    const { db, vault, transport, from } = this.options;
    let failure: string;
    try {
      const order = await loadOrderDetail(db, vault, mail.order_id);
      const sent = await transport.send(codesMail(order, mail.recipient, from, `<order-${order.id}@souk.mail>`), `${order.number}-${order.id}`);
      await markMailSent(db, mail, sent.messageId);
      this.options.onSent?.({ orderId: order.id, orderNumber: order.number, messageId: sent.messageId, ...(sent.file ? { file: sent.file } : {}) });
      return;
    } catch (error) {
      // SMTP and file-system errors name the server or path, never the message body.
      failure = error instanceof Error ? error.message : String(error);
      this.options.onError(error);
    }
    const delay = await markMailFailed(db, mail, failure, this.options.retrySchedule);
    if (delay !== undefined) this.later(delay + 5);
  }
}

// The mailer: queues mails for fulfilled e-mail orders from the event feed, then sends the due ones
// one at a time (so a crash repeats at most the one in flight), on core/jobs' queue runner. It wakes
// when events commit in this process (a moment later, once the dispatcher has published them), and
// looks every `pollMs` for work that another process made.
import type { Db, Dialect } from '../../db/index.js';
import { outboxSignal } from '../events/index.js';
import type { CodeVault } from '../inventory/index.js';
import { QueueRunner } from '../jobs/index.js';
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
  private readonly runner: QueueRunner<ClaimedMail>;
  private waking: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the feed may hold events not yet read: a mail sent (a slot freed) needs no read of it. */
  private feedUnread = true;
  private readonly wake = () => {
    this.feedUnread = true;
    this.waking ??= setTimeout(() => {
      this.waking = undefined;
      this.runner.kick();
    }, PUBLISH_GRACE_MS);
  };

  constructor(private readonly options: MailerOptions) {
    const { db, dialect } = options;
    this.runner = new QueueRunner<ClaimedMail>(
      {
        prepare: async () => {
          if (!this.feedUnread) return;
          this.feedUnread = false;
          while ((await queueOrderMails(db, dialect)).read > 0 && !this.stopped);
        },
        claim: async () => {
          const mail = await claimNextMail(db, dialect);
          return mail ? [mail] : [];
        },
        run: (mail) => this.deliver(mail),
        waiting: async () => {
          const waiting = await mailWorkWaiting(db);
          if (waiting) this.feedUnread = true;
          return waiting;
        },
      },
      { concurrency: 1, pollMs: options.pollMs ?? 500, onError: options.onError },
    );
  }

  start(): void {
    outboxSignal.on('inserted', this.wake);
    this.runner.start();
  }

  /** Stops taking work; resolves once the mail in flight is sent and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    outboxSignal.off('inserted', this.wake);
    if (this.waking) clearTimeout(this.waking);
    await this.runner.stop();
    this.options.transport.close();
  }

  /** Runs a round now, or right after the one running. */
  kick(): void {
    this.feedUnread = true;
    this.runner.kick();
  }

  private async deliver(mail: ClaimedMail): Promise<number | undefined> {
    const { db, vault, transport, from } = this.options;
    let failure: string;
    try {
      const order = await loadOrderDetail(db, vault, mail.order_id);
      const sent = await transport.send(codesMail(order, mail.recipient, from, `<order-${order.id}@souk.mail>`), `${order.number}-${order.id}`);
      await markMailSent(db, mail, sent.messageId);
      this.options.onSent?.({ orderId: order.id, orderNumber: order.number, messageId: sent.messageId, ...(sent.file ? { file: sent.file } : {}) });
      return undefined;
    } catch (error) {
      // SMTP and file-system errors name the server or path, never the message body.
      failure = error instanceof Error ? error.message : String(error);
      this.options.onError(error);
    }
    return markMailFailed(db, mail, failure, this.options.retrySchedule);
  }
}

// The mail queue for orders delivered by e-mail. Durable end to end:
//  1. An order's `order.fulfilled` outbox event commits with the order itself.
//  2. queueOrderMails() reads the published feed after its cursor and, in one transaction, writes
//     an order_mails row for each fulfilled e-mail order (unique per order) and moves the cursor.
//  3. order_mails is a leased queue (core/jobs' lease protocol): claimNextMail() leases one due row;
//     the sender marks it sent or schedules a retry, only while it still holds the claim. A worker
//     that dies mid-send leaves a lease that runs out, and the mail is sent again: at most the one
//     mail in flight is repeated, never lost.
import type { Db, Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { feedHasNewer, moveCursor, readFeedAfterCursor } from '../events/index.js';
import { anyDue, claimDue, completeClaims, failClaim, type LeasedQueue } from '../jobs/index.js';
import { emailDeliveries } from '../orders/index.js';

export const MAIL_CURSOR = 'order-mails';
/** How long a claimed mail is ours before another worker may send it again. */
export const MAIL_LEASE_MS = 120_000;
/** Seconds to wait after the 1st, 2nd, … failed attempt; after the last the mail is failed (about 2 days). */
export const MAIL_RETRY_SCHEDULE: readonly number[] = [10, 60, 300, 1800, 7200, 21_600, 43_200, 86_400];

/** order_mails as a leased queue: `failed` is its word for dead. */
export const MAIL_QUEUE: LeasedQueue = {
  table: 'order_mails',
  status: { waiting: 'pending', running: 'sending', done: 'sent', dead: 'failed' },
  leaseMs: MAIL_LEASE_MS,
  retrySchedule: MAIL_RETRY_SCHEDULE,
};

const FEED_BATCH = 500;

/**
 * Turns newly published `order.fulfilled` events of e-mail orders into queued mails, and moves the
 * cursor past every event it read. Returns how many events it read (FEED_BATCH means: call again).
 */
export async function queueOrderMails(db: Db, dialect: Dialect): Promise<{ read: number; queued: number }> {
  return db.transaction().execute(async (tx) => {
    // Two workers on PostgreSQL: the second waits for the cursor and then reads on from where the first stopped.
    const events = await readFeedAfterCursor(tx, dialect, MAIL_CURSOR, FEED_BATCH);
    if (!events.length) return { read: 0, queued: 0 };
    const fulfilled = new Map(events.filter((e) => e.type === 'order.fulfilled' && e.order_id !== null).map((e) => [e.order_id!, e.event_id]));
    let queued = 0;
    const orders = await emailDeliveries(tx, [...fulfilled.keys()]);
    if (orders.length) {
      const now = nowIso();
      const rows = orders.map((o) => ({
        order_id: o.id,
        event_id: fulfilled.get(o.id)!,
        recipient: o.recipient,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      }));
      const inserted = await tx.insertInto('order_mails').values(rows).onConflict((c) => c.column('order_id').doNothing()).returning('id').execute();
      queued = inserted.length;
    }
    await moveCursor(tx, MAIL_CURSOR, events.at(-1)!.position);
    return { read: events.length, queued };
  });
}

export interface ClaimedMail {
  id: number;
  order_id: string;
  recipient: string;
  attempts: number;
  claim_token: string;
}

/** Leases the oldest due mail (pending and due, or sending with its lease run out), if any. */
export async function claimNextMail(db: Db, dialect: Dialect, now = new Date()): Promise<ClaimedMail | undefined> {
  const [mail] = await claimDue<{ order_id: string; recipient: string }>(db, dialect, MAIL_QUEUE, { limit: 1, now, columns: ['order_id', 'recipient'] });
  return mail;
}

/** Records a sent mail; false when the claim was lost meanwhile (another worker took it over). */
export async function markMailSent(db: Db, mail: ClaimedMail, messageId: string): Promise<boolean> {
  const now = nowIso();
  return (await completeClaims(db, MAIL_QUEUE, [mail], { message_id: messageId.slice(0, 200), sent_at: now }, now)) === 1;
}

/** Records a failed attempt: tried again later, or `failed` once the schedule is spent. Returns the delay in ms, if any. */
export async function markMailFailed(db: Db, mail: ClaimedMail, error: string, schedule: readonly number[] = MAIL_RETRY_SCHEDULE): Promise<number | undefined> {
  return (await failClaim(db, MAIL_QUEUE, mail, { error, schedule })).delayMs;
}

/** Is anything waiting: unread events after the cursor, or a mail due now? One cheap look for the poll. */
export async function mailWorkWaiting(db: Db): Promise<boolean> {
  return (await feedHasNewer(db, MAIL_CURSOR)) || (await anyDue(db, MAIL_QUEUE));
}

// The mail queue for orders delivered by e-mail. Durable end to end:
//  1. An order's `order.fulfilled` outbox event commits with the order itself.
//  2. queueOrderMails() reads the published feed after its cursor and, in one transaction, writes
//     an order_mails row for each fulfilled e-mail order (unique per order) and moves the cursor.
//  3. claimNextMail() leases one due row; the sender marks it sent or schedules a retry, only while
//     it still holds the claim. A worker that dies mid-send leaves a lease that runs out, and the
//     mail is sent again: at most the one mail in flight is repeated, never lost.
import { sql } from 'kysely';
import { ulid } from 'ulid';
import type { Db, Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';

export const MAIL_CURSOR = 'order-mails';
/** How long a claimed mail is ours before another worker may send it again. */
export const MAIL_LEASE_MS = 120_000;
/** Seconds to wait after the 1st, 2nd, … failed attempt; after the last the mail is failed (about 2 days). */
export const MAIL_RETRY_SCHEDULE: readonly number[] = [10, 60, 300, 1800, 7200, 21_600, 43_200, 86_400];

const FEED_BATCH = 500;

/**
 * Turns newly published `order.fulfilled` events of e-mail orders into queued mails, and moves the
 * cursor past every event it read. Returns how many events it read (FEED_BATCH means: call again).
 */
export async function queueOrderMails(db: Db, dialect: Dialect): Promise<{ read: number; queued: number }> {
  return db.transaction().execute(async (tx) => {
    let cursorQuery = tx.selectFrom('outbox_cursors').select('position').where('consumer', '=', MAIL_CURSOR);
    // Two workers on PostgreSQL: the second waits here and then reads on from where the first stopped.
    if (dialect === 'postgres') cursorQuery = cursorQuery.forUpdate();
    const cursor = await cursorQuery.executeTakeFirst();
    const after = Number(cursor?.position ?? 0);
    const events = await tx
      .selectFrom('outbox_events')
      .select(['event_id', 'type', 'order_id', 'position'])
      .where('position', '>', after)
      .orderBy('position')
      .limit(FEED_BATCH)
      .execute();
    if (!events.length) return { read: 0, queued: 0 };
    const fulfilled = new Map(events.filter((e) => e.type === 'order.fulfilled' && e.order_id !== null).map((e) => [e.order_id!, e.event_id]));
    let queued = 0;
    if (fulfilled.size) {
      const orders = await tx
        .selectFrom('orders')
        .select(['id', 'buyer_email'])
        .where('id', 'in', [...fulfilled.keys()])
        .where('delivery_channel', '=', 'email')
        .where('buyer_email', 'is not', null)
        .execute();
      const now = nowIso();
      const rows = orders.map((o) => ({
        order_id: o.id,
        event_id: fulfilled.get(o.id)!,
        recipient: o.buyer_email!,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      }));
      if (rows.length) {
        const inserted = await tx.insertInto('order_mails').values(rows).onConflict((c) => c.column('order_id').doNothing()).returning('id').execute();
        queued = inserted.length;
      }
    }
    const last = Number(events.at(-1)!.position);
    await tx
      .insertInto('outbox_cursors')
      .values({ consumer: MAIL_CURSOR, position: last, updated_at: nowIso() })
      .onConflict((c) => c.column('consumer').doUpdateSet({ position: last, updated_at: nowIso() }))
      .execute();
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
  const at = now.toISOString();
  const token = ulid();
  const lease = new Date(now.getTime() + MAIL_LEASE_MS).toISOString();
  const claimed = await db
    .with(
      (cte) => cte('picked').materialized(),
      (q) => {
        const pick = q
          .selectFrom('order_mails')
          .select('id')
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
              eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', at)]),
            ]),
          )
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(1);
        return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
      },
    )
    .updateTable('order_mails')
    .set({ status: 'sending', claim_token: token, locked_until: lease, updated_at: at })
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .returning(['id', 'order_id', 'recipient', 'attempts'])
    .executeTakeFirst();
  return claimed ? { ...claimed, claim_token: token } : undefined;
}

/** Records a sent mail; false when the claim was lost meanwhile (another worker took it over). */
export async function markMailSent(db: Db, mail: ClaimedMail, messageId: string): Promise<boolean> {
  const now = nowIso();
  const result = await db
    .updateTable('order_mails')
    .set({ status: 'sent', attempts: mail.attempts + 1, message_id: messageId.slice(0, 200), sent_at: now, updated_at: now, claim_token: null, locked_until: null, last_error: null })
    .where('id', '=', mail.id)
    .where('claim_token', '=', mail.claim_token)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a failed attempt: tried again later, or `failed` once the schedule is spent. Returns the delay in ms, if any. */
export async function markMailFailed(db: Db, mail: ClaimedMail, error: string, schedule: readonly number[] = MAIL_RETRY_SCHEDULE): Promise<number | undefined> {
  const attempts = mail.attempts + 1;
  const delaySeconds = schedule[attempts - 1];
  const now = new Date();
  await db
    .updateTable('order_mails')
    .set({
      status: delaySeconds === undefined ? 'failed' : 'pending',
      attempts,
      next_attempt_at: new Date(now.getTime() + (delaySeconds ?? 0) * 1000).toISOString(),
      last_error: error.slice(0, 500),
      updated_at: now.toISOString(),
      claim_token: null,
      locked_until: null,
    })
    .where('id', '=', mail.id)
    .where('claim_token', '=', mail.claim_token)
    .where('status', '=', 'sending')
    .execute();
  return delaySeconds === undefined ? undefined : delaySeconds * 1000;
}

/** Is anything waiting: unread events after the cursor, or a mail due now? One cheap look for the poll. */
export async function mailWorkWaiting(db: Db): Promise<boolean> {
  const at = nowIso();
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('outbox_events as e')
            .select(sql.lit(1).as('one'))
            .where('e.position', '>', eb.selectFrom('outbox_cursors').select('position').where('consumer', '=', MAIL_CURSOR)),
        )
        .as('events'),
      eb.exists(eb.selectFrom('order_mails').select(sql.lit(1).as('one')).where('status', '=', 'pending').where('next_attempt_at', '<=', at)).as('due'),
      eb.exists(eb.selectFrom('order_mails').select(sql.lit(1).as('one')).where('status', '=', 'sending').where('locked_until', '<', at)).as('stale'),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(Number(row.events)) || Boolean(Number(row.due)) || Boolean(Number(row.stale));
}

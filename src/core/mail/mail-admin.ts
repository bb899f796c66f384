// What the shop owner sees of order mails: which were sent, which wait and which failed (with the
// last error), and a re-send for one that failed or must go again. Recipients are shown; the codes
// never are (a mail row holds none).
import type { Db } from '../../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { rerunValues } from '../jobs/index.js';
import { MAIL_QUEUE } from './order-mails.js';

export const MAIL_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export interface OrderMailView {
  id: number;
  order_id: string;
  recipient: string;
  status: MailStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export async function listOrderMails(db: Db, filter: { status?: MailStatus; orderId?: string; limit?: number } = {}): Promise<OrderMailView[]> {
  let query = db
    .selectFrom('order_mails')
    .select(['id', 'order_id', 'recipient', 'status', 'attempts', 'next_attempt_at', 'last_error', 'message_id', 'created_at', 'sent_at'])
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.orderId) query = query.where('order_id', '=', filter.orderId);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null }));
}

/**
 * Sends a failed (or already sent) mail again as soon as the mailer runs, with a fresh retry
 * schedule. A mail still pending or being sent will go anyway: 400.
 */
export async function resendOrderMail(db: Db, mailId: number): Promise<void> {
  const result = await db
    .updateTable('order_mails')
    .set({ ...rerunValues(MAIL_QUEUE), status: 'pending' })
    .where('id', '=', mailId)
    .where('status', 'in', ['failed', 'sent'])
    .executeTakeFirst();
  // Due now: every mailer's poll (twice a second) finds it.
  if (Number(result.numUpdatedRows) === 1) return;
  const row = await db.selectFrom('order_mails').select('status').where('id', '=', mailId).executeTakeFirst();
  if (!row) throw new NotFound(`No order mail ${mailId}.`);
  throw new ValidationFailed(`Mail ${mailId} is ${row.status}: it will be sent anyway.`, [{ field: 'mail', message: `is ${row.status}` }]);
}

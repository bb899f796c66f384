// Acks and the admin's view of deliveries: closing a delivery by ack (for receivers that answer
// slowly), listing deliveries with their attempts, re-sending one or all failed ones, test events.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { eventRowId, eventsToSend, insertOutboxEvents, testEvent, wakeDispatchers } from '../events/index.js';
import { rerunValues } from '../jobs/index.js';
import { DELIVERY_QUEUE } from './deliveries.js';
import { getWebhookEndpoint } from './endpoints.js';

/**
 * The account acknowledges an event: its open deliveries of it are closed (a send in flight is
 * not recorded over the ack). An event the account never received is 404, whoever owns it.
 */
export async function ackEvent(db: Db, accountId: number, eventId: string): Promise<{ event_id: string; closed: number }> {
  if (!/^evt_[0-9A-Z]{26}$/.test(eventId)) throw new NotFound(`No event ${eventId}.`);
  return db.transaction().execute(async (tx) => {
    const eventRow = await eventRowId(tx, eventId);
    const mine = eventRow !== undefined ? await tx.selectFrom('webhook_deliveries').select(['id', 'status']).where('event_id', '=', eventRow).where('account_id', '=', accountId).execute() : [];
    if (eventRow === undefined || !mine.length) throw new NotFound(`No event ${eventId}.`);
    const now = nowIso();
    const result = await tx
      .updateTable('webhook_deliveries')
      .set({ status: 'acked', claim_token: null, locked_until: null, closed_at: now, updated_at: now })
      .where('event_id', '=', eventRow)
      .where('account_id', '=', accountId)
      .where('status', 'in', ['pending', 'sending', 'dead'])
      .executeTakeFirst();
    return { event_id: eventId, closed: Number(result.numUpdatedRows) };
  });
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'acked', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryView {
  id: number;
  event_id: string;
  type: string;
  account_id: number;
  endpoint_id: string | null;
  callback_url: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  closed_at: string | null;
  attempt_log: Array<{ status_code: number | null; error: string | null; duration_ms: number; attempted_at: string }>;
}

export interface DeliveryFilter {
  endpointId?: string;
  accountId?: number;
  status?: DeliveryStatus;
  /** A delivery id: the page continues below it. */
  before?: number;
  limit?: number;
}

/** Deliveries, newest first, each with its attempts (status codes, errors, timings). */
export async function listDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryView[]> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin(eventsToSend(db).as('e'), 'e.id', 'd.event_id')
    .select(['d.id', 'e.event_id', 'e.type', 'd.account_id', 'd.endpoint_id', 'd.callback_url', 'd.status', 'd.attempts', 'd.next_attempt_at', 'd.last_status_code', 'd.last_error', 'd.created_at', 'd.closed_at'])
    .orderBy('d.id', 'desc')
    .limit(filter.limit ?? 50);
  if (filter.endpointId) query = query.where('d.endpoint_id', '=', filter.endpointId);
  if (filter.accountId !== undefined) query = query.where('d.account_id', '=', filter.accountId);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.before !== undefined) query = query.where('d.id', '<', filter.before);
  const rows = await query.execute();
  const attempts = rows.length
    ? await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  return rows.map((r) => ({
    ...r,
    status: r.status as DeliveryStatus,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    attempt_log: attempts.filter((a) => a.delivery_id === r.id).map((a) => ({ status_code: a.status_code, error: a.error, duration_ms: a.duration_ms, attempted_at: a.attempted_at })),
  }));
}

/** Sends a dead delivery (or a delivered one, again) as soon as possible, with a fresh retry schedule. */
export async function resendDelivery(db: Db, deliveryId: number): Promise<void> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...rerunValues(DELIVERY_QUEUE), status: 'pending', closed_at: null })
    .where('id', '=', deliveryId)
    .where('status', 'in', ['dead', 'delivered', 'acked'])
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return wakeDispatchers(db, 'deliveries');
  const row = await db.selectFrom('webhook_deliveries').select('status').where('id', '=', deliveryId).executeTakeFirst();
  if (!row) throw new NotFound(`No delivery ${deliveryId}.`);
  throw new ValidationFailed(`Delivery ${deliveryId} is ${row.status}: it will be sent anyway.`, [{ field: 'delivery', message: `is ${row.status}` }]);
}

/** Re-sends every dead delivery of an endpoint, and sends its waiting ones now. Returns how many. */
export async function resendFailedDeliveries(db: Db, endpointId: string): Promise<number> {
  await getWebhookEndpoint(db, endpointId);
  const now = nowIso();
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: sql<number>`case when status = 'dead' then 0 else attempts end`, next_attempt_at: now, closed_at: null, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('status', '=', 'dead'), eb('status', '=', 'pending')]))
    .executeTakeFirst();
  wakeDispatchers(db, 'deliveries');
  return Number(result.numUpdatedRows);
}

/** Queues a `webhook.test` event for one endpoint; returns its event id. */
export async function sendTestEvent(db: Db, endpointId: string): Promise<string> {
  const endpoint = await getWebhookEndpoint(db, endpointId);
  const row = testEvent(endpoint.account_id, endpoint.id, nowIso());
  await db.transaction().execute((tx) => insertOutboxEvents(tx, [row]));
  wakeDispatchers(db);
  return row.event_id;
}

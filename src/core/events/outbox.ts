// The transactional outbox: every change a partner may care about is written as an event row in
// the same transaction as the change, so an event exists exactly when its change committed.
// Rows are built by small pure functions; insertOutboxEvents() writes them; after the commit,
// wakeDispatchers() (wake.ts) tells the workers.
import { EventEmitter } from 'node:events';
import { sql, type RawBuilder } from 'kysely';
import { queryTemplate, type Db } from '../../db/index.js';
import { WAKE_CHANNEL } from '../jobs/index.js';
import type { OrdersTable } from '../../db/schema.js';
import { newUlid } from '../ids.js';
import { minorToDecimal } from '../money.js';
import { wireTime } from '../clock.js';

export const EVENT_TYPES = [
  'order.created',
  'order.status_changed',
  'order.fulfilled',
  'order.cancelled',
  'order.rejected',
  'product.updated',
  'wallet.credited',
  'payout.completed',
  'payout.rejected',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** One row for outbox_events, as written. */
export interface OutboxRow {
  event_id: string;
  type: EventType;
  account_id: number | null;
  order_id: string | null;
  endpoint_id: string | null;
  callback_url: string | null;
  payload: string;
  created_at: string;
}

/** The PostgreSQL channel workers LISTEN on for new events and deliveries (core/jobs' one wake channel). */
export const OUTBOX_CHANNEL = WAKE_CHANNEL;

/** In-process wake-up for a worker running in the process that committed the events. */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(0);

export function newEventId(): string {
  return `evt_${newUlid()}`;
}

function row(type: EventType, fields: Partial<Omit<OutboxRow, 'payload'>> & { payload: unknown; created_at: string }): OutboxRow {
  return {
    event_id: newEventId(),
    type,
    account_id: fields.account_id ?? null,
    order_id: fields.order_id ?? null,
    endpoint_id: fields.endpoint_id ?? null,
    callback_url: fields.callback_url ?? null,
    payload: JSON.stringify(fields.payload),
    created_at: fields.created_at,
  };
}

/** What an order event says about its order; never the codes (they are added at send time, sealed at rest). */
export type OrderFacts = Pick<
  OrdersTable,
  'id' | 'number' | 'account_id' | 'client_order_id' | 'status' | 'product_id' | 'quantity' | 'charged_minor' | 'charged_currency' | 'callback_url' | 'created_at' | 'updated_at'
>;

function orderPayload(order: OrderFacts, change: { from: string | null; reason: string | null }) {
  return {
    order: {
      order_id: order.id,
      number: order.number,
      client_order_id: order.client_order_id,
      status: order.status,
      previous_status: change.from,
      reason: change.reason,
      item_id: order.product_id,
      quantity: order.quantity,
      amount: minorToDecimal(order.charged_minor, order.charged_currency),
      currency: order.charged_currency,
      created_at: order.created_at,
      updated_at: order.updated_at,
    },
  };
}

/**
 * An event's stored data as it is sent (webhook bodies, the feed): its times to the second. Stored
 * payloads keep milliseconds, and rows written before this existed stay readable, so the format is
 * applied here, on the way out, not when the row is written.
 */
export function eventDataOnWire(data: unknown): unknown {
  if (!isRecord(data) || !isRecord(data.order)) return data;
  const order: Record<string, unknown> = { ...data.order };
  for (const key of ['created_at', 'updated_at'] as const) {
    const at = order[key];
    if (typeof at === 'string') order[key] = wireTime(at);
  }
  return { ...data, order };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function orderRow(type: EventType, order: OrderFacts, change: { from: string | null; reason: string | null }): OutboxRow {
  return row(type, { account_id: order.account_id, order_id: order.id, callback_url: order.callback_url, payload: orderPayload(order, change), created_at: order.updated_at });
}

/** The events of an order as placed: `order.created`, and `order.fulfilled` when it was delivered at once. */
export function orderPlacedEvents(order: OrderFacts): OutboxRow[] {
  const rows = [orderRow('order.created', order, { from: null, reason: 'placed' })];
  if (order.status === 'fulfilled') rows.push(orderRow('order.fulfilled', order, { from: 'queued', reason: 'delivered' }));
  return rows;
}

const STATUS_EVENTS: Partial<Record<string, EventType>> = { fulfilled: 'order.fulfilled', cancelled: 'order.cancelled', rejected: 'order.rejected' };

/** The events of one status change: `order.status_changed`, plus the named event for fulfilled, cancelled and rejected. */
export function orderChangedEvents(order: OrderFacts, from: string, reason: string | null): OutboxRow[] {
  const rows = [orderRow('order.status_changed', order, { from, reason })];
  const named = STATUS_EVENTS[order.status];
  if (named) rows.push(orderRow(named, order, { from, reason }));
  return rows;
}

/** Money arrived in a wallet (top-up, refund, adjustment). */
export function walletCreditedEvent(credit: { account_id: number; wallet_id: number; currency: string; amount_minor: number; balance_minor: number; kind: string; reference: string | null; at: string }): OutboxRow {
  return row('wallet.credited', {
    account_id: credit.account_id,
    payload: {
      wallet: { wallet_id: credit.wallet_id, currency: credit.currency, balance: minorToDecimal(credit.balance_minor, credit.currency) },
      amount: minorToDecimal(credit.amount_minor, credit.currency),
      kind: credit.kind,
      reference: credit.reference,
    },
    created_at: credit.at,
  });
}

/**
 * A trade-in was decided (core/trade-ins): `payout.completed` when codes were accepted and the
 * wallet credited, `payout.rejected` when nothing was. The data is the trade-in as it is shown.
 */
export function payoutEvent(type: 'payout.completed' | 'payout.rejected', payout: { account_id: number; callback_url: string | null; trade_in: unknown; at: string }): OutboxRow {
  return row(type, { account_id: payout.account_id, callback_url: payout.callback_url, payload: { trade_in: payout.trade_in }, created_at: payout.at });
}

export interface ProductFacts {
  id: number;
  code: string;
  price_minor: number;
  currency: string;
  status: string;
  stock_available: number;
}

/** A product's price, stock or status changed: every account may hear of it, with the latest values. */
export function productUpdatedEvent(product: ProductFacts, changed: Array<'price' | 'stock' | 'status'>, at: string): OutboxRow {
  return row('product.updated', {
    payload: {
      product: { id: product.id, item_id: product.id, code: product.code, price: minorToDecimal(product.price_minor, product.currency), currency: product.currency, status: product.status, stock: product.stock_available },
      changed,
    },
    created_at: at,
  });
}

/** A test event for one endpoint only. */
export function testEvent(accountId: number, endpointId: string, at: string): OutboxRow {
  return row('webhook.test', { account_id: accountId, endpoint_id: endpointId, payload: { message: 'A test event from Souk. Answer 2xx to pass.' }, created_at: at });
}

const COLUMNS = ['event_id', 'type', 'account_id', 'order_id', 'endpoint_id', 'callback_url', 'payload', 'created_at'] as const;

// One statement whatever the number of rows (a placement batch writes many): the rows travel as
// arrays (PostgreSQL unnest) or one JSON array (SQLite json_each), compiled once per dialect. No
// NOTIFY here: on PostgreSQL a transaction that notifies takes a cluster-wide lock through its
// commit, which serialised commits (pgbench: 6,200-8,000 tps without, 1,300-2,400 with); the wake
// comes after the commit (wake.ts).
const compilable = (db: Db, query: RawBuilder<unknown>) => ({ compile: () => query.compile(db) });
const insertRows = queryTemplate(['rows', ...COLUMNS], (db, p, dialect) => {
  const columns = sql.join(COLUMNS.map((c) => sql.ref(c)));
  if (dialect === 'postgres') {
    return compilable(db, sql`insert into outbox_events (${columns}) select * from unnest(${p.event_id}::text[], ${p.type}::text[], ${p.account_id}::int[], ${p.order_id}::text[], ${p.endpoint_id}::text[], ${p.callback_url}::text[], ${p.payload}::text[], ${p.created_at}::text[])`);
  }
  const fields = sql.join(COLUMNS.map((_, i) => sql`json_extract(value, ${sql.lit(`$[${i}]`)})`));
  // "where true" keeps SQLite from reading anything that follows as a join constraint.
  return compilable(db, sql`insert into outbox_events (${columns}) select ${fields} from json_each(${p.rows}) where true`);
});

/** Writes outbox rows inside the caller's transaction, in one statement. Call wakeDispatchers() once it has committed. */
export async function insertOutboxEvents(tx: Db, rows: readonly OutboxRow[]): Promise<void> {
  if (!rows.length) return;
  const values: Record<string, unknown> = { rows: JSON.stringify(rows.map((r) => COLUMNS.map((c) => r[c]))) };
  for (const c of COLUMNS) values[c] = rows.map((r) => r[c]);
  await insertRows.run(tx, values as Record<'rows' | (typeof COLUMNS)[number], unknown>);
}

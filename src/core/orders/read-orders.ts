// Reading orders: one account sees only its own; another account's order does not exist for it.
import { sql } from 'kysely';
import { queryTemplate, type Db } from '../../db/index.js';
import type { DeliveryChannel, FulfillmentKind, OrderChannel, PaymentStatus } from '../../db/schema.js';
import { findProduct } from '../catalog/index.js';
import { findCoupon } from '../coupons/index.js';
import { sealedItemsOf, type CodeVault, type SealedCode } from '../inventory/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { RiskReason } from '../risk/index.js';
import type { OrderStatus } from './status.js';

export interface OrderItem {
  id: number;
  code: string;
}

export interface OrderEvent {
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string | null;
  actor: string;
  at: string;
}

export interface OrderDetail {
  id: string;
  number: string;
  account_id: number;
  channel: OrderChannel;
  client_order_id: string | null;
  status: OrderStatus;
  payment_status: PaymentStatus;
  fulfillment: FulfillmentKind;
  product: { id: number; code: string; name: string };
  quantity: number;
  unit_price_minor: number;
  currency: string;
  /** After the coupon's discount. */
  total_minor: number;
  discount_minor: number;
  coupon_code: string | null;
  charged_minor: number;
  charged_currency: string;
  fx_rate: string | null;
  buyer: { name: string | null; email: string | null };
  delivery_channel: DeliveryChannel;
  callback_url: string | null;
  fields: Record<string, string>;
  reason: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  /** Delivered codes, in full (or masked, when read for an admin): only once the order is fulfilled (or refunded after delivery). */
  items: OrderItem[];
  events: OrderEvent[];
  /** The risk score given at placement (null when it was not scored), the verdict and each rule that fired. */
  risk: { score: number | null; verdict: 'allow' | 'review' | null; reasons: RiskReason[] };
}

const DELIVERED: readonly OrderStatus[] = ['fulfilled', 'refunded'];

/** An order's delivered items in the order they were delivered, each with its sealed code. */
async function deliveredItems(db: Db, orderId: string): Promise<Array<SealedCode & { id: number }>> {
  const items = await db.selectFrom('order_items').select('stock_item_id').where('order_id', '=', orderId).orderBy('id').execute();
  const sealed = await sealedItemsOf(db, items.map((i) => i.stock_item_id));
  return items.map((i) => ({ id: i.stock_item_id, ...sealed.get(Number(i.stock_item_id))! }));
}

/** An order row's risk assessment as an order detail carries it. */
export function riskOf(row: { risk_score: number | null; risk_verdict: 'allow' | 'review' | null; risk_reasons: string | null }): OrderDetail['risk'] {
  return { score: row.risk_score, verdict: row.risk_verdict, reasons: row.risk_reasons ? (JSON.parse(row.risk_reasons) as RiskReason[]) : [] };
}

/**
 * An order in full, its delivered codes opened for its owner; or, with `codes: 'masked'` (an
 * admin's view), each code's mask opened instead and the code itself never.
 */
export async function loadOrderDetail(db: Db, vault: CodeVault, orderId: string, codes: 'open' | 'masked' = 'open'): Promise<OrderDetail> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!row) throw new NotFound(`No order ${orderId}.`);
  // Each module reads its own table: the product's labels, the coupon's code, the codes delivered.
  const [product, coupon, items, events] = await Promise.all([
    findProduct(db, row.product_id),
    row.coupon_id === null ? null : findCoupon(db, row.coupon_id),
    DELIVERED.includes(row.status) ? deliveredItems(db, orderId) : Promise.resolve([]),
    db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute(),
  ]);
  return {
    id: row.id,
    number: row.number,
    account_id: row.account_id,
    channel: row.channel,
    client_order_id: row.client_order_id,
    status: row.status,
    payment_status: row.payment_status,
    fulfillment: row.fulfillment,
    product: { id: row.product_id, code: product.code, name: product.name.en ?? product.code },
    quantity: row.quantity,
    unit_price_minor: row.unit_price_minor,
    currency: row.currency,
    total_minor: row.total_minor,
    discount_minor: Number(row.discount_minor),
    coupon_code: coupon?.code ?? null,
    charged_minor: row.charged_minor,
    charged_currency: row.charged_currency,
    fx_rate: row.fx_rate,
    buyer: { name: row.buyer_name, email: row.buyer_email },
    delivery_channel: row.delivery_channel,
    callback_url: row.callback_url,
    fields: JSON.parse(row.fields) as Record<string, string>,
    reason: row.reason,
    expires_at: row.expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    items: items.map((item) => ({ id: item.id, code: codes === 'masked' ? vault.maskOf(item) : vault.open(item.code_enc) })),
    events: events.map((e) => ({ from: e.from_status, to: e.to_status, reason: e.reason, actor: e.actor, at: e.created_at })),
    risk: riskOf(row),
  };
}

/** An account's order by Souk's id or by the account's own client_order_id. */
export async function findAccountOrderId(db: Db, accountId: number, reference: string): Promise<string> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('id', '=', reference), eb('client_order_id', '=', reference), eb('number', '=', reference)]))
    .orderBy('created_at')
    .executeTakeFirst();
  if (!row) throw new NotFound(`No order "${reference}".`);
  return row.id;
}

export interface OrderFilter {
  status?: OrderStatus;
  /**
   * A product id (number), or a reference as an order names one: id, code or slug, any status (its
   * old orders stay findable), ItemNotFound when none matches.
   */
  product?: number | string;
  createdFrom?: string;
  createdTo?: string;
  clientOrderId?: string;
  /** A search: an order number, id or client_order_id exactly, or part of the buyer's e-mail (any case). */
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface OrderSummary {
  id: string;
  number: string;
  account_id: number;
  client_order_id: string | null;
  status: OrderStatus;
  product_id: number;
  quantity: number;
  total_minor: number;
  currency: string;
  charged_minor: number;
  charged_currency: string;
  created_at: string;
  updated_at: string;
}

/** An account's orders, newest first, a page at a time (the cursor is the last order id seen). */
export async function listAccountOrders(db: Db, accountId: number, filter: OrderFilter): Promise<{ orders: OrderSummary[]; nextCursor: string | null }> {
  return listOrders(db, { ...filter, accountId });
}

/** Orders of every account (or of one, with accountId), newest first, a page at a time: the admin's view. */
export async function listOrders(db: Db, filter: OrderFilter & { accountId?: number }): Promise<{ orders: OrderSummary[]; nextCursor: string | null }> {
  const limit = filter.limit ?? 50;
  let query = db
    .selectFrom('orders')
    .select(['id', 'number', 'account_id', 'client_order_id', 'status', 'product_id', 'quantity', 'total_minor', 'currency', 'charged_minor', 'charged_currency', 'created_at', 'updated_at'])
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.product !== undefined) {
    const productId = typeof filter.product === 'number' ? filter.product : (await findProduct(db, filter.product)).id;
    query = query.where('product_id', '=', productId);
  }
  if (filter.createdFrom) query = query.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) query = query.where('created_at', '<', filter.createdTo);
  if (filter.clientOrderId) query = query.where('client_order_id', '=', filter.clientOrderId);
  const q = filter.q?.trim();
  if (q) {
    // LIKE's wildcards in what was typed match themselves.
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('number', '=', q), eb('id', '=', q), eb('client_order_id', '=', q), eb(sql<string>`lower(buyer_email)`, 'like', sql<string>`${pattern} escape '\\'`)]),
    );
  }
  if (filter.cursor) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(filter.cursor)) throw new ValidationFailed('The cursor is not valid.', [{ field: 'cursor', message: 'use next_cursor from a previous page' }]);
    query = query.where('id', '<', filter.cursor);
  }
  const rows = await query.execute();
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return { orders: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}

/** Ids of paid orders waiting in processing for goods of `fulfillment`, unchanged since `before`, oldest first. */
export async function ordersWaitingFor(db: Db, fulfillment: FulfillmentKind, before: string, limit = 200): Promise<string[]> {
  const rows = await db
    .selectFrom('orders')
    .select('id')
    .where('fulfillment', '=', fulfillment)
    .where('status', '=', 'processing')
    .where('updated_at', '<=', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Money an account's wallets hold for orders still being bought from a provider, by currency:
 * taken at placement, captured when the provider delivers, released (refunded) when it does not.
 */
export async function heldForOrders(db: Db, accountId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('orders')
    .select(['charged_currency', (eb) => eb.fn.sum<number>('charged_minor').as('held')])
    .where('account_id', '=', accountId)
    .where('fulfillment', '=', 'upstream')
    .where('status', '=', 'processing')
    .where('payment_status', '=', 'paid')
    .where('wallet_id', 'is not', null)
    .groupBy('charged_currency')
    .execute();
  return new Map(rows.map((r) => [r.charged_currency, Number(r.held)]));
}

/** What fulfilling an order needs of it, in one read: its status, product, quantity and checkout fields. NotFound when there is none. */
const selectToFulfil = queryTemplate(['orderId'], (db, p) => db.selectFrom('orders').select(['id', 'number', 'status', 'fulfillment', 'product_id', 'quantity', 'fields']).where('id', '=', p.orderId));

export async function orderToFulfil(db: Db, orderId: string): Promise<{ id: string; number: string; status: OrderStatus; fulfillment: FulfillmentKind; productId: number; quantity: number; fields: Record<string, string> }> {
  const [row] = await selectToFulfil.run(db, { orderId });
  if (!row) throw new NotFound(`No order ${orderId}.`);
  return { id: row.id, number: row.number, status: row.status, fulfillment: row.fulfillment, productId: row.product_id, quantity: row.quantity, fields: JSON.parse(row.fields) as Record<string, string> };
}

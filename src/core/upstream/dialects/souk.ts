// Another Souk as an upstream, through its canonical API at /api/v1 (seed 001's operations over
// seed 003's wire) with an sk_live_ key: the catalog a page at a time, orders placed with our
// reference as their client_order_id (a repeat answers the original order, never a second one)
// and found again by it, cancellation, the wallet, and the callbacks it signs (Standard Webhooks).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isCurrencyCode } from '../../money.js';
import type { UpstreamCallback, UpstreamConnection, UpstreamDialect, UpstreamNotice, UpstreamOrderStatus, UpstreamProduct } from '../dialect.js';
import { UpstreamFailure } from '../failure.js';
import type { UpstreamAnswer } from '../http.js';
import {
  answerFailure,
  bearerOf,
  callApi,
  chargedOf,
  codesOf,
  decimalOf,
  fieldsOf,
  isRecord,
  itemIdOf,
  shapeFailure,
  stateOf,
  stockOf,
  textsOf,
} from './store.js';

/** Products asked for a page (Souk serves up to 1000). */
export const SOUK_PAGE_SIZE = 100;
const MAX_PAGES = 1000;
/** How far a callback's webhook-timestamp may be from now (Standard Webhooks' default). */
export const CALLBACK_TOLERANCE_SECONDS = 5 * 60;

/** A product as /api/v1 shows it (the Product schema); undefined for a row without its id or a readable price. */
function productOf(row: unknown): UpstreamProduct | undefined {
  if (!isRecord(row)) return undefined;
  const id = row.item_id ?? row.id;
  const currency = row.currency;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || typeof currency !== 'string' || !isCurrencyCode(currency)) return undefined;
  const price = decimalOf(row.price, currency);
  if (price === undefined) return undefined;
  const ref = String(id);
  let name = textsOf(row.names);
  if (!Object.keys(name).length) name = textsOf({ en: row.name_en ?? row.name ?? row.code ?? ref });
  const description = textsOf(row.descriptions);
  const fields = fieldsOf(row.fields);
  const quantity = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined);
  const minQuantity = quantity(row.min_quantity);
  const maxQuantity = quantity(row.max_quantity);
  return {
    ref,
    name,
    ...(Object.keys(description).length ? { description } : {}),
    price,
    currency,
    stock: stockOf(row),
    status: row.status === 'active' ? 'active' : 'inactive',
    ...(minQuantity !== undefined ? { minQuantity } : {}),
    ...(maxQuantity !== undefined ? { maxQuantity } : {}),
    ...(fields ? { fields } : {}),
  };
}

/** An order of /api/v1 (the Order schema) as where it stands; an answer of another shape is unknown. */
function orderStatusOf(order: unknown, answer: UpstreamAnswer): UpstreamOrderStatus {
  if (!isRecord(order) || typeof order.order_id !== 'string' || !order.order_id) throw shapeFailure(answer, 'has no order');
  const upstreamId = order.order_id;
  const charged = chargedOf(order);
  const state = stateOf(order.status);
  switch (state) {
    case 'delivered': {
      const quantity = typeof order.quantity === 'number' && Number.isSafeInteger(order.quantity) && order.quantity > 0 ? order.quantity : undefined;
      const codes = quantity === undefined ? undefined : codesOf(order.items, quantity);
      if (!codes) throw shapeFailure(answer, 'says fulfilled without one code per unit');
      return { state, upstreamId, codes, ...(charged ? { charged } : {}) };
    }
    case 'pending':
      return { state, upstreamId, ...(charged ? { charged } : {}) };
    case 'failed':
      return { state, upstreamId, reason: typeof order.reason === 'string' && order.reason ? `${String(order.status)}: ${order.reason}` : String(order.status) };
    default:
      throw shapeFailure(answer, `has an order status that is not understood (${String(order.status).slice(0, 40)})`);
  }
}

/** `{ ok: true, order }` answers' order. */
function answeredOrder(answer: UpstreamAnswer): Record<string, unknown> {
  const body = answer.json();
  if (!isRecord(body) || body.ok !== true || !isRecord(body.order)) throw shapeFailure(answer, 'has no order');
  return body.order;
}

/** GET /orders/{ref} (an order id, number or client_order_id): the order, or undefined on 404. */
async function getOrder(conn: UpstreamConnection, ref: string): Promise<{ order: Record<string, unknown>; answer: UpstreamAnswer } | undefined> {
  const answer = await callApi(conn, { method: 'GET', url: `/orders/${encodeURIComponent(ref)}`, headers: bearerOf(conn) });
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw answerFailure(answer, 'GET /orders/{ref}');
  return { order: answeredOrder(answer), answer };
}

/**
 * The order whose client_order_id is `reference`. GET /orders/{ref} also matches an order's own id
 * or number, and answers the oldest match: when that is another order, the list filtered by
 * client_order_id says which one is ours.
 */
async function orderByReference(conn: UpstreamConnection, reference: string): Promise<{ order: Record<string, unknown>; answer: UpstreamAnswer } | undefined> {
  const found = await getOrder(conn, reference);
  if (!found || found.order.client_order_id === reference) return found;
  const answer = await callApi(conn, { method: 'GET', url: '/orders', query: { client_order_id: reference, limit: 1 }, headers: bearerOf(conn) });
  if (answer.status !== 200) throw answerFailure(answer, 'GET /orders');
  const body = answer.json();
  if (!isRecord(body) || !Array.isArray(body.orders)) throw shapeFailure(answer, 'lists no orders');
  const first: unknown = body.orders[0];
  if (first === undefined) return undefined;
  if (!isRecord(first) || typeof first.order_id !== 'string' || first.client_order_id !== reference) throw shapeFailure(answer, 'lists an order that is not ours');
  return getOrder(conn, first.order_id);
}

/** The Standard Webhooks signing keys in credentials.secret: the callback secret, and any more after it, space-separated. */
function signingKeys(conn: UpstreamConnection): Buffer[] {
  const secrets = (conn.credentials.secret ?? '').split(/\s+/).filter(Boolean);
  return secrets.map((secret) => Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')).filter((key) => key.length > 0);
}

function notVerified(message: string, code = 'bad_signature'): UpstreamFailure {
  return new UpstreamFailure('refused', message, { code });
}

/** Checks a callback's Standard Webhooks signature (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, any of several) and its age. */
function verifyCallback(conn: UpstreamConnection, callback: UpstreamCallback, nowSeconds: number): void {
  const id = callback.headers['webhook-id'];
  const timestamp = callback.headers['webhook-timestamp'];
  const signatures = callback.headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw notVerified('the callback has no Standard Webhooks signature headers', 'unsigned');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > CALLBACK_TOLERANCE_SECONDS) throw notVerified('the callback is too old or from the future', 'stale');
  const keys = signingKeys(conn);
  if (!keys.length) throw notVerified('no callback secret is set for this provider', 'no_secret');
  const offered = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const signed = `${id}.${timestamp}.${callback.body}`;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(signed).digest();
    if (offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return;
  }
  throw notVerified('the callback signature does not verify with the callback secret');
}

export const soukDialect: UpstreamDialect = {
  name: 'souk',
  delivers: 'codes',
  findsByReference: true,

  async listProducts(conn) {
    const products: UpstreamProduct[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      // With the key the list shows what this account pays, in its currency, and only what it can buy.
      const answer = await callApi(conn, { method: 'GET', url: '/products', query: { limit: SOUK_PAGE_SIZE, cursor }, headers: bearerOf(conn) });
      if (answer.status !== 200) throw answerFailure(answer, 'GET /products');
      const body = answer.json();
      if (!isRecord(body) || body.ok !== true || !Array.isArray(body.products)) throw shapeFailure(answer, 'lists no products');
      for (const row of body.products) {
        const product = productOf(row);
        if (product) products.push(product);
      }
      const next = body.next_cursor;
      if (next === null || next === undefined || next === '') return products;
      if (typeof next !== 'string' || seen.has(next)) throw shapeFailure(answer, 'has a next_cursor that does not lead on');
      seen.add(next);
      cursor = next;
    }
    throw new UpstreamFailure('unknown', `the provider's catalog goes on past ${MAX_PAGES} pages`, { code: 'too_many_pages' });
  },

  async getProduct(conn, ref) {
    const answer = await callApi(conn, { method: 'GET', url: `/products/${encodeURIComponent(ref)}`, headers: bearerOf(conn) });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw answerFailure(answer, 'GET /products/{ref}');
    const body = answer.json();
    const product = isRecord(body) && body.ok === true ? productOf(body.product) : undefined;
    if (!product) throw shapeFailure(answer, 'has no product');
    return product;
  },

  async createOrder(conn, request) {
    const item = itemIdOf(request.productRef);
    const answer = await callApi(conn, {
      method: 'POST',
      url: '/orders',
      headers: bearerOf(conn),
      // The same request for the same reference, every time: a retry is answered with the first order, a different body is 422.
      json: {
        ...(typeof item === 'number' ? { item_id: item } : { product: item }),
        quantity: request.quantity,
        client_order_id: request.reference,
        ...(Object.keys(request.fields).length ? { fields: request.fields } : {}),
        ...(request.callbackUrl !== undefined ? { callback_url: request.callbackUrl } : {}),
      },
    });
    if (answer.status < 200 || answer.status > 299) throw answerFailure(answer, 'POST /orders');
    const order = answeredOrder(answer);
    if (order.client_order_id !== request.reference) throw shapeFailure(answer, 'is about another order');
    return orderStatusOf(order, answer);
  },

  async findOrder(conn, reference, upstreamId) {
    const found = (await orderByReference(conn, reference)) ?? (upstreamId ? await getOrder(conn, upstreamId) : undefined);
    if (!found) return undefined;
    // An upstream id that names an order placed with another reference is not ours.
    if (found.order.client_order_id !== reference) return undefined;
    return orderStatusOf(found.order, found.answer);
  },

  async cancelOrder(conn, reference, upstreamId) {
    const found = (await orderByReference(conn, reference)) ?? (upstreamId ? await getOrder(conn, upstreamId) : undefined);
    if (!found || found.order.client_order_id !== reference) return;
    const before = orderStatusOf(found.order, found.answer);
    if (before.state === 'failed') return;
    if (before.state === 'delivered') throw new UpstreamFailure('refused', 'the order is delivered already; it can no longer be cancelled', { code: 'invalid_state' });
    const answer = await callApi(conn, { method: 'POST', url: `/orders/${encodeURIComponent(before.upstreamId!)}/cancel`, headers: bearerOf(conn) });
    if (answer.status === 404) return;
    if (answer.status === 409) {
      // It moved meanwhile: ended is as good as cancelled; delivered is not.
      const now = await getOrder(conn, before.upstreamId!);
      if (!now || orderStatusOf(now.order, now.answer).state === 'failed') return;
    }
    if (answer.status !== 200) throw answerFailure(answer, 'POST /orders/{ref}/cancel');
    const after = orderStatusOf(answeredOrder(answer), answer);
    if (after.state !== 'failed') throw shapeFailure(answer, 'does not say the order ended');
  },

  async balance(conn) {
    const answer = await callApi(conn, { method: 'GET', url: '/me', headers: bearerOf(conn) });
    if (answer.status !== 200) throw answerFailure(answer, 'GET /me');
    const body = answer.json();
    if (!isRecord(body) || typeof body.currency !== 'string' || !isCurrencyCode(body.currency)) throw shapeFailure(answer, 'has no currency');
    // `available` (balance + credit limit) is what orders can spend; `balance` where it is missing.
    const amount = decimalOf(body.available ?? body.balance, body.currency, { signed: true });
    if (amount === undefined) throw shapeFailure(answer, 'has no balance');
    return { amount, currency: body.currency };
  },

  readCallback(conn, callback): UpstreamNotice {
    verifyCallback(conn, callback, Math.floor(Date.now() / 1000));
    let event: unknown;
    try {
      event = JSON.parse(callback.body);
    } catch {
      throw notVerified('the callback body is not JSON', 'bad_json');
    }
    if (!isRecord(event) || typeof event.type !== 'string' || !isRecord(event.data)) throw notVerified('the callback is not an event', 'bad_event');
    const { type, data } = event;
    if (type.startsWith('order.')) {
      const reference = isRecord(data.order) ? data.order.client_order_id : undefined;
      if (typeof reference !== 'string' || !reference) throw notVerified('the order callback names no client_order_id: not an order of ours', 'not_ours');
      return { kind: 'order', reference };
    }
    if (type === 'product.updated') {
      const product = isRecord(data.product) ? data.product : {};
      const id = product.item_id ?? product.id;
      return { kind: 'product', ref: typeof id === 'number' || (typeof id === 'string' && id) ? String(id) : null };
    }
    throw notVerified(`a ${type.slice(0, 40)} event says nothing about orders or products`, 'unsupported_event');
  },
};

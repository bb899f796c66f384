// Seed 000's partner API at /v1 (what Souk's `partner` profile serves): every request carries
// X-API-Key, X-Timestamp and X-Signature = hex HMAC-SHA256 of the raw body under the signing
// secret (a GET signs the empty body). Orders carry our reference as `partner_order_id`, which the
// API keeps unique for ever: the same body again answers the first order, another body is 422, and
// GET /v1/orders/{id} takes it too, so an order is found by our reference alone. The API has no
// product detail, cancel or balance endpoint; its order callbacks are signed like its requests.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UpstreamCallback, UpstreamConnection, UpstreamDialect, UpstreamNotice, UpstreamOrderRequest, UpstreamOrderStatus, UpstreamProduct } from '../dialect.js';
import { UpstreamFailure } from '../failure.js';
import { excerptOf, type UpstreamAnswer } from '../http.js';

/** The largest page GET /v1/products gives. */
const PAGE_SIZE = 200;
/** A catalog longer than this many pages is a cursor going round in circles. */
const MAX_PAGES = 500;
/** Seed 000 asks for a buyer; the codes come back in the answer (`api`), so nothing is mailed to it. */
const BUYER = { name: 'Souk reseller', email: 'orders@souk.invalid' } as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDecimal = (value: unknown): value is string => typeof value === 'string' && /^\d{1,15}(\.\d{1,12})?$/.test(value);
const isCurrency = (value: unknown): value is string => typeof value === 'string' && /^[A-Z]{3}$/.test(value);

function secretOf(conn: UpstreamConnection): string {
  const secret = conn.credentials.secret;
  if (!secret) throw new UpstreamFailure('refused', 'the partner API signs every request: the provider needs its signing secret', { code: 'missing_secret' });
  return secret;
}

/** One signed call; `body` is sent as the exact JSON text that was signed. */
async function call(conn: UpstreamConnection, method: 'GET' | 'POST', url: string, options: { body?: Json; query?: Record<string, string | number | undefined> } = {}): Promise<UpstreamAnswer> {
  const raw = options.body === undefined ? '' : JSON.stringify(options.body);
  return conn.http.call({
    method,
    base: conn.baseUrl,
    url,
    query: options.query,
    headers: {
      'x-api-key': conn.credentials.key,
      'x-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-signature': createHmac('sha256', secretOf(conn)).update(raw).digest('hex'),
    },
    ...(options.body === undefined ? {} : { raw: { body: raw, contentType: 'application/json' } }),
  });
}

/** The answer's JSON object; anything else is 'unknown' (it may follow a purchase). */
function bodyOf(answer: UpstreamAnswer): Json {
  const body = answer.json();
  if (!isObject(body)) throw shapeFailure(answer, 'the answer is not a JSON object');
  return body;
}

function shapeFailure(answer: UpstreamAnswer, what: string): UpstreamFailure {
  return new UpstreamFailure('unknown', `the partner API answered ${answer.status} in a shape Souk does not read: ${what}`, { status: answer.status, code: 'bad_shape', excerpt: excerptOf(answer.text) });
}

/** The error code of a 4xx envelope (`error`, else `errorCode`), or `http_<status>`. */
function errorCodeOf(answer: UpstreamAnswer): string {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `http_${answer.status}`;
  }
  const code = isObject(body) ? (body.error ?? body.errorCode) : undefined;
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : `http_${answer.status}`;
}

/** A 4xx the API answered: it said no, with its own code. */
function refusal(answer: UpstreamAnswer, what: string, code = errorCodeOf(answer)): UpstreamFailure {
  return new UpstreamFailure('refused', `the partner API refused ${what} (${answer.status} ${code})`, { status: answer.status, code, excerpt: excerptOf(answer.text) });
}

function productOf(entry: unknown, answer: UpstreamAnswer): UpstreamProduct {
  if (!isObject(entry)) throw shapeFailure(answer, 'a product is not an object');
  const { product_code: ref, name, price, currency, in_stock: inStock, stock_available: available, min_quantity: min, max_quantity: max, fields } = entry;
  if (typeof ref !== 'string' || !ref || typeof name !== 'string' || !isDecimal(price) || !isCurrency(currency)) {
    throw shapeFailure(answer, 'a product lacks product_code, name, a decimal price or its currency');
  }
  const minQuantity = Number.isSafeInteger(min) && (min as number) >= 1 ? (min as number) : 1;
  const counted = Number.isSafeInteger(available) && (available as number) >= 0 ? (available as number) : null;
  // in_stock is also true for products whose stock is not counted (delivered by hand, a shared
  // code): in stock with fewer than min_quantity counted means the count says nothing.
  const stock = inStock === false ? (counted ?? 0) : counted !== null && counted >= minQuantity ? counted : null;
  return {
    ref,
    name: { en: name },
    price,
    currency,
    stock,
    status: 'active',
    minQuantity,
    ...(Number.isSafeInteger(max) && (max as number) >= minQuantity ? { maxQuantity: max as number } : {}),
    fields: Array.isArray(fields)
      ? fields.filter(isObject).flatMap((f) => (typeof f.name === 'string' && f.name ? [{ name: f.name, required: f.required === true }] : []))
      : [],
  };
}

/** An order as GET /v1/orders/{id} shows it, in Souk's words; `reference` must be its partner_order_id. */
function orderStatusOf(order: unknown, reference: string, answer: UpstreamAnswer): UpstreamOrderStatus {
  if (!isObject(order) || typeof order.order_id !== 'string' || !order.order_id) throw shapeFailure(answer, 'no order with an order_id');
  if (order.partner_order_id !== reference) throw shapeFailure(answer, `the order is not the one with partner_order_id ${reference}`);
  const upstreamId = order.order_id;
  const charged = isDecimal(order.amount) && isCurrency(order.currency) ? { charged: { amount: order.amount, currency: order.currency } } : {};
  switch (order.status) {
    case 'queued':
    case 'verifying':
      return { state: 'pending', upstreamId, ...charged };
    case 'fulfilled': {
      const items = isObject(order.fulfillment) ? order.fulfillment.delivered_items : undefined;
      const codes = Array.isArray(items) ? items.map((item) => (isObject(item) && typeof item.code === 'string' ? item.code : undefined)) : [];
      if (!codes.length || codes.some((code) => code === undefined)) throw shapeFailure(answer, 'a fulfilled order without its codes');
      return { state: 'delivered', upstreamId, codes: codes as string[], ...charged };
    }
    case 'rejected': {
      const why = typeof order.reason === 'string' && order.reason ? order.reason : typeof order.internal_status === 'string' ? order.internal_status : 'rejected';
      return { state: 'failed', upstreamId, reason: `rejected upstream: ${why}`.slice(0, 300) };
    }
    default:
      throw shapeFailure(answer, `the order status ${JSON.stringify(order.status)?.slice(0, 40)} is none of queued, verifying, fulfilled, rejected`);
  }
}

async function findOrder(conn: UpstreamConnection, reference: string, upstreamId: string | null): Promise<UpstreamOrderStatus | undefined> {
  // GET /v1/orders/{id} takes Souk's order id or the partner_order_id; the answer must be ours either way.
  const answer = await call(conn, 'GET', `/orders/${encodeURIComponent(upstreamId ?? reference)}`);
  if (answer.status === 404) {
    bodyOf(answer); // an envelope, not some other server's page
    return undefined;
  }
  if (answer.status >= 400) throw refusal(answer, 'the order lookup');
  return orderStatusOf(bodyOf(answer).order, reference, answer);
}

export const partnerDialect: UpstreamDialect = {
  name: 'partner',
  delivers: 'codes',
  findsByReference: true,

  async listProducts(conn) {
    const products: UpstreamProduct[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await call(conn, 'GET', '/products', { query: { limit: PAGE_SIZE, cursor } });
      if (answer.status >= 400) throw refusal(answer, 'the product list');
      const body = bodyOf(answer);
      if (!Array.isArray(body.products)) throw shapeFailure(answer, 'no products array');
      for (const entry of body.products) products.push(productOf(entry, answer));
      const next = body.next_cursor;
      if (next === null || next === undefined || next === '') return products;
      if (typeof next !== 'string' || seen.has(next)) throw shapeFailure(answer, 'a next_cursor that goes nowhere new');
      seen.add(next);
      cursor = next;
    }
    throw new UpstreamFailure('unknown', `the partner API's catalog did not end within ${MAX_PAGES} pages`, { code: 'too_many_pages' });
  },

  async createOrder(conn, request: UpstreamOrderRequest) {
    const body: Json = {
      partner_order_id: request.reference,
      flow_type: 'buy_direct_id',
      product_code: request.productRef,
      buyer: BUYER,
      delivery_channel: 'api',
      quantity: request.quantity,
      ...(Object.keys(request.fields).length ? { fields: request.fields } : {}),
      ...(request.callbackUrl ? { callback_url: request.callbackUrl } : {}),
    };
    const answer = await call(conn, 'POST', '/orders', { body });
    if (answer.status < 300) return orderStatusOf(bodyOf(answer).order, request.reference, answer);
    const code = errorCodeOf(answer);
    // Our reference already placed an order, asked with another body (a product, quantity or
    // callback that changed since): that order is the one, whatever it was.
    if ((answer.status === 422 && code === 'idempotency_key_reused') || (answer.status === 409 && code === 'conflict')) {
      const original = await findOrder(conn, request.reference, null);
      if (original) return original;
      throw new UpstreamFailure('unknown', `the partner API says partner_order_id ${request.reference} was used, but does not show its order`, { status: answer.status, code, excerpt: excerptOf(answer.text) });
    }
    // The product changed while it was priced, or the same request is still being placed: this
    // one bought nothing, and the same request later goes through or answers the first order.
    if (answer.status === 409 && (code === 'product_changed' || code === 'request_in_progress')) {
      throw new UpstreamFailure('retryable', `the partner API asks to try again (${code})`, { status: answer.status, code, excerpt: excerptOf(answer.text) });
    }
    throw refusal(answer, 'the order', code);
  },

  findOrder,

  readCallback(conn, callback: UpstreamCallback): UpstreamNotice {
    // X-Signature covers the body alone (not X-Timestamp), so a resent callback verifies at any
    // time; that is harmless here, since a notice only makes Souk look the order up again.
    const signature = callback.headers['x-signature']?.trim().toLowerCase() ?? '';
    const expected = createHmac('sha256', secretOf(conn)).update(callback.body).digest();
    const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UpstreamFailure('refused', 'the callback X-Signature does not verify with the signing secret', { code: 'bad_signature' });
    }
    let event: unknown;
    try {
      event = JSON.parse(callback.body);
    } catch {
      throw new UpstreamFailure('refused', 'the callback body is not JSON', { code: 'bad_callback', excerpt: excerptOf(callback.body) });
    }
    const order = isObject(event) && isObject(event.data) ? event.data.order : undefined;
    const type = isObject(event) ? event.type : undefined;
    if (typeof type !== 'string' || !type.startsWith('order.') || !isObject(order)) {
      throw new UpstreamFailure('refused', 'the callback is not about an order', { code: 'bad_callback', excerpt: excerptOf(callback.body) });
    }
    if (typeof order.partner_order_id !== 'string' || !order.partner_order_id) {
      throw new UpstreamFailure('refused', 'the callback is about an order without a partner_order_id (not one Souk placed)', { code: 'not_our_order', excerpt: excerptOf(callback.body) });
    }
    return { kind: 'order', reference: order.partner_order_id };
  },
};

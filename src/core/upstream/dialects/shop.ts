// Seed 004's public shop API at /api (what Souk's `shop` profile serves): products by id with
// stock, min_quantity and name_en/name_zh, prices as JSON numbers in the shop's currency (the
// provider's currency), and orders paid from a customer's balance (`balance_cny`: the balance in
// the shop's currency) with the customer's token from POST /auth/login. Seed 004 has no client
// order reference: the create carries ours as an `Idempotency-Key` header (Souk's extension, which
// makes a retry answer the first order; a shop without it ignores the header), but nothing finds
// an order by it. An order is found by its number alone: its status, then, once completed, the
// order query (number + contact e-mail) for the delivered items. The query allows 3 requests per
// IP and 2 per (order, e-mail) a minute, so it is asked only for a completed order; a 429 is
// retryable. No cancel, no callbacks.
import { createHash } from 'node:crypto';
import type { UpstreamConnection, UpstreamDialect, UpstreamOrderRequest, UpstreamOrderStatus, UpstreamProduct } from '../dialect.js';
import { UpstreamFailure } from '../failure.js';
import { excerptOf, type UpstreamAnswer, type UpstreamHttp, type UpstreamRequest } from '../http.js';
import { formatMinor, parseMinor } from '../../money.js';

/** Seed 004: "Maximum 200 per order". */
const MAX_QUANTITY = 200;
/** Pays from the customer's balance in the shop's currency: exactly quantity × the listed price. */
const PAYMENT_METHOD = 'balance_cny';
/** A token this close to its end is renewed before use. */
const TOKEN_MARGIN_MS = 60_000;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A decimal string for an amount the shop sends as a JSON number (or a decimal string), written
 * with the currency's decimals when it has no more than those; undefined for anything else.
 * Node 20's JSON.parse cannot hand over the number's source text, so a number is read back in its
 * shortest form, which is exact for every price with 15 significant digits or fewer.
 */
function decimalOf(value: unknown, currency: string): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^\d{1,15}(\.\d{1,12})?$/.test(text)) return undefined;
  const minor = parseMinor(text, currency);
  return minor === undefined ? text : formatMinor(minor, currency);
}

function loginOf(conn: UpstreamConnection): { email: string; password: string } {
  const { username, password } = conn.credentials;
  if (!username || !password) throw new UpstreamFailure('refused', "the shop API pays from a customer's balance: the provider needs the customer's e-mail (username) and password", { code: 'missing_login' });
  return { email: username, password };
}

function shapeFailure(answer: UpstreamAnswer, what: string): UpstreamFailure {
  return new UpstreamFailure('unknown', `the shop API answered ${answer.status} in a shape Souk does not read: ${what}`, { status: answer.status, code: 'bad_shape', excerpt: excerptOf(answer.text) });
}

/** A 2xx answer's object, which seed 004 marks `success: true`. */
function successOf(answer: UpstreamAnswer): Json {
  const body = answer.json();
  if (!isObject(body) || body.success !== true) throw shapeFailure(answer, 'not a JSON object with success: true');
  return body;
}

interface ErrorAnswer {
  code: string;
  fields: Array<{ field: string; message: string }>;
}

/** What a 4xx says: its code (`error`, `errorCode` or `code`; else `http_<status>`) and the fields it names. */
function errorOf(answer: UpstreamAnswer): ErrorAnswer {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  const given = isObject(body) ? (body.error ?? body.errorCode ?? body.code) : undefined;
  const code = typeof given === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(given) ? given : `http_${answer.status}`;
  const fields = isObject(body) && Array.isArray(body.fields) ? body.fields.filter(isObject).map((f) => ({ field: String(f.field), message: String(f.message) })) : [];
  return { code, fields };
}

/** A 404 must be the shop's own envelope, not some other server's page. */
function checkEnvelope(answer: UpstreamAnswer): void {
  if (!isObject(answer.json())) throw shapeFailure(answer, 'a 404 that is not a JSON object');
}

function refusal(answer: UpstreamAnswer, what: string, code = errorOf(answer).code): UpstreamFailure {
  return new UpstreamFailure('refused', `the shop API refused ${what} (${answer.status} ${code})`, { status: answer.status, code, excerpt: excerptOf(answer.text) });
}

// Customer tokens last a day: one login serves every call until then. The interface has no place
// for a dialect's state, so tokens are kept per HTTP client (the app's), and go when it goes.
interface Token {
  value: string;
  expiresAt: number;
}
const tokens = new WeakMap<UpstreamHttp, Map<string, Promise<Token>>>();

function tokenKey(conn: UpstreamConnection, login: { email: string; password: string }): string {
  return createHash('sha256').update(JSON.stringify([conn.providerId, conn.baseUrl, login.email, login.password])).digest('hex');
}

async function logIn(conn: UpstreamConnection, login: { email: string; password: string }): Promise<Token> {
  const answer = await conn.http.call({ method: 'POST', base: conn.baseUrl, url: '/auth/login', json: login });
  if (answer.status >= 400) throw refusal(answer, "the customer's login");
  const body = successOf(answer);
  if (typeof body.token !== 'string' || !body.token) throw shapeFailure(answer, 'a login without a token');
  const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
  return { value: body.token, expiresAt: Date.now() + seconds * 1000 };
}

/**
 * The customer's token: the one held while it lasts, else from a new login. Calls at the same
 * moment share one login, and a login that fails fails them all (no storm of retries). `refused`:
 * a token the shop just answered 401 to, which is replaced unless that happened already.
 */
async function tokenFor(conn: UpstreamConnection, refused?: string): Promise<string> {
  const login = loginOf(conn);
  let held = tokens.get(conn.http);
  if (!held) tokens.set(conn.http, (held = new Map()));
  const key = tokenKey(conn, login);
  for (;;) {
    const current = held.get(key);
    if (!current) break;
    const token = await current;
    if (held.get(key) !== current) continue; // replaced while we waited: look again
    if (token.value !== refused && token.expiresAt - TOKEN_MARGIN_MS > Date.now()) return token.value;
    break;
  }
  const fresh = logIn(conn, login);
  held.set(key, fresh);
  const map = held;
  fresh.catch(() => map.get(key) === fresh && map.delete(key));
  return (await fresh).value;
}

/**
 * A call as the logged-in customer. A 401 (the token expired, or the shop ended it) is answered
 * before anything is done, so the call is made once more with a new login.
 */
async function asCustomer(conn: UpstreamConnection, request: Omit<UpstreamRequest, 'base'>): Promise<UpstreamAnswer> {
  const send = (token: string) => conn.http.call({ ...request, base: conn.baseUrl, headers: { ...request.headers, authorization: `Bearer ${token}` } });
  const token = await tokenFor(conn);
  const answer = await send(token);
  return answer.status === 401 ? send(await tokenFor(conn, token)) : answer;
}

function productOf(entry: unknown, conn: UpstreamConnection, answer: UpstreamAnswer): UpstreamProduct {
  if (!isObject(entry)) throw shapeFailure(answer, 'a product is not an object');
  const id = typeof entry.id === 'number' && Number.isSafeInteger(entry.id) ? String(entry.id) : entry.id;
  const price = decimalOf(entry.price, conn.currency);
  const en = typeof entry.name_en === 'string' && entry.name_en ? entry.name_en : undefined;
  const zh = typeof entry.name_zh === 'string' && entry.name_zh ? entry.name_zh : undefined;
  if (typeof id !== 'string' || !id || price === undefined || (!en && !zh)) throw shapeFailure(answer, 'a product lacks its id, a name or a decimal price');
  const min = Number.isSafeInteger(entry.min_quantity) && (entry.min_quantity as number) >= 1 ? (entry.min_quantity as number) : 1;
  return {
    ref: id,
    // A name_zh that only repeats the English name is no Chinese name.
    name: { ...(en ? { en } : {}), ...(zh && zh !== en ? { zh } : {}) },
    price,
    currency: conn.currency,
    stock: Number.isSafeInteger(entry.stock) && (entry.stock as number) >= 0 ? (entry.stock as number) : null,
    status: 'active',
    minQuantity: min,
    ...(min <= MAX_QUANTITY ? { maxQuantity: MAX_QUANTITY } : {}),
  };
}

/** A completed order whose items are not in the answer (the status read never has them). */
type CompletedWithoutItems = { state: 'completed'; upstreamId: string };

/** An order (ShopOrder, or ShopOrderStatus without items) in Souk's words. */
function orderStatusOf(order: unknown, answer: UpstreamAnswer): UpstreamOrderStatus | CompletedWithoutItems {
  if (!isObject(order) || typeof order.orderNo !== 'string' || !order.orderNo) throw shapeFailure(answer, 'no order with an orderNo');
  const upstreamId = order.orderNo;
  const currency = typeof order.currency === 'string' && /^[A-Z]{3}$/.test(order.currency) ? order.currency : undefined;
  const amount = currency ? decimalOf(order.amount, currency) : undefined;
  const charged = amount && currency ? { charged: { amount, currency } } : {};
  switch (order.status) {
    case 'pending':
    case 'processing':
      return { state: 'pending', upstreamId, ...charged };
    case 'completed': {
      if (!Array.isArray(order.items) || !order.items.length) return { state: 'completed', upstreamId };
      if (order.items.some((item) => typeof item !== 'string')) throw shapeFailure(answer, 'delivered items that are not strings');
      return { state: 'delivered', upstreamId, codes: order.items as string[], ...charged };
    }
    case 'failed':
    case 'cancelled':
    case 'expired':
    case 'refunded':
      return { state: 'failed', upstreamId, reason: `${order.status} upstream` };
    default:
      throw shapeFailure(answer, `the order status ${JSON.stringify(order.status)?.slice(0, 40)} is not one Souk knows`);
  }
}

/** The delivered items of a completed order, from the order query (number + contact e-mail). */
async function queriedOrder(conn: UpstreamConnection, orderNo: string): Promise<UpstreamOrderStatus> {
  const answer = await conn.http.call({ method: 'POST', base: conn.baseUrl, url: '/orders/query', json: { orderNo, email: loginOf(conn).email } });
  if (answer.status === 404) {
    throw new UpstreamFailure('unknown', `the shop API shows order ${orderNo} but its query does not find it with our e-mail`, { status: 404, code: 'order_query_not_found', excerpt: excerptOf(answer.text) });
  }
  if (answer.status >= 400) throw refusal(answer, 'the order query');
  const status = orderStatusOf(successOf(answer).order, answer);
  if (status.state === 'completed') throw shapeFailure(answer, 'a completed order without its items');
  return status;
}

export const shopDialect: UpstreamDialect = {
  name: 'shop',
  delivers: 'codes',
  findsByReference: false,

  async listProducts(conn) {
    const answer = await conn.http.call({ method: 'GET', base: conn.baseUrl, url: '/products' });
    if (answer.status >= 400) throw refusal(answer, 'the product list');
    const body = successOf(answer);
    if (!Array.isArray(body.products)) throw shapeFailure(answer, 'no products array');
    return body.products.map((entry) => productOf(entry, conn, answer));
  },

  async getProduct(conn, ref) {
    const answer = await conn.http.call({ method: 'GET', base: conn.baseUrl, url: `/products/${encodeURIComponent(ref)}` });
    if (answer.status === 404) return undefined;
    if (answer.status >= 400) throw refusal(answer, 'the product');
    return productOf(successOf(answer).product, conn, answer);
  },

  async createOrder(conn, request: UpstreamOrderRequest) {
    const answer = await asCustomer(conn, {
      method: 'POST',
      url: '/orders',
      headers: { 'idempotency-key': request.reference },
      json: { productId: request.productRef, quantity: request.quantity, contactEmail: loginOf(conn).email, paymentMethod: PAYMENT_METHOD },
    });
    if (answer.status < 300) {
      const status = orderStatusOf(successOf(answer).order, answer);
      // A completed order whose answer left the items out: the order query has them.
      return status.state === 'completed' ? queriedOrder(conn, status.upstreamId) : status;
    }
    const { code, fields } = errorOf(answer);
    // The shop checks the quantity against its stock before placing: a validation error naming it.
    if (answer.status === 400 && fields.some((f) => f.field === 'quantity' && /stock/i.test(f.message))) throw refusal(answer, 'the order', 'out_of_stock');
    if (answer.status === 409 && (code === 'product_changed' || code === 'request_in_progress')) {
      throw new UpstreamFailure('retryable', `the shop API asks to try again (${code})`, { status: answer.status, code, excerpt: excerptOf(answer.text) });
    }
    // Our reference placed an order already, asked differently; nothing finds it by our reference.
    if (answer.status === 422 && code === 'idempotency_key_reused') {
      throw new UpstreamFailure('unknown', `the shop API says our reference ${request.reference} placed an order already, which only its number can find`, { status: 422, code, excerpt: excerptOf(answer.text) });
    }
    throw refusal(answer, 'the order', code);
  },

  async findOrder(conn, _reference, upstreamId) {
    if (!upstreamId) throw new UpstreamFailure('unknown', 'the shop API finds an order only by its number, and there is none for this one', { code: 'needs_upstream_id' });
    const answer = await conn.http.call({ method: 'GET', base: conn.baseUrl, url: `/orders/${encodeURIComponent(upstreamId)}/status` });
    if (answer.status === 404) {
      checkEnvelope(answer);
      return undefined;
    }
    if (answer.status >= 400) throw refusal(answer, 'the order status');
    const status = orderStatusOf(successOf(answer).order, answer);
    return status.state === 'completed' ? queriedOrder(conn, status.upstreamId) : status;
  },

  async balance(conn) {
    const answer = await asCustomer(conn, { method: 'GET', url: '/auth/me' });
    if (answer.status >= 400) throw refusal(answer, "the customer's balance");
    const user = successOf(answer).user;
    const amount = isObject(user) ? decimalOf(user.balance, conn.currency) : undefined;
    if (amount === undefined) throw shapeFailure(answer, 'no decimal user.balance');
    return { amount, currency: conn.currency };
  },
};

// Seed 003's "Store API" at /api/v1 as an upstream: GET /products (the active catalog, public),
// GET /me (the wallet) and POST /orders (item_id, player_id, checkout) with an sk_live_ key. The API
// has no client order reference and no way to look an order up, so an order whose answer is lost
// cannot be found again: no findOrder, and such an order waits for a person. Another Souk speaks
// this too (its /api/v1 is a superset); what it adds to the answers (stock, next_cursor, the order
// with its delivered codes) is read when it is there. The wire helpers below are shared with the
// `souk` dialect, which speaks the superset.
import { formatMinor, isCurrencyCode, parseMinor } from '../../money.js';
import type { UpstreamBalance, UpstreamConnection, UpstreamDialect, UpstreamOrderStatus, UpstreamProduct, UpstreamText } from '../dialect.js';
import { UpstreamFailure, type FailureClass } from '../failure.js';
import { excerptOf, type UpstreamAnswer, type UpstreamRequest } from '../http.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key as seed 003 takes it (Souk's canonical API too). */
export function bearerOf(conn: UpstreamConnection): Record<string, string> {
  return { authorization: `Bearer ${conn.credentials.key}` };
}

/**
 * A decimal amount as text ("12.50"), from a JSON number or string: written with the currency's
 * minor digits when it has no more than those, as given otherwise; undefined when it is not a plain
 * decimal (or is negative, unless `signed`).
 */
export function decimalOf(value: unknown, currency: string, options: { signed?: boolean } = {}): string | undefined {
  let text: string | undefined;
  if (typeof value === 'number') text = Number.isFinite(value) && !/e/i.test(String(value)) ? String(value) : undefined;
  else if (typeof value === 'string') text = value.trim();
  if (text === undefined || !(options.signed ? /^-?\d+(\.\d+)?$/ : /^\d+(\.\d+)?$/).test(text)) return undefined;
  const minor = parseMinor(text, currency);
  return minor === undefined ? text : formatMinor(minor, currency);
}

/** The error code of an /api/v1 error answer (`error`, or seed 001's `errorCode`), from its text or a cut-off excerpt of it. */
export function errorCodeOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) {
      const code = typeof body.error === 'string' ? body.error : body.errorCode;
      return typeof code === 'string' && code ? code : undefined;
    }
    return undefined;
  } catch {
    return /"(?:error|errorCode)"\s*:\s*"([A-Za-z0-9_.-]{1,64})"/.exec(text)?.[1];
  }
}

/**
 * What a 4xx answer of /api/v1 means, decided from its status and code alone: a refusal (nothing
 * was bought: out_of_stock, insufficient_balance, item_not_found, validation, unauthorized …) unless
 * the code says otherwise. A reference already taken by another request (422
 * idempotency_key_reused, 409 conflict) means an order with it exists: unknown, so it is looked up
 * rather than taken for a refusal. An earlier request still running, or a product that changed
 * under the order, bought nothing and may work again.
 */
export function classOfRefusal(status: number, code: string | undefined): FailureClass {
  if (status === 408) return 'unknown';
  if (code === 'idempotency_key_reused' || (status === 409 && code === 'conflict')) return 'unknown';
  if (code === 'request_in_progress' || code === 'product_changed' || code === 'rate_limited') return 'retryable';
  return 'refused';
}

/** The failure a non-2xx answer stands for, with the upstream's code and an excerpt. */
export function answerFailure(answer: UpstreamAnswer, operation: string): UpstreamFailure {
  const code = errorCodeOf(answer.text);
  return new UpstreamFailure(classOfRefusal(answer.status, code), `${operation}: the provider answered ${answer.status}${code ? ` ${code}` : ''}`, {
    status: answer.status,
    code: code ?? `http_${answer.status}`,
    excerpt: excerptOf(answer.text),
  });
}

/** A 2xx answer whose shape is not what the API says: after a create, the order may exist. */
export function shapeFailure(answer: UpstreamAnswer, what: string): UpstreamFailure {
  return new UpstreamFailure('unknown', `the provider's answer ${what}`, { status: answer.status, code: 'bad_answer', excerpt: excerptOf(answer.text) });
}

/**
 * 503s that Souk answers before anything is bought, by code: the shop switched wallet checkout off,
 * the product has no way to be fulfilled now, its own provider is short; or the server is shutting
 * down (refused before the request was read).
 */
const CLASS_OF_503: Readonly<Record<string, FailureClass>> = {
  wallet_disabled: 'refused',
  fulfillment_unavailable: 'refused',
  provider_unavailable: 'refused',
  service_unavailable: 'retryable',
};

/** conn.http.call, with the 503s whose code says nothing was bought classified by that code. */
export async function callApi(conn: UpstreamConnection, request: Omit<UpstreamRequest, 'base'>): Promise<UpstreamAnswer> {
  try {
    return await conn.http.call({ ...request, base: conn.baseUrl });
  } catch (error) {
    if (!(error instanceof UpstreamFailure) || error.detail.status !== 503 || !error.detail.excerpt) throw error;
    const code = errorCodeOf(error.detail.excerpt);
    const failure = code === undefined ? undefined : CLASS_OF_503[code];
    if (!failure) throw error;
    throw new UpstreamFailure(failure, `the provider answered 503 ${code}`, { ...error.detail, code });
  }
}

/** Where each order status of Souk's /api/v1 stands for us; anything else is not understood. */
const STATES: Readonly<Record<string, UpstreamOrderStatus['state']>> = {
  fulfilled: 'delivered',
  awaiting_payment: 'pending',
  queued: 'pending',
  processing: 'pending',
  review: 'pending',
  rejected: 'failed',
  cancelled: 'failed',
  expired: 'failed',
  refunded: 'failed',
};

export function stateOf(status: unknown): UpstreamOrderStatus['state'] | undefined {
  return typeof status === 'string' && Object.hasOwn(STATES, status) ? STATES[status] : undefined;
}

/** The codes of an order's `items` ([{ id, code }]), when there are exactly `quantity` of them. */
export function codesOf(items: unknown, quantity: number): string[] | undefined {
  if (!Array.isArray(items) || items.length !== quantity) return undefined;
  const codes = items.map((item) => (isRecord(item) && typeof item.code === 'string' && item.code !== '' ? item.code : undefined));
  return codes.every((code) => code !== undefined) ? (codes as string[]) : undefined;
}

/** What an order answer says was charged (`amount`, `currency`), when it says it plainly. */
export function chargedOf(body: Record<string, unknown>): { amount: string; currency: string } | undefined {
  const currency = body.currency;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) return undefined;
  const amount = decimalOf(body.amount, currency);
  return amount === undefined ? undefined : { amount, currency };
}

/** Text by language from a record of strings, leaving out empty ones. */
export function textsOf(value: unknown): UpstreamText {
  const text: UpstreamText = {};
  if (isRecord(value)) for (const [lang, words] of Object.entries(value)) if (typeof words === 'string' && words.trim()) text[lang] = words;
  return text;
}

/**
 * Units a product row can sell, from Souk's `stock` (absent in seed 003: not told). A manual
 * product counts no stock (a person delivers it), and a shared code is sold to every buyer: neither
 * is limited while it can sell at all.
 */
export function stockOf(row: Record<string, unknown>): number | null {
  const stock = row.stock;
  if (typeof stock !== 'number' || !Number.isSafeInteger(stock) || stock < 0) return null;
  if (row.fulfillment === 'manual') return null;
  if (row.stock_mode === 'shared') return stock > 0 ? null : 0;
  return stock;
}

/** Checkout fields as Souk lists them ([{ name, label, required }]). */
export function fieldsOf(value: unknown): UpstreamProduct['fields'] {
  if (!Array.isArray(value)) return undefined;
  const fields = value.flatMap((field) =>
    isRecord(field) && typeof field.name === 'string' && field.name ? [{ name: field.name, label: textsOf(field.label), required: field.required === true }] : [],
  );
  return fields.map((f) => (Object.keys(f.label).length ? f : { name: f.name, required: f.required }));
}

/** An item_id as seed 003 sends it (`"item_id":123`): a number when it is one. */
export function itemIdOf(ref: string): number | string {
  return /^[1-9]\d{0,14}$/.test(ref) ? Number(ref) : ref;
}

/** A product row's id (`item_id`: a number, or a string of digits), as a string. */
function refOf(row: Record<string, unknown>): string | undefined {
  const id = row.item_id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return String(id);
  if (typeof id === 'string' && /^[1-9]\d*$/.test(id)) return id;
  return undefined;
}

/** Names from `names` (by language, or one string), `name_en`/`name_ar`/`name_zh`, `name`, `slug`: the first that gives any. */
function namesOf(row: Record<string, unknown>, ref: string): UpstreamText {
  const names = typeof row.names === 'string' && row.names.trim() ? { en: row.names } : textsOf(row.names);
  if (Object.keys(names).length) return names;
  const byField = textsOf({ en: row.name_en, ar: row.name_ar, zh: row.name_zh });
  if (Object.keys(byField).length) return byField;
  for (const one of [row.name, row.slug]) if (typeof one === 'string' && one.trim()) return { en: one };
  return { en: ref };
}

/** One row of seed 003's GET /products; undefined for a row without an item_id or a readable price. */
function storeProduct(row: unknown, fallbackCurrency: string): UpstreamProduct | undefined {
  if (!isRecord(row)) return undefined;
  const ref = refOf(row);
  const currency = typeof row.currency === 'string' && isCurrencyCode(row.currency) ? row.currency : fallbackCurrency;
  const price = decimalOf(row.price, currency);
  if (ref === undefined || price === undefined) return undefined;
  const descriptions = textsOf(row.descriptions);
  const description = Object.keys(descriptions).length ? descriptions : typeof row.description === 'string' && row.description.trim() ? { en: row.description } : undefined;
  // Seed 003 orders carry no quantity: one unit each. Another Souk fills a missing quantity with
  // the product's min_quantity, so a product sold by more than one at a time cannot be bought here.
  const oneAtATime = row.min_quantity === undefined || row.min_quantity === 1;
  const listed = row.status === undefined || row.status === 'active';
  const fields = fieldsOf(row.fields);
  return {
    ref,
    name: namesOf(row, ref),
    ...(description ? { description } : {}),
    price,
    currency,
    stock: stockOf(row),
    status: listed && oneAtATime ? 'active' : 'inactive',
    minQuantity: 1,
    maxQuantity: 1,
    ...(fields ? { fields } : {}),
  };
}

/** A seed 003 list answer: an array of rows, or `{ products: [...] }` (Souk's, with `next_cursor` when there is more). */
function productRowsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  return isRecord(body) && Array.isArray(body.products) ? body.products : undefined;
}

/** Pages followed at most: far past any catalog, short of a provider whose cursor never ends. */
const MAX_PAGES = 1000;

/** A seed 003 balance display, "1000.00 BDT" (or "BDT 1000.00"), in `currency`. */
function displayedBalance(display: unknown, currency: unknown): UpstreamBalance | undefined {
  if (typeof display !== 'string') return undefined;
  const match = /^\s*(?:([A-Z]{3})\s+)?(-?\d+(?:\.\d+)?)(?:\s+([A-Z]{3}))?\s*$/.exec(display);
  const code = match?.[1] ?? match?.[3] ?? (typeof currency === 'string' ? currency : undefined);
  if (!match || code === undefined || !isCurrencyCode(code)) return undefined;
  const amount = decimalOf(match[2], code, { signed: true });
  return amount === undefined ? undefined : { amount, currency: code };
}

export const storeDialect: UpstreamDialect = {
  name: 'store',
  delivers: 'codes',
  findsByReference: false,

  async listProducts(conn) {
    const products: UpstreamProduct[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      // Public in seed 003; with the key, another Souk lists what this account pays.
      const answer = await callApi(conn, { method: 'GET', url: '/products', query: { cursor }, headers: bearerOf(conn) });
      if (answer.status !== 200) throw answerFailure(answer, 'GET /products');
      const body = answer.json();
      const rows = productRowsOf(body);
      if (!rows) throw shapeFailure(answer, 'lists no products');
      for (const row of rows) {
        const product = storeProduct(row, conn.currency);
        if (product) products.push(product);
      }
      const next = isRecord(body) && typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : undefined;
      if (!next) return products;
      if (seen.has(next)) throw shapeFailure(answer, 'names a page it already gave');
      seen.add(next);
      cursor = next;
    }
    throw new UpstreamFailure('unknown', `the provider's catalog goes on past ${MAX_PAGES} pages`, { code: 'too_many_pages' });
  },

  async createOrder(conn, request) {
    if (request.quantity !== 1) {
      throw new UpstreamFailure('refused', `seed 003 orders are for one unit; ${request.quantity} were asked for`, { code: 'quantity_unsupported' });
    }
    const { player_id: playerId, ...checkout } = request.fields;
    const answer = await callApi(conn, {
      method: 'POST',
      url: '/orders',
      headers: bearerOf(conn),
      json: {
        item_id: itemIdOf(request.productRef),
        ...(playerId !== undefined ? { player_id: playerId } : {}),
        ...(Object.keys(checkout).length ? { checkout } : {}),
      },
    });
    if (answer.status < 200 || answer.status > 299) throw answerFailure(answer, 'POST /orders');
    const body = answer.json();
    if (!isRecord(body) || body.ok !== true) throw shapeFailure(answer, 'is not ok: true');
    const orderId = typeof body.order_id === 'string' || typeof body.order_id === 'number' ? String(body.order_id) : '';
    if (!orderId) throw shapeFailure(answer, 'has no order_id');
    const state = stateOf(body.status);
    const charged = chargedOf(body);
    // Seed 003's answer stops at its status; another Souk adds the order, with the codes it delivered.
    const order = isRecord(body.order) && (body.order.order_id === undefined || String(body.order.order_id) === orderId) ? body.order : undefined;
    switch (state) {
      case 'delivered': {
        const codes = codesOf(order?.items, 1);
        if (!codes) throw shapeFailure(answer, 'says fulfilled without the code it delivered');
        return { state, upstreamId: orderId, codes, ...(charged ? { charged } : {}) };
      }
      case 'pending':
        return { state, upstreamId: orderId, ...(charged ? { charged } : {}) };
      case 'failed':
        return { state, upstreamId: orderId, reason: typeof order?.reason === 'string' && order.reason ? order.reason : String(body.status) };
      default:
        throw shapeFailure(answer, `has a status that is not understood (${excerptOf(String(body.status)).slice(0, 40)})`);
    }
  },

  async balance(conn) {
    const answer = await callApi(conn, { method: 'GET', url: '/me', headers: bearerOf(conn) });
    if (answer.status !== 200) throw answerFailure(answer, 'GET /me');
    const body = answer.json();
    if (!isRecord(body)) throw shapeFailure(answer, 'is not an object');
    // Seed 003: user.balance is the wallet in USD, a decimal string; balance_display the same in
    // the store's currency, formatted for people (read only when the USD figure is missing).
    const internal = isRecord(body.user) ? decimalOf(body.user.balance, 'USD', { signed: true }) : undefined;
    if (internal !== undefined) return { amount: internal, currency: 'USD' };
    const shown = displayedBalance(body.balance_display, body.currency);
    if (shown) return shown;
    throw shapeFailure(answer, 'has neither user.balance nor a readable balance_display');
  },
};

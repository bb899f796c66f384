// Zid's API under /v1, strict where the document is: the three token headers on every call, Store-Id
// on every call but the profile, the scope each path needs, Django-style pages, and errors always as
// `{"error": {"code", "message"}}`. Rate limiting and injected faults happen before this (index.ts).
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { timestamp, type ZidData } from './data.js';
import { apiError, paginate, wholeParam, type Answer } from './http.js';
import type { ZidOAuth } from './oauth.js';
import { WEBHOOK_EVENTS, type ZidWebhook } from './types.js';
import { categoryDetail, categoryItem, orderDetail, orderItem, productDetail, productItem } from './views.js';

export interface StoreProfile {
  id: string;
  name: string;
  url: string;
  currency: string;
  country: string;
  manager: { id: string; name: string; email: string };
}

export interface ApiContext {
  data: ZidData;
  oauth: ZidOAuth;
  store: StoreProfile;
  webhooks: ZidWebhook[];
  /** Where the simulator is reached (`http://127.0.0.1:PORT`): the origin of next/previous URLs. */
  origin(): string;
}

interface Call {
  match: RegExpExecArray;
  url: URL;
  body: string;
  contentType: string;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** The scope the token needs; null for none. */
  scope: string | null;
  /** Whether the Store-Id header is required (everywhere but the profile). */
  storeId: boolean;
  handle(ctx: ApiContext, call: Call): Answer;
}

const PAGE_SIZE_MAX = 50;
const ORDERS_PER_PAGE = 10;
const invalidPage = () => apiError(404, 'not_found', 'Invalid page.');
const ok = (body: unknown): Answer => ({ status: 200, body });

function listProducts(ctx: ApiContext, { url }: Call): Answer {
  const q = url.searchParams;
  const page = wholeParam(q.get('page'));
  if (page === null) return invalidPage();
  const size = Math.min(wholeParam(q.get('page_size')) ?? PAGE_SIZE_MAX, PAGE_SIZE_MAX);
  const ordering = q.get('ordering');
  const named = ordering?.replace(/^-/, '');
  const field = named === 'updated_at' || named === 'created_at' ? named : undefined;
  if (ordering !== null && !field) {
    return apiError(400, 'invalid_parameters', `ordering must be updated_at or created_at (or -updated_at, -created_at), not "${ordering}".`);
  }
  const direction = ordering?.startsWith('-') ? -1 : 1;
  const products = [...ctx.data.products.values()].sort((a, b) => {
    const byField = field ? a[field].localeCompare(b[field]) : 0;
    return direction * (byField || a.id - b.id);
  });
  const extended = q.get('extended') === 'true';
  const result = paginate(products, page ?? 1, size, ctx.origin(), url);
  return result ? ok({ ...result, results: result.results.map((p) => productItem(p, extended)) }) : invalidPage();
}

function viewProduct(ctx: ApiContext, { match }: Call): Answer {
  const product = ctx.data.products.get(Number(match[1]));
  return product ? ok(productDetail(product)) : apiError(404, 'not_found', `Product ${match[1]} was not found.`);
}

function listCategories(ctx: ApiContext): Answer {
  const counts = new Map<number, number>();
  for (const product of ctx.data.products.values()) for (const c of product.categories) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
  return ok({ results: [...ctx.data.categories.values()].map((c) => categoryItem(c, counts.get(c.id) ?? 0)) });
}

function viewCategory(ctx: ApiContext, { match }: Call): Answer {
  const category = ctx.data.categories.get(Number(match[1]));
  return category ? ok(categoryDetail(category)) : apiError(404, 'not_found', `Category ${match[1]} was not found.`);
}

function listOrders(ctx: ApiContext, { url }: Call): Answer {
  const q = url.searchParams;
  const page = wholeParam(q.get('page'));
  if (page === null) return invalidPage();
  const size = Math.min(wholeParam(q.get('per_page')) ?? ORDERS_PER_PAGE, PAGE_SIZE_MAX);
  const from = q.get('date_from');
  const to = q.get('date_to');
  for (const [name, value] of [['date_from', from], ['date_to', to]] as const) {
    if (value !== null && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return apiError(400, 'invalid_parameters', `${name} must be a date, YYYY-MM-DD, not "${value}".`);
  }
  const status = q.get('order_status');
  const orders = [...ctx.data.orders.values()]
    .filter((o) => (from === null || o.created_at.slice(0, 10) >= from) && (to === null || o.created_at.slice(0, 10) <= to))
    .filter((o) => !status || o.status === status)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  // Zid's quirk: without payload_type=default the orders come without their products.
  const withProducts = q.get('payload_type') === 'default';
  const result = paginate(orders, page ?? 1, size, ctx.origin(), url);
  return result ? ok({ ...result, results: result.results.map((o) => orderItem(o, withProducts)) }) : invalidPage();
}

function viewOrder(ctx: ApiContext, { match }: Call): Answer {
  const order = ctx.data.orders.get(Number(match[1]));
  return order ? ok(orderDetail(order)) : apiError(404, 'not_found', `Order ${match[1]} was not found.`);
}

function profile(ctx: ApiContext): Answer {
  const { manager, ...store } = ctx.store;
  return ok({ user: { ...manager }, store });
}

function registerWebhook(ctx: ApiContext, { body, contentType }: Call): Answer {
  if (!/^application\/json\b/i.test(contentType)) return apiError(400, 'invalid_parameters', 'The body must be JSON (Content-Type: application/json).');
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return apiError(400, 'invalid_parameters', 'The body is not valid JSON.');
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) return apiError(400, 'invalid_parameters', 'The body must be a JSON object.');
  const { url, event, app_id: appId } = input as Record<string, unknown>;
  let target: URL | undefined;
  try {
    target = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    target = undefined;
  }
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) return apiError(400, 'invalid_parameters', 'url must be an http or https URL.');
  if (typeof event !== 'string' || !(WEBHOOK_EVENTS as readonly string[]).includes(event)) {
    return apiError(400, 'invalid_parameters', `event must be one of ${WEBHOOK_EVENTS.join(', ')}.`);
  }
  if ((typeof appId !== 'string' && typeof appId !== 'number') || String(appId).trim() === '') return apiError(400, 'invalid_parameters', 'app_id is required.');
  const webhook: ZidWebhook = { id: randomUUID(), url: String(url), event, app_id: String(appId), created_at: timestamp() };
  ctx.webhooks.push(webhook);
  return ok({ id: webhook.id, url: webhook.url, event: webhook.event, created_at: webhook.created_at });
}

function listWebhooks(ctx: ApiContext): Answer {
  return ok({ results: ctx.webhooks.map((w) => ({ id: w.id, url: w.url, event: w.event, app_id: w.app_id, created_at: w.created_at })) });
}

const ROUTES: Route[] = [
  { method: 'GET', path: /^\/v1\/products\/$/, scope: 'products.read', storeId: true, handle: listProducts },
  { method: 'GET', path: /^\/v1\/products\/(\d+)\/$/, scope: 'products.read', storeId: true, handle: viewProduct },
  { method: 'GET', path: /^\/v1\/managers\/store\/categories$/, scope: 'categories.read', storeId: true, handle: listCategories },
  { method: 'GET', path: /^\/v1\/managers\/store\/categories\/(\d+)\/view$/, scope: 'categories.read', storeId: true, handle: viewCategory },
  { method: 'GET', path: /^\/v1\/managers\/store\/orders$/, scope: 'orders.read', storeId: true, handle: listOrders },
  { method: 'GET', path: /^\/v1\/managers\/store\/orders\/(\d+)\/view$/, scope: 'orders.read', storeId: true, handle: viewOrder },
  { method: 'GET', path: /^\/v1\/managers\/account\/profile$/, scope: null, storeId: false, handle: profile },
  { method: 'POST', path: /^\/v1\/managers\/webhooks$/, scope: 'webhooks.write', storeId: true, handle: registerWebhook },
  { method: 'GET', path: /^\/v1\/managers\/webhooks$/, scope: 'webhooks.read', storeId: true, handle: listWebhooks },
];

const header = (headers: http.IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Zid's answer to one authenticated /v1 call. */
export function answerApi(ctx: ApiContext, method: string, url: URL, headers: http.IncomingHttpHeaders, body: string): Answer {
  const candidates = ROUTES.map((route) => ({ route, match: route.path.exec(url.pathname) })).filter((c) => c.match !== null);
  if (!candidates.length) return apiError(404, 'not_found', `There is no ${url.pathname} in Zid's API.`);
  const found = candidates.find((c) => c.route.method === method);
  if (!found || !found.match) return apiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}.`);
  const grant = ctx.oauth.authenticate(header(headers, 'authorization'), header(headers, 'x-manager-token'), header(headers, 'access-token'));
  if (typeof grant === 'string') return apiError(401, 'unauthorized', grant);
  if (found.route.storeId) {
    const storeId = header(headers, 'store-id');
    if (!storeId) return apiError(400, 'store_id_required', 'The Store-Id header is required.');
    if (storeId !== grant.storeId) return apiError(403, 'forbidden', 'The Store-Id header is not the store these tokens belong to.');
  }
  if (found.route.scope && !grant.scopes.includes(found.route.scope)) {
    return apiError(403, 'forbidden', `The app was not granted the ${found.route.scope} scope.`);
  }
  return found.route.handle(ctx, { match: found.match, url, body, contentType: header(headers, 'content-type') ?? '' });
}

/** The store a call counts against for the rate limit: its tokens' store, else the Store-Id it names. */
export function rateKey(ctx: ApiContext, headers: http.IncomingHttpHeaders): string {
  return ctx.oauth.lookup(header(headers, 'authorization'))?.storeId ?? header(headers, 'store-id') ?? 'anonymous';
}

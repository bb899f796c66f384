// A Zid simulator on 127.0.0.1, written from Zid's API document alone (seed 002) with its quirks, for
// Souk's Zid connector to be tested against and tried with (`souk zid simulate`). One port serves
// both of Zid's hosts: OAuth at `<base>/oauth/…` (SOUK_ZID_OAUTH_URL = base) and the API under
// `<base>/v1` (SOUK_ZID_API_URL). Tests change the store, inject faults and read what was asked.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAdmin } from './admin.js';
import { answerApi, rateKey, type ApiContext } from './api.js';
import { ZidData, type AddProductsOptions, type NewOrder } from './data.js';
import { apiError, oauthError, queryOf, readBody, send, type Answer } from './http.js';
import { SlidingWindowLimiter, type RateLimit } from './limiter.js';
import { ZidOAuth } from './oauth.js';
import {
  SCOPES,
  type WebhookDelivery,
  type ZidApiRequest,
  type ZidAuthorizeRequest,
  type ZidCategory,
  type ZidFault,
  type ZidOrder,
  type ZidOrderStatus,
  type ZidPaymentStatus,
  type ZidProduct,
  type ZidTokenRequest,
  type ZidWebhook,
  type ZidWebhookEvent,
} from './types.js';
import { fireWebhook, type FireOptions } from './webhooks.js';

export * from './types.js';
export type { AddProductsOptions, NewOrder } from './data.js';
export type { FireOptions, WebhookWrap } from './webhooks.js';

export interface ZidSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** The callback registered with the app; authorize and token calls must give exactly this. */
  redirectUri?: string;
  /** Calls per store per window (default 60). */
  limit?: number;
  /** The sliding window, in ms (default 60,000). */
  windowMs?: number;
  storeId?: string;
  storeName?: string;
  /** Seed the demo store (two categories, a dozen products, a paid and an unpaid order). */
  seed?: boolean;
  /** Default 0 (any free port). */
  port?: number;
  /** How long an authorization code lives (default 10 minutes). */
  codeTtlMs?: number;
}

/** The token answer Zid gives, as `issueTokens` hands it to a test. */
export interface ZidTokens {
  Authorization: string;
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  store_id: string;
  store_url: string;
}

export interface ZidSimulator {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** SOUK_ZID_OAUTH_URL: the base. */
  oauthUrl: string;
  /** SOUK_ZID_API_URL: `<base>/v1`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  storeId: string;
  storeUrl: string;

  addProducts(n: number, options?: AddProductsOptions): ZidProduct[];
  upsertProduct(product: Partial<ZidProduct>): ZidProduct;
  removeProduct(id: number): boolean;
  addCategory(category: Partial<ZidCategory> & { name: string }): ZidCategory;
  addOrder(order: NewOrder): ZidOrder;
  setPaymentStatus(orderId: number, status: ZidPaymentStatus): ZidOrder;
  setOrderStatus(orderId: number, status: ZidOrderStatus): ZidOrder;
  product(id: number): ZidProduct | undefined;
  order(id: number): ZidOrder | undefined;
  productCount(): number;

  /** The next calls whose path matches get this failure instead of their answer. */
  failNext(fault: ZidFault): void;
  /** Every access token issued so far answers 401 until the client refreshes. */
  expireAccessTokens(): void;
  /** Every live refresh token answers `invalid_grant` (revoked), as when the merchant removes the app. */
  revokeRefreshTokens(): void;
  /** Every live refresh token answers `invalid_grant` (expired). */
  expireRefreshTokens(): void;
  /** The next authorize is denied by the merchant: `error=access_denied&state=…`. */
  denyNextApproval(): void;
  setRateLimit(rate: RateLimit): void;
  /** Hands out tokens as a code trade would, without the browser step (all scopes unless told). */
  issueTokens(scopes?: string[]): ZidTokens;

  /** Every /v1 call, in order (no token values). */
  readonly requests: readonly ZidApiRequest[];
  /** How many 429s the rate limit gave (injected ones not counted). */
  readonly tooManyRequests: number;
  readonly tokenRequests: readonly ZidTokenRequest[];
  readonly authorizeRequests: readonly ZidAuthorizeRequest[];
  /** The scopes of the last approval. */
  readonly approvedScopes: readonly string[];
  /** The webhook registrations, in order (duplicates kept). */
  readonly webhooks: readonly ZidWebhook[];

  /** POSTs `event` about `objectId` to every URL registered for it; resolves with each receiver's status. */
  fireWebhook(event: ZidWebhookEvent, objectId: number, options?: FireOptions): Promise<WebhookDelivery[]>;
  /** GETs an authorize URL as a browser would and resolves with where Zid sends the merchant (the 302's Location). */
  authorize(url: string): Promise<string>;
  close(): Promise<void>;
}

const header = (request: http.IncomingMessage, name: string) => {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

/** What an injected fault answers, in the error shape of the part it hits. */
function faultAnswer(fault: ZidFault, oauth: boolean): Answer {
  const status = fault.status ?? 500;
  const retryAfter = fault.retryAfterSeconds === undefined ? (status === 429 ? 1 : null) : fault.retryAfterSeconds;
  const headers = retryAfter === null ? undefined : { 'retry-after': String(retryAfter) };
  if (fault.body !== undefined) return { status, body: fault.body, ...(headers ? { headers } : {}), ...(fault.contentType ? { contentType: fault.contentType } : {}) };
  const code = status === 429 ? 'too_many_requests' : status === 401 ? 'unauthorized' : status === 503 ? 'service_unavailable' : status >= 500 ? 'server_error' : 'error';
  const message = `Injected ${status} from the simulator.`;
  return oauth ? { ...oauthError(status, code, message), ...(headers ? { headers } : {}) } : apiError(status, code, message, headers);
}

/** Starts a simulator on 127.0.0.1 (port 0 unless told); resolves once it listens. */
export async function startZidSimulator(options: ZidSimulatorOptions = {}): Promise<ZidSimulator> {
  const clientId = options.clientId ?? 'souk-simulator-client';
  const clientSecret = options.clientSecret ?? 'souk-simulator-secret';
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:8080/connect/zid/callback';
  const storeId = options.storeId ?? 'store-123';
  const storeUrl = `https://${storeId}.zid.store`;
  const data = new ZidData();
  if (options.seed) data.seedDemo();
  const oauth = new ZidOAuth({ clientId, clientSecret, redirectUri, storeId, storeUrl, codeTtlMs: options.codeTtlMs ?? 600_000 });
  const limiter = new SlidingWindowLimiter({ limit: options.limit ?? 60, windowMs: options.windowMs ?? 60_000 });
  const webhooks: ZidWebhook[] = [];
  const requests: ZidApiRequest[] = [];
  const faults: Array<ZidFault & { left: number }> = [];
  let tooManyRequests = 0;
  let base = '';
  const ctx: ApiContext = {
    data,
    oauth,
    webhooks,
    origin: () => base,
    store: {
      id: storeId,
      name: options.storeName ?? 'Souk Simulator Store',
      url: storeUrl,
      currency: 'SAR',
      country: 'SA',
      manager: { id: 'user-123', name: 'Manager Name', email: 'manager@example.com' },
    },
  };
  const fire = (event: ZidWebhookEvent, objectId: number, fireOptions?: FireOptions) => fireWebhook(data, webhooks, event, objectId, fireOptions);

  function takeFault(method: string, path: string): ZidFault | undefined {
    const at = faults.findIndex((f) => f.path.test(path) && (f.method === undefined || f.method.toUpperCase() === method));
    if (at < 0) return undefined;
    const fault = faults[at]!;
    if (--fault.left <= 0) faults.splice(at, 1);
    return fault;
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    const contentType = header(request, 'content-type');
    const path = url.pathname;
    if (path === '/oauth/authorize' || path === '/oauth/token') {
      const fault = takeFault(method, path);
      if (fault?.drop) return void request.socket.destroy();
      if (fault) return send(response, faultAnswer(fault, true));
      const allowed = path === '/oauth/authorize' ? 'GET' : 'POST';
      if (method !== allowed) return send(response, oauthError(405, 'invalid_request', `${path} takes ${allowed}.`));
      return send(response, path === '/oauth/authorize' ? oauth.authorize(url) : oauth.token(contentType, body));
    }
    if (path === '/v1' || path.startsWith('/v1/')) {
      const record: ZidApiRequest = {
        method,
        path,
        query: queryOf(url),
        status: 0,
        storeId: header(request, 'store-id') || null,
        authorization: header(request, 'authorization') !== '',
        managerToken: header(request, 'x-manager-token') !== '',
        accessToken: header(request, 'access-token') !== '',
        injected: false,
        at: Date.now(),
      };
      requests.push(record);
      const admission = limiter.take(rateKey(ctx, request.headers));
      if (!admission.ok) {
        tooManyRequests++;
        record.status = 429;
        const { limit, windowMs } = limiter.rate;
        const message = `Too many requests: at most ${limit} per ${windowMs / 1000} s per store. Retry after ${admission.retryAfterSeconds} s.`;
        return send(response, apiError(429, 'too_many_requests', message, { 'retry-after': String(admission.retryAfterSeconds) }));
      }
      const fault = takeFault(method, path);
      record.injected = fault !== undefined;
      if (fault?.drop) return void request.socket.destroy();
      const answer = fault ? faultAnswer(fault, false) : answerApi(ctx, method, url, request.headers, body);
      record.status = answer.status;
      return send(response, answer);
    }
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      const answer = await answerAdmin({ data, fire }, method, url, contentType, body);
      if (answer) return send(response, answer);
    }
    send(response, apiError(404, 'not_found', `There is no ${path} here.`));
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`zid simulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (!response.headersSent) send(response, apiError(500, 'server_error', 'The simulator failed; see its output.'));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    oauthUrl: base,
    apiUrl: `${base}/v1`,
    clientId,
    clientSecret,
    redirectUri,
    storeId,
    storeUrl,
    addProducts: (n, productOptions) => data.addProducts(n, productOptions),
    upsertProduct: (product) => data.upsertProduct(product),
    removeProduct: (id) => data.removeProduct(id),
    addCategory: (category) => data.addCategory(category),
    addOrder: (order) => data.addOrder(order),
    setPaymentStatus: (orderId, status) => data.setPaymentStatus(orderId, status),
    setOrderStatus: (orderId, status) => data.setOrderStatus(orderId, status),
    product: (id) => structuredClone(data.products.get(id)),
    order: (id) => structuredClone(data.orders.get(id)),
    productCount: () => data.products.size,
    failNext(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    expireRefreshTokens: () => oauth.expireRefreshTokens(),
    denyNextApproval: () => oauth.denyNextApproval(),
    setRateLimit(rate) {
      limiter.rate = { ...rate };
    },
    issueTokens: (scopes = [...SCOPES]) => oauth.answer(oauth.grant(scopes)).body as ZidTokens,
    requests,
    get tooManyRequests() {
      return tooManyRequests;
    },
    tokenRequests: oauth.tokenRequests,
    authorizeRequests: oauth.authorizeRequests,
    get approvedScopes() {
      return oauth.approvedScopes;
    },
    webhooks,
    fireWebhook: fire,
    async authorize(url) {
      const response = await fetch(url, { redirect: 'manual' });
      const location = response.headers.get('location');
      const text = await response.text();
      if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}, not a redirect: ${text.slice(0, 300)}`);
      return location;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

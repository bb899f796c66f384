// Calls to Zid's API for one connected store: both tokens on every call and Store-Id on all but the
// profile; each request waits for the store's budget (limiter.ts); a 429 waits Retry-After, 5xx and
// transport failures back off with jitter, at most `maxTries` tries in all; a 401 refreshes the
// tokens once (one refresh at a time per store) and retries once; invalid_grant on the refresh marks
// the store needs_reconnect. Tokens go only to Zid's API: redirects are never followed and a `next`
// URL off the API's origin and path is refused. Log lines and errors name store, method, path and
// status, never a token or the client secret.
import { exchange, isJsonType, retryAfterMs, ZidTransportFault, type ZidHttpAnswer } from './http.js';
import { refreshTokens, type ZidOAuthSettings, type ZidTokens } from './tokens.js';
import type { ZidLimiter } from './limiter.js';
import {
  redact,
  zidErrorOf,
  ZidError,
  ZidInvalidGrant,
  ZidMalformedAnswer,
  ZidNeedsReconnect,
  ZidRequestRefused,
  ZidUnavailable,
  ZidUrlRefused,
  type ZidCallSite,
} from './errors.js';

/** Where a store's tokens live: the connector's store table, sealed. */
export interface ZidStoreKeeper {
  /** The store's current tokens, opened from their seal; throws ZidNeedsReconnect when the store is so marked (the client then never calls Zid). */
  tokens(storeId: number): Promise<ZidTokens>;
  /** Keeps tokens got by a refresh (sealed). */
  saveTokens(storeId: number, tokens: ZidTokens): Promise<void>;
  /** Zid refused the refresh token: mark the store needs_reconnect, so nothing calls it until the merchant connects it again. */
  needsReconnect(storeId: number, why: string): Promise<void>;
}

export type ZidLog = (message: string, fields: Record<string, string | number | null>) => void;

export interface ZidClientOptions {
  settings: ZidOAuthSettings & { apiUrl: string };
  keeper: ZidStoreKeeper;
  limiter: ZidLimiter;
  log?: ZidLog;
  /** First backoff after a 5xx or a transport failure (doubled each time, ±50 % jitter): 1 s. */
  retryBaseMs?: number;
  /** Tries of one request in all, whatever failed (429, 5xx, transport): 3. */
  maxTries?: number;
  /** Deadline of one exchange, the answer's body included: 30 s. */
  timeoutMs?: number;
  /** The longest a Retry-After is obeyed: 120 s. */
  maxRetryAfterMs?: number;
  /** After invalid_grant, how long another process may take to save the tokens it refreshed first, before the store is marked: 2 s. */
  refreshGraceMs?: number;
}

export interface ZidCallOptions {
  /** Send no Store-Id (Zid's profile, /managers/account/profile, goes without it whatever this says). */
  withoutStoreId?: boolean;
  /** Counts the requests this call sends (retries and a refresh included): one tally per operation, such as a sync. */
  tally?: { requests: number };
}

export type ZidQuery = Record<string, string | number | undefined>;

const PROFILE_PATH = '/managers/account/profile';
/** Header values must be visible ASCII: a token with a line end in it is never sent. */
const HEADER_SAFE = /^[\t\x20-\x7e]+$/;

/** Calls Zid's API on behalf of connected stores; one per process, shared by every store. */
export class ZidClient {
  private readonly api: URL;
  private readonly apiPath: string;
  private readonly refreshing = new Map<number, Promise<ZidTokens>>();
  private readonly sent = new Map<number, number>();
  private readonly retryBaseMs: number;
  private readonly maxTries: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly refreshGraceMs: number;

  constructor(private readonly options: ZidClientOptions) {
    this.api = new URL(options.settings.apiUrl);
    this.apiPath = this.api.pathname.replace(/\/+$/, '');
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.maxTries = Math.max(1, options.maxTries ?? 3);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.refreshGraceMs = options.refreshGraceMs ?? 2000;
  }

  /** GETs a path under the API URL (`/products/`) or an absolute `next` URL on the API's origin and path (else ZidUrlRefused, nothing sent); answers the parsed JSON. */
  get(storeId: number, pathOrUrl: string, query?: ZidQuery, options: ZidCallOptions = {}): Promise<unknown> {
    return this.call(storeId, 'GET', pathOrUrl, query, undefined, options);
  }

  /** POSTs `body` as JSON to a path under the API URL; retried only where Zid cannot have acted on it (429, 5xx, never sent). */
  post(storeId: number, path: string, body: unknown, options: ZidCallOptions = {}): Promise<unknown> {
    return this.call(storeId, 'POST', path, undefined, JSON.stringify(body), options);
  }

  /** Requests sent to Zid for this store since the client was made (API calls, their retries and token refreshes). */
  requestsSent(storeId: number): number {
    return this.sent.get(storeId) ?? 0;
  }

  private count(storeId: number, tally: ZidCallOptions['tally']): void {
    this.sent.set(storeId, this.requestsSent(storeId) + 1);
    if (tally) tally.requests += 1;
  }

  private log(message: string, site: ZidCallSite, extra: Record<string, string | number | null> = {}): void {
    this.options.log?.(message, { store_id: site.storeId, method: site.method, path: site.path, status: site.zidStatus, ...extra });
  }

  /** The URL a call goes to, or ZidUrlRefused: only Zid's API origin, under its path (`/v1`). */
  private target(storeId: number, method: string, pathOrUrl: string, query: ZidQuery | undefined): URL {
    let url: URL;
    try {
      url = /^[a-z][a-z0-9+.-]*:|^\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(`${this.api.origin}${this.apiPath}/${pathOrUrl.replace(/^\/+/, '')}`);
    } catch {
      throw new ZidUrlRefused(storeId, method, 'it is not a URL');
    }
    // Zid's API behind a proxy may write its own next links with http://; the same host is asked over https.
    if (url.protocol === 'http:' && this.api.protocol === 'https:' && url.hostname === this.api.hostname && (url.port === '' || url.port === '80')) {
      url.protocol = 'https:';
      url.port = this.api.port;
    }
    if (url.origin !== this.api.origin) throw new ZidUrlRefused(storeId, method, `it is not on ${this.api.origin}`);
    if (url.username || url.password) throw new ZidUrlRefused(storeId, method, 'it carries credentials');
    if (url.pathname !== this.apiPath && !url.pathname.startsWith(`${this.apiPath}/`)) throw new ZidUrlRefused(storeId, method, `its path is not under ${this.apiPath || '/'}`);
    url.hash = '';
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private headers(storeId: number, method: string, tokens: ZidTokens, url: URL, options: ZidCallOptions): Record<string, string> {
    const headers: Record<string, string> = { authorization: tokens.authorization, 'x-manager-token': tokens.managerToken, 'access-token': tokens.managerToken };
    const profile = url.pathname.replace(/\/+$/, '') === this.apiPath + PROFILE_PATH;
    if (!options.withoutStoreId && !profile) headers['store-id'] = tokens.zidStoreId;
    if (!Object.values(headers).every((value) => HEADER_SAFE.test(value))) {
      throw new ZidRequestRefused({ storeId, method, path: url.pathname, zidStatus: null }, 'bad_tokens', 'the stored tokens cannot be sent as HTTP headers; connect the store again');
    }
    return headers;
  }

  private backoffMs(failures: number): number {
    return Math.round(this.retryBaseMs * 2 ** (failures - 1) * (0.5 + Math.random()));
  }

  private async call(storeId: number, method: 'GET' | 'POST', pathOrUrl: string, query: ZidQuery | undefined, body: string | undefined, options: ZidCallOptions): Promise<unknown> {
    const url = this.target(storeId, method, pathOrUrl, query);
    const where = (zidStatus: number | null): ZidCallSite => ({ storeId, method, path: url.pathname, zidStatus });
    let tokens = await this.options.keeper.tokens(storeId);
    // Zid's words are shown only after every token this call sent, old or refreshed, is taken out.
    const secrets: string[] = [this.options.settings.clientSecret];
    const noteTokens = (current: ZidTokens) => secrets.push(current.authorization, current.managerToken, current.refreshToken);
    noteTokens(tokens);
    let refreshed = false;
    if (tokens.expiresAt !== null && Date.parse(tokens.expiresAt) <= Date.now() + 60_000) {
      tokens = await this.refresh(storeId, tokens, options.tally);
      noteTokens(tokens);
      refreshed = true;
    }
    let failures = 0;
    /** Counts one more failed try; true when another is allowed (after `waitMs`). */
    const again = async (site: ZidCallSite, code: string, waitMs: number): Promise<boolean> => {
      failures += 1;
      if (failures >= this.maxTries) return false;
      this.log('zid: call failed, trying again', site, { code, try: failures, wait_ms: waitMs });
      await sleep(waitMs);
      return true;
    };
    const fail = (error: ZidError): never => {
      this.log('zid: call failed', error.site, { code: error.zidCode });
      throw error;
    };
    for (;;) {
      const headers = this.headers(storeId, method, tokens, url, options);
      await this.options.limiter.take(storeId);
      this.count(storeId, options.tally);
      let answer: ZidHttpAnswer;
      try {
        answer = await exchange({ method, url, headers, body: body === undefined ? undefined : { text: body, contentType: 'application/json' } }, this.timeoutMs);
      } catch (error) {
        if (!(error instanceof ZidTransportFault)) throw error;
        const site = where(null);
        if (error.code === 'too_large') return fail(new ZidMalformedAnswer(site, 'the answer is over 5 MB', 'too_large'));
        // A GET, or a request that never left, is sent again; a POST that may have arrived is not.
        const mayRetry = method === 'GET' || error.neverSent;
        if (mayRetry && (await again(site, error.code, this.backoffMs(failures + 1)))) continue;
        return fail(new ZidUnavailable(site, error.code === 'timeout' ? 'no answer in time' : 'the connection failed', error.code, mayRetry ? failures : failures + 1));
      }
      const site = where(answer.status);
      if (answer.status >= 200 && answer.status < 300) {
        if (answer.status === 204) return null;
        const json = isJsonType(answer.contentType) ? parseJson(answer.text) : undefined;
        if (json !== undefined) return json;
        const code = isJsonType(answer.contentType) ? 'bad_json' : 'not_json';
        // A 2xx to a POST was acted on: never sent again.
        if (method === 'GET' && (await again(site, code, this.backoffMs(failures + 1)))) continue;
        return fail(new ZidMalformedAnswer(site, code === 'bad_json' ? 'its JSON cannot be read' : `it is ${answer.contentType || 'untyped'}, not JSON`, code));
      }
      if (answer.status === 401 && !refreshed) {
        this.log('zid: 401, refreshing the tokens', site);
        tokens = await this.refresh(storeId, tokens, options.tally);
        noteTokens(tokens);
        refreshed = true;
        continue;
      }
      if (answer.status === 429) {
        const waitMs = retryAfterMs(answer.retryAfter, this.maxRetryAfterMs) ?? this.backoffMs(failures + 1);
        if (await again(site, 'rate_limited', waitMs)) continue;
        return fail(new ZidUnavailable(site, 'rate limited', 'rate_limited', failures));
      }
      if (answer.status >= 500) {
        if (await again(site, 'server_error', this.backoffMs(failures + 1))) continue;
        return fail(new ZidUnavailable(site, 'a server error', 'server_error', failures));
      }
      if (answer.status >= 300 && answer.status < 400) return fail(new ZidRequestRefused(site, 'redirect', 'a redirect, not followed'));
      const refusal = zidErrorOf(isJsonType(answer.contentType) ? parseJson(answer.text) : undefined);
      const code = refusal.code ?? (answer.status === 401 ? 'unauthorized' : `http_${answer.status}`);
      return fail(new ZidRequestRefused(site, code, redact(refusal.message, secrets)));
    }
  }

  /** Fresh tokens after `used` were refused: one refresh at a time per store in this process; a later caller takes what it saved. */
  private refresh(storeId: number, used: ZidTokens, tally: ZidCallOptions['tally']): Promise<ZidTokens> {
    const running = this.refreshing.get(storeId);
    if (running) return running;
    const started = this.runRefresh(storeId, used, tally).finally(() => this.refreshing.delete(storeId));
    this.refreshing.set(storeId, started);
    return started;
  }

  private async runRefresh(storeId: number, used: ZidTokens, tally: ZidCallOptions['tally']): Promise<ZidTokens> {
    const current = await this.options.keeper.tokens(storeId);
    // Refreshed since `used` were read (by this process or another): those are the tokens to use.
    if (!sameTokens(current, used)) return current;
    const site: ZidCallSite = { storeId, method: 'POST', path: '/oauth/token', zidStatus: null };
    for (let failures = 1; ; failures++) {
      this.count(storeId, tally);
      try {
        const fresh = await refreshTokens(this.options.settings, current.refreshToken, { storeId, previous: current, timeoutMs: this.timeoutMs });
        await this.options.keeper.saveTokens(storeId, fresh);
        this.log('zid: tokens refreshed', site);
        return fresh;
      } catch (error) {
        if (error instanceof ZidInvalidGrant) return this.afterInvalidGrant(storeId, current, error.site);
        if (!(error instanceof ZidError && error.retryable) || failures >= this.maxTries) {
          if (error instanceof ZidError) this.log('zid: refresh failed', error.site, { code: error.zidCode });
          throw error;
        }
        const waitMs = this.backoffMs(failures);
        this.log('zid: refresh failed, trying again', error.site, { code: error.zidCode, try: failures, wait_ms: waitMs });
        await sleep(waitMs);
      }
    }
  }

  /** invalid_grant: unless another process saved tokens it refreshed first (Zid rotates refresh tokens), the store needs reconnecting. */
  private async afterInvalidGrant(storeId: number, refused: ZidTokens, site: ZidCallSite): Promise<ZidTokens> {
    for (const waitMs of [0, this.refreshGraceMs]) {
      if (waitMs > 0) await sleep(waitMs);
      const now = await this.options.keeper.tokens(storeId);
      if (now.refreshToken !== refused.refreshToken) return now;
    }
    this.log('zid: refresh token refused (invalid_grant); the store needs reconnecting', site, { code: 'invalid_grant' });
    await this.options.keeper.needsReconnect(storeId, 'Zid refused the refresh token (invalid_grant)');
    throw new ZidNeedsReconnect(storeId);
  }
}

function sameTokens(a: ZidTokens, b: ZidTokens): boolean {
  return a.authorization === b.authorization && a.managerToken === b.managerToken && a.refreshToken === b.refreshToken;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

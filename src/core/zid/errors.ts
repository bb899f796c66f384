// Zid's failures, typed once where they are seen (the token calls, the client), so the connector
// decides from the class alone: reconnect the store, fix the app's settings, try later, or give up
// on this request. Every message names the store, method, path (never its query) and Zid's status,
// and never holds a token, the client secret or a refresh token: Zid's own words are redacted first.
import { DomainError } from '../errors.js';

/** Where a failed call went: enough to find it in the log, nothing secret. */
export interface ZidCallSite {
  storeId: number | null;
  method: string;
  /** The URL's path only: a query could carry anything. */
  path: string;
  /** What Zid answered, when it answered. */
  zidStatus: number | null;
}

const NOWHERE: ZidCallSite = { storeId: null, method: 'POST', path: '/oauth/token', zidStatus: null };

function siteText(site: ZidCallSite): string {
  const store = site.storeId === null ? '' : `store ${site.storeId}: `;
  const status = site.zidStatus === null ? 'no answer' : `answered ${site.zidStatus}`;
  return `${store}Zid ${site.method} ${site.path} ${status}`;
}

/** Any failure talking to Zid; `retryable` says whether the same call may work later. */
export class ZidError extends DomainError {
  constructor(
    code: string,
    httpStatus: number,
    message: string,
    readonly site: ZidCallSite,
    readonly retryable: boolean,
    /** Zid's own error code (`invalid_parameters`, `invalid_client`), or a transport code (`timeout`, `not_json`). */
    readonly zidCode: string | null = null,
  ) {
    super(code, httpStatus, message, { store_id: site.storeId, method: site.method, path: site.path, zid_status: site.zidStatus, zid_code: zidCode });
  }
}

/** Zid refused the refresh token or the code (`invalid_grant`): only a new approval by the merchant helps. */
export class ZidInvalidGrant extends ZidError {
  constructor(site: ZidCallSite = NOWHERE, zidMessage = '') {
    super('zid_invalid_grant', 409, `${siteText(site)}: invalid_grant${zidMessage ? ` (${zidMessage})` : ''}; the merchant must connect the store again.`, site, false, 'invalid_grant');
  }
}

/** The store is marked needs_reconnect: Souk no longer calls Zid for it until the merchant connects it again. */
export class ZidNeedsReconnect extends ZidError {
  constructor(storeId: number, why = 'Zid refused its refresh token') {
    super('zid_needs_reconnect', 409, `Zid store ${storeId} needs to be connected again (${why}); run souk zid connect and approve it on Zid.`, { storeId, method: '-', path: '-', zidStatus: null }, false, 'needs_reconnect');
  }
}

/** Zid's OAuth server refused the app itself (`invalid_client`, `unauthorized_client`, …): check SOUK_ZID_CLIENT_ID, SOUK_ZID_CLIENT_SECRET and SOUK_ZID_REDIRECT_URI. */
export class ZidOAuthRefused extends ZidError {
  constructor(site: ZidCallSite, oauthError: string, zidMessage = '') {
    super('zid_oauth_refused', 502, `${siteText(site)}: ${oauthError}${zidMessage ? ` (${zidMessage})` : ''}; check the Zid app's client id, secret and redirect URI.`, site, false, oauthError);
  }
}

/** Zid answered something Souk cannot read (not JSON, a wrong content type, over the size limit, fields missing): logged and tried again later. */
export class ZidMalformedAnswer extends ZidError {
  constructor(site: ZidCallSite, what: string, code: string) {
    super('zid_malformed_answer', 502, `${siteText(site)}, but ${what}; it will be tried again.`, site, true, code);
  }
}

/** Zid could not be reached or kept failing (5xx, timeouts, resets, 429) through every try: try again later. */
export class ZidUnavailable extends ZidError {
  constructor(site: ZidCallSite, what: string, code: string, tries: number) {
    super('zid_unavailable', 503, `${siteText(site)}: ${what} after ${tries} ${tries === 1 ? 'try' : 'tries'}; it will be tried again later.`, site, true, code);
  }
}

/** Zid refused this request (a 4xx other than 401/429, a 401 even with fresh tokens, a redirect): the same request will not work. */
export class ZidRequestRefused extends ZidError {
  constructor(site: ZidCallSite, code: string, zidMessage: string) {
    super('zid_request_refused', 502, `${siteText(site)}: ${code}${zidMessage ? ` (${zidMessage})` : ''}.`, site, false, code);
  }
}

/** A URL Souk will not send a store's tokens to (a `next` link off Zid's API): refused before anything is sent. */
export class ZidUrlRefused extends ZidError {
  constructor(storeId: number | null, method: string, why: string) {
    super('zid_url_refused', 502, `${storeId === null ? '' : `store ${storeId}: `}a Zid URL was refused (${why}); nothing was sent.`, { storeId, method, path: '-', zidStatus: null }, false, 'url_refused');
  }
}

/** `text` with every occurrence of each secret (of 4 characters or more) replaced, and cut to a readable length. */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
    // "Bearer x" was redacted above; its bare token is redacted here.
    const bare = secret.replace(/^Bearer\s+/i, '');
    if (bare !== secret && bare.length >= 4) out = out.split(bare).join('[redacted]');
  }
  const flat = out.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The code and message of a refusal, unredacted: Zid's `{"error": {"code", "message"}}`, OAuth's
 * `{"error", "error_description"}`, or a bare `{"message"}` / `{"detail"}`.
 */
export function zidErrorOf(body: unknown): { code: string | undefined; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { code: undefined, message: '' };
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'object' && error !== null && !Array.isArray(error)) {
    const inner = error as Record<string, unknown>;
    return { code: textOf(inner.code), message: textOf(inner.message) ?? '' };
  }
  return { code: textOf(error), message: textOf(record.error_description) ?? textOf(record.message) ?? textOf(record.detail) ?? '' };
}

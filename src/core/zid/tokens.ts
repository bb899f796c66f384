// Zid's OAuth: the URL the merchant approves at, and the two form-encoded token calls (a code for
// tokens, a refresh token for new ones). Zid answers two tokens: `Authorization`, already
// "Bearer …", and `access_token`, the manager token; both go on every API call. Zid requires
// redirect_uri on a refresh too. One try each: the client (client.ts) decides what to retry.
import { exchange, isJsonType, ZidTransportFault, type ZidHttpAnswer } from './http.js';
import { redact, zidErrorOf, ZidInvalidGrant, ZidMalformedAnswer, ZidOAuthRefused, ZidUnavailable, type ZidCallSite } from './errors.js';

/** What Zid's /oauth/token answered, as Souk keeps it (the caller seals it at rest). */
export interface ZidTokens {
  /** `Authorization` as Zid sent it, "Bearer …" (prefixed here only if Zid ever sends it bare); sent as is. */
  authorization: string;
  /** Zid's access_token: sent as X-Manager-Token and Access-Token. */
  managerToken: string;
  refreshToken: string;
  /** ISO-8601 UTC, from expires_in; null when Zid gave none. */
  expiresAt: string | null;
  zidStoreId: string;
  storeUrl: string | null;
}

export interface ZidOAuthSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Zid's OAuth server (`https://oauth.zid.sa`): /oauth/authorize and /oauth/token live under it. */
  oauthUrl: string;
}

/** The scopes the connector asks for: products, orders and categories read, webhooks read and written. */
export const ZID_SCOPES: readonly string[] = ['products.read', 'orders.read', 'categories.read', 'webhooks.read', 'webhooks.write'];

export const ZID_TOKEN_TIMEOUT_MS = 30_000;

export interface ZidTokenCallOptions {
  /** Souk's id of the store, for error messages. */
  storeId?: number;
  timeoutMs?: number;
}

function under(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}

/** Zid's /oauth/authorize URL for `state`: client_id, redirect_uri, response_type=code, the scopes space-separated. */
export function authorizeUrl(settings: ZidOAuthSettings, state: string, scopes: readonly string[] = ZID_SCOPES): string {
  const url = under(settings.oauthUrl, '/oauth/authorize');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', settings.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

/** Trades the code Zid sent back to the redirect URI for the store's tokens; ZidInvalidGrant when the code is used or expired. */
export async function exchangeCode(settings: ZidOAuthSettings, code: string, options: ZidTokenCallOptions = {}): Promise<ZidTokens> {
  const form = { grant_type: 'authorization_code', code, client_id: settings.clientId, client_secret: settings.clientSecret, redirect_uri: settings.redirectUri };
  return tokenCall(settings, form, [code], undefined, options);
}

/**
 * New tokens for a refresh token (with redirect_uri, which Zid requires); ZidInvalidGrant when Zid
 * refuses it (the merchant must reconnect). A refresh answer without store_id or store_url keeps
 * `previous`'s.
 */
export async function refreshTokens(
  settings: ZidOAuthSettings,
  refreshToken: string,
  options: ZidTokenCallOptions & { previous?: Pick<ZidTokens, 'zidStoreId' | 'storeUrl'> } = {},
): Promise<ZidTokens> {
  const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: settings.clientId, client_secret: settings.clientSecret, redirect_uri: settings.redirectUri };
  return tokenCall(settings, form, [refreshToken], options.previous, options);
}

async function tokenCall(
  settings: ZidOAuthSettings,
  form: Record<string, string>,
  secrets: string[],
  previous: Pick<ZidTokens, 'zidStoreId' | 'storeUrl'> | undefined,
  options: ZidTokenCallOptions,
): Promise<ZidTokens> {
  const url = under(settings.oauthUrl, '/oauth/token');
  const site: ZidCallSite = { storeId: options.storeId ?? null, method: 'POST', path: url.pathname, zidStatus: null };
  const hidden = [settings.clientSecret, ...secrets];
  let answer: ZidHttpAnswer;
  try {
    answer = await exchange(
      { method: 'POST', url, headers: {}, body: { text: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded' } },
      options.timeoutMs ?? ZID_TOKEN_TIMEOUT_MS,
    );
  } catch (error) {
    if (!(error instanceof ZidTransportFault)) throw error;
    if (error.code === 'too_large') throw new ZidMalformedAnswer(site, 'the answer is over the size limit', 'too_large');
    throw new ZidUnavailable(site, error.code === 'timeout' ? 'no answer in time' : 'the connection failed', error.code, 1);
  }
  site.zidStatus = answer.status;
  if (answer.status === 429 || answer.status >= 500) throw new ZidUnavailable(site, answer.status === 429 ? 'rate limited' : 'a server error', answer.status === 429 ? 'rate_limited' : 'server_error', 1);
  const body = isJsonType(answer.contentType) ? parseJson(answer.text) : undefined;
  if (answer.status >= 200 && answer.status < 300) {
    if (body === undefined) throw new ZidMalformedAnswer(site, isJsonType(answer.contentType) ? 'its JSON cannot be read' : 'the answer is not JSON', isJsonType(answer.contentType) ? 'bad_json' : 'not_json');
    const tokens = tokensOf(body, previous);
    if (typeof tokens === 'string') throw new ZidMalformedAnswer(site, tokens, 'bad_tokens');
    return tokens;
  }
  const refusal = zidErrorOf(body);
  const message = redact(refusal.message, hidden);
  if (refusal.code === 'invalid_grant') throw new ZidInvalidGrant(site, message);
  throw new ZidOAuthRefused(site, answer.status >= 300 && answer.status < 400 ? 'redirect' : (refusal.code ?? `http_${answer.status}`), message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The tokens in Zid's answer, or a sentence saying what is missing (naming fields, never their values). */
export function tokensOf(body: unknown, previous?: Pick<ZidTokens, 'zidStoreId' | 'storeUrl'>): ZidTokens | string {
  if (!isRecord(body)) return 'the answer is not a JSON object';
  const authorization = text(body.Authorization ?? body.authorization);
  const managerToken = text(body.access_token);
  const refreshToken = text(body.refresh_token);
  const zidStoreId = text(body.store_id) ?? previous?.zidStoreId;
  const missing = [!authorization && 'Authorization', !managerToken && 'access_token', !refreshToken && 'refresh_token', !zidStoreId && 'store_id'].filter(Boolean);
  if (missing.length > 0 || !authorization || !managerToken || !refreshToken || !zidStoreId) return `the token answer lacks ${missing.join(', ')}`;
  const expiresIn = Number(body.expires_in);
  const expiresAt = body.expires_in !== undefined && body.expires_in !== null && Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : null;
  return {
    // Zid sends "Bearer …"; were it ever bare, it would be refused without its scheme.
    authorization: /^\S+\s+\S/.test(authorization) ? authorization : `Bearer ${authorization}`,
    managerToken,
    refreshToken,
    expiresAt,
    zidStoreId,
    storeUrl: text(body.store_url) ?? (body.store_url === undefined ? (previous?.storeUrl ?? null) : null),
  };
}

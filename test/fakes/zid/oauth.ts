// Zid's OAuth server as its document describes it: /oauth/authorize sends the merchant back with a
// code, /oauth/token (form-encoded only) trades it, or a refresh token (with redirect_uri, which Zid
// requires), for two tokens: `Authorization`, already prefixed with "Bearer ", and `access_token`
// (the manager token). Refresh tokens rotate; the old one, like a revoked one, is `invalid_grant`.
import { randomBytes } from 'node:crypto';
import { oauthError, type Answer } from './http.js';
import { SCOPES, type ZidAuthorizeRequest, type ZidTokenRequest } from './types.js';

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  storeId: string;
  storeUrl: string;
  /** How long a code may wait before it is traded. */
  codeTtlMs: number;
}

/** What one token answer handed out: both access tokens, the refresh token, what they allow. */
export interface Grant {
  /** "Bearer …", exactly as sent back in the `Authorization` header. */
  authorization: string;
  accessToken: string;
  refreshToken: string;
  scopes: string[];
  storeId: string;
  accessExpiresAt: number;
  accessRevoked: boolean;
  refresh: 'live' | 'rotated' | 'revoked' | 'expired';
}

interface Code {
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

/** Zid's tokens last a year. */
export const EXPIRES_IN = 31_536_000;

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

export class ZidOAuth {
  readonly authorizeRequests: ZidAuthorizeRequest[] = [];
  readonly tokenRequests: ZidTokenRequest[] = [];
  /** The scopes of the last approval. */
  approvedScopes: string[] = [];
  private denyNext = false;
  private readonly codes = new Map<string, Code>();
  private readonly byAuthorization = new Map<string, Grant>();
  private readonly byRefresh = new Map<string, Grant>();

  constructor(readonly settings: OAuthSettings) {}

  denyNextApproval(): void {
    this.denyNext = true;
  }

  /** GET /oauth/authorize: the merchant approves at once (or denies, when told) and is sent back. */
  authorize(url: URL): Answer {
    const q = url.searchParams;
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    const record: ZidAuthorizeRequest = {
      clientIdMatches: q.get('client_id') === this.settings.clientId,
      redirectUriMatches: q.get('redirect_uri') === this.settings.redirectUri,
      responseType: q.get('response_type'),
      scopes,
      state: q.has('state'),
      outcome: 'approved',
    };
    this.authorizeRequests.push(record);
    // A wrong client or redirect URI is shown to the merchant, never sent to an unknown address.
    if (!record.clientIdMatches) return this.refuse(record, oauthError(401, 'invalid_client', 'Client authentication failed: unknown client_id.'));
    if (!record.redirectUriMatches) {
      return this.refuse(record, oauthError(400, 'invalid_request', 'The redirect_uri is missing or is not the one registered for this app.'));
    }
    const back = new URL(this.settings.redirectUri);
    const state = q.get('state');
    const redirect = (params: Record<string, string>, outcome: string): Answer => {
      record.outcome = outcome;
      for (const [name, value] of Object.entries(params)) back.searchParams.set(name, value);
      if (state !== null) back.searchParams.set('state', state);
      return { status: 302, body: '', contentType: 'text/html; charset=UTF-8', headers: { location: back.toString() } };
    };
    if (record.responseType !== 'code') return redirect({ error: 'unsupported_response_type' }, 'unsupported_response_type');
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length) return redirect({ error: 'invalid_scope' }, 'invalid_scope');
    if (this.denyNext) {
      this.denyNext = false;
      return redirect({ error: 'access_denied' }, 'denied');
    }
    const code = token(32);
    this.codes.set(code, { redirectUri: this.settings.redirectUri, scopes, expiresAt: Date.now() + this.settings.codeTtlMs, used: false });
    this.approvedScopes = scopes;
    return redirect({ code }, 'approved');
  }

  private refuse(record: ZidAuthorizeRequest, answer: Answer): Answer {
    record.outcome = (answer.body as { error: string }).error;
    return answer;
  }

  /** POST /oauth/token with the raw body; records the call without any secret. */
  token(contentType: string, body: string): Answer {
    const form = /^application\/x-www-form-urlencoded\b/i.test(contentType) ? new URLSearchParams(body) : undefined;
    const redirectUri = form?.get('redirect_uri') ?? null;
    const record: ZidTokenRequest = {
      grantType: form?.get('grant_type') ?? null,
      contentType,
      redirectUri: redirectUri !== null,
      redirectUriMatches: redirectUri === this.settings.redirectUri,
      status: 0,
      error: null,
    };
    this.tokenRequests.push(record);
    const answer = this.trade(form);
    record.status = answer.status;
    record.error = answer.status === 200 ? null : (answer.body as { error: string }).error;
    return answer;
  }

  private trade(form: URLSearchParams | undefined): Answer {
    if (!form) return oauthError(400, 'invalid_request', 'The request must be form-encoded (Content-Type: application/x-www-form-urlencoded).');
    if (form.get('client_id') !== this.settings.clientId || form.get('client_secret') !== this.settings.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed.');
    }
    const redirectUri = form.get('redirect_uri');
    switch (form.get('grant_type')) {
      case 'authorization_code': {
        const text = form.get('code');
        if (!text) return oauthError(400, 'invalid_request', 'The request is missing the "code" parameter.');
        if (redirectUri === null) return oauthError(400, 'invalid_request', 'The request is missing the "redirect_uri" parameter.');
        const code = this.codes.get(text);
        if (!code) return oauthError(400, 'invalid_grant', 'Cannot decrypt the authorization code.');
        if (code.used) return oauthError(400, 'invalid_grant', 'Authorization code has been revoked.');
        if (Date.now() > code.expiresAt) return oauthError(400, 'invalid_grant', 'Authorization code has expired.');
        if (redirectUri !== code.redirectUri) return oauthError(400, 'invalid_request', 'Invalid redirect URI.');
        code.used = true;
        return this.answer(this.grant(code.scopes));
      }
      case 'refresh_token': {
        const text = form.get('refresh_token');
        if (!text) return oauthError(400, 'invalid_request', 'The request is missing the "refresh_token" parameter.');
        // Zid, unlike most, wants the redirect URI again when refreshing.
        if (redirectUri === null) return oauthError(400, 'invalid_request', 'The request is missing the "redirect_uri" parameter.');
        if (redirectUri !== this.settings.redirectUri) return oauthError(400, 'invalid_request', 'Invalid redirect URI.');
        const old = this.byRefresh.get(text);
        if (!old) return oauthError(400, 'invalid_grant', 'The refresh token is invalid.');
        if (old.refresh === 'expired') return oauthError(400, 'invalid_grant', 'The refresh token is invalid: it has expired.');
        if (old.refresh !== 'live') return oauthError(400, 'invalid_grant', 'The refresh token is invalid: it has been revoked.');
        // Rotation: the old refresh token and the access tokens it came with stop working.
        old.refresh = 'rotated';
        old.accessRevoked = true;
        return this.answer(this.grant(old.scopes));
      }
      case 'password':
      case 'client_credentials':
      case 'implicit':
        return oauthError(400, 'unauthorized_client', 'The client is not authorized to use this grant type.');
      default:
        return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    }
  }

  /** Hands out a new pair of access tokens and a refresh token, as a successful trade does. */
  grant(scopes: string[]): Grant {
    const grant: Grant = {
      authorization: `Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${token(48)}.${token(32)}`,
      accessToken: `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${token(48)}.${token(32)}`,
      refreshToken: token(96),
      scopes: [...scopes],
      storeId: this.settings.storeId,
      accessExpiresAt: Date.now() + EXPIRES_IN * 1000,
      accessRevoked: false,
      refresh: 'live',
    };
    this.byAuthorization.set(grant.authorization, grant);
    this.byRefresh.set(grant.refreshToken, grant);
    return grant;
  }

  /** The token answer exactly as Zid's document shows it. */
  answer(grant: Grant): Answer {
    return {
      status: 200,
      body: {
        Authorization: grant.authorization,
        access_token: grant.accessToken,
        refresh_token: grant.refreshToken,
        token_type: 'Bearer',
        expires_in: EXPIRES_IN,
        store_id: grant.storeId,
        store_url: this.settings.storeUrl,
      },
    };
  }

  /** The grant whose `Authorization` value this is, live or not. */
  lookup(authorization: string | undefined): Grant | undefined {
    return authorization === undefined ? undefined : this.byAuthorization.get(authorization);
  }

  /** Why these three headers do not authenticate a call, or the live grant they name. */
  authenticate(authorization: string | undefined, managerToken: string | undefined, accessToken: string | undefined): Grant | string {
    if (!authorization) return 'The Authorization header is missing.';
    const grant = this.lookup(authorization);
    if (!grant) {
      return /^Bearer\s+Bearer\s/i.test(authorization)
        ? 'Unauthenticated: the Authorization header says "Bearer" twice (Zid\'s Authorization value already starts with it).'
        : 'Unauthenticated: the Authorization token is unknown.';
    }
    if (managerToken !== grant.accessToken) return 'Unauthenticated: the X-Manager-Token header is missing or is not the access_token.';
    if (accessToken !== grant.accessToken) return 'Unauthenticated: the Access-Token header is missing or is not the access_token.';
    if (grant.accessRevoked) return 'Unauthenticated: the access token has been revoked.';
    if (Date.now() >= grant.accessExpiresAt) return 'Unauthenticated: the access token has expired.';
    return grant;
  }

  expireAccessTokens(): void {
    for (const grant of this.byAuthorization.values()) grant.accessExpiresAt = Math.min(grant.accessExpiresAt, Date.now() - 1);
  }

  revokeRefreshTokens(): void {
    for (const grant of this.byRefresh.values()) if (grant.refresh === 'live') grant.refresh = 'revoked';
  }

  expireRefreshTokens(): void {
    for (const grant of this.byRefresh.values()) if (grant.refresh === 'live') grant.refresh = 'expired';
  }
}

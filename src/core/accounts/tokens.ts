// Short-lived access tokens (JWT, HS256) for the token endpoint, and refresh tokens to renew them.
// Every use re-checks the key or user behind the token, so revoking a key ends its tokens too. Both
// kinds name their login's family (`fam`); token-families.ts keeps the families and their rules.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Db } from '../../db/index.js';
import { deriveKey, randomBase62, type SecretBox } from '../crypto.js';
import { Unauthorized } from '../errors.js';
import { loadLiveKey } from './api-keys.js';
import { DEFAULT_KEY_SCOPES, type Principal } from './principal.js';

const ISSUER = 'souk';
const AUDIENCE = 'souk-api';
/**
 * Shop customers' tokens carry their own audience: `verify()` refuses them (so they open neither
 * /api/v1 nor /admin/api) and `verifyCustomer()` refuses every other token.
 */
const SHOP_AUDIENCE = 'souk-shop';

export type TokenSubject = { kind: 'key'; keyId: string } | { kind: 'user'; userId: number };

/** A verified token: whose it is, the login family it belongs to, and its own id. */
export interface VerifiedToken {
  subject: TokenSubject;
  family: string;
  jti: string;
}

export interface IssuedTokens {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  expires_at: string;
  refresh_token: string;
  refresh_expires_in: number;
}

interface Claims {
  typ: 'access' | 'refresh';
  key?: string;
  usr?: number;
  cus?: number;
  fam?: string;
}

export interface IssuedCustomerToken {
  token: string;
  expires_in: number;
  expires_at: string;
}

export class TokenService {
  private readonly secret: Uint8Array;
  constructor(
    masterKey: Buffer,
    private readonly ttlSeconds: number,
    private readonly refreshTtlSeconds: number,
  ) {
    this.secret = new Uint8Array(deriveKey(masterKey, 'jwt-hs256'));
  }

  /** Seconds until the last token of a pair issued now expires. */
  get longestTtlSeconds(): number {
    return Math.max(this.ttlSeconds, this.refreshTtlSeconds);
  }

  /** A token pair of `family`; the refresh token's id is `refreshJti` (the one the family records). */
  async issue(subject: TokenSubject, family: string, refreshJti: string): Promise<IssuedTokens> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Claims = subject.kind === 'key' ? { typ: 'access', key: subject.keyId, fam: family } : { typ: 'access', usr: subject.userId, fam: family };
    const sign = (typ: Claims['typ'], ttl: number, jti: string) =>
      new SignJWT({ ...claims, typ })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(jti)
        .sign(this.secret);
    return {
      token: await sign('access', this.ttlSeconds, newTokenId()),
      token_type: 'Bearer',
      expires_in: this.ttlSeconds,
      expires_at: new Date((now + this.ttlSeconds) * 1000).toISOString().replace('.000Z', 'Z'),
      refresh_token: await sign('refresh', this.refreshTtlSeconds, refreshJti),
      refresh_expires_in: this.refreshTtlSeconds,
    };
  }

  /** An access token for a shop customer, good only on the shop profile (no refresh token: log in again). */
  async issueCustomer(customerId: number, ttlSeconds: number): Promise<IssuedCustomerToken> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ typ: 'access', cus: customerId } satisfies Claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(SHOP_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomBase62(12))
      .sign(this.secret);
    return { token, expires_in: ttlSeconds, expires_at: new Date((now + ttlSeconds) * 1000).toISOString().replace('.000Z', 'Z') };
  }

  /** The customer id behind a shop token; Unauthorized for anything else (API tokens included). */
  async verifyCustomer(token: string): Promise<number> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: SHOP_AUDIENCE }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('The token has expired; log in again.');
      throw new Unauthorized('The token is not valid; log in again (POST /api/auth/login).');
    }
    if (payload.typ !== 'access' || typeof payload.cus !== 'number' || !Number.isSafeInteger(payload.cus)) {
      throw new Unauthorized('The token is not valid; log in again (POST /api/auth/login).');
    }
    return payload.cus;
  }

  /**
   * Verifies signature, algorithm (HS256 only: `none` and others are refused), expiry and kind; a
   * token without a family (minted before families existed) is refused.
   */
  async verify(token: string, expected: Claims['typ']): Promise<VerifiedToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('The token has expired; request a new one.');
      throw new Unauthorized('The token is not valid.');
    }
    if (payload.typ !== expected) throw new Unauthorized(`This is not ${expected === 'access' ? 'an access' : 'a refresh'} token.`);
    const { fam: family, jti } = payload;
    if (typeof family !== 'string' || typeof jti !== 'string') throw new Unauthorized('The token is not valid; request a new one (POST /api/v1/auth/token).');
    if (typeof payload.key === 'string') return { subject: { kind: 'key', keyId: payload.key }, family, jti };
    if (typeof payload.usr === 'number') return { subject: { kind: 'user', userId: payload.usr }, family, jti };
    throw new Unauthorized('The token is not valid.');
  }
}

/** A fresh random id for a token or a token family. */
export function newTokenId(): string {
  return randomBase62(16);
}

export interface TokenPrincipal {
  principal: Principal;
  signingSecret: string | null;
  requireSignature: boolean;
}

/** The caller behind a token, provided its key or user is still live. */
export async function principalForSubject(db: Db, box: SecretBox, subject: TokenSubject): Promise<TokenPrincipal> {
  if (subject.kind === 'key') {
    const credentials = await loadLiveKey(db, box, subject.keyId);
    if (!credentials) throw new Unauthorized('The key behind this token has been revoked.');
    return credentials;
  }
  const row = await db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select(['users.id', 'users.disabled_at', 'users.role', 'accounts.id as account_id', 'accounts.kind', 'accounts.currency', 'accounts.tier', 'accounts.status', 'accounts.rate_limit_per_minute'])
    .where('users.id', '=', subject.userId)
    .executeTakeFirst();
  if (!row || row.disabled_at || row.status !== 'active') throw new Unauthorized('The user behind this token is disabled.');
  return {
    principal: {
      accountId: row.account_id,
      accountKind: row.kind,
      accountCurrency: row.currency,
      accountTier: row.tier,
      keyId: null,
      userId: row.id,
      scopes: row.kind === 'admin' ? ['admin'] : DEFAULT_KEY_SCOPES,
      rateLimitPerMinute: row.rate_limit_per_minute,
      via: 'token',
      ...(row.kind === 'admin' ? { role: row.role } : {}),
    },
    signingSecret: null,
    requireSignature: false,
  };
}

// Refresh token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2). Each login
// starts a family; a refresh consumes the family's current refresh token and issues the next one. A
// used refresh token presented again means two parties hold the family's tokens and the server
// cannot tell which is the thief, so the whole family is revoked, its access tokens included.
import type { Db } from '../../db/index.js';
import type { ChangeBus } from '../../platform/bus.js';
import { nowIso } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { Unauthorized } from '../errors.js';
import { forgetLiveKeys, liveKeysOf } from './live-keys.js';
import { newTokenId, principalForSubject, type IssuedTokens, type TokenPrincipal, type TokenService, type TokenSubject } from './tokens.js';

export interface TokenDeps {
  db: Db;
  box: SecretBox;
  bus: ChangeBus;
  tokens: TokenService;
}

const LOG_IN_AGAIN = 'Request a new token (POST /api/v1/auth/token).';

/** Past every token of a pair issued now, with a minute to spare for the time signing takes. */
function familyExpiry(tokens: TokenService): string {
  return new Date(Date.now() + (tokens.longestTtlSeconds + 60) * 1000).toISOString();
}

/** A new token pair for a login that was just checked; every login starts a family of its own. */
export async function issueTokens(deps: TokenDeps, subject: TokenSubject): Promise<IssuedTokens> {
  const family = newTokenId();
  const jti = newTokenId();
  await deps.db
    .insertInto('token_families')
    .values({
      id: family,
      subject: subject.kind === 'key' ? `key:${subject.keyId}` : `user:${subject.userId}`,
      current_jti: jti,
      created_at: nowIso(),
      refreshed_at: null,
      expires_at: familyExpiry(deps.tokens),
      revoked_at: null,
    })
    .execute();
  return deps.tokens.issue(subject, family, jti);
}

/**
 * Trades the family's current refresh token for a new pair of the same family, once: of two
 * refreshes with one token at most one wins, and a used token presented again revokes the family.
 */
export async function refreshTokens(deps: TokenDeps, refreshToken: string): Promise<IssuedTokens> {
  const presented = await deps.tokens.verify(refreshToken, 'refresh');
  await principalForSubject(deps.db, deps.box, presented.subject);
  const next = newTokenId();
  // The swap is the check: only the request whose token is still current changes the row.
  const rotated = await deps.db
    .updateTable('token_families')
    .set({ current_jti: next, refreshed_at: nowIso(), expires_at: familyExpiry(deps.tokens) })
    .where('id', '=', presented.family)
    .where('current_jti', '=', presented.jti)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(rotated.numUpdatedRows) !== 1) {
    await revokeFamily(deps, presented.family);
    throw new Unauthorized(`This refresh token was used already or its login is revoked; every token of that login is now refused. ${LOG_IN_AGAIN}`);
  }
  return deps.tokens.issue(presented.subject, presented.family, next);
}

async function revokeFamily(deps: { db: Db; bus: ChangeBus }, family: string): Promise<void> {
  const revoked = await deps.db
    .updateTable('token_families')
    .set({ revoked_at: nowIso() })
    .where('id', '=', family)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  // Other processes may remember the family as live for a second: tell them at once.
  if (Number(revoked.numUpdatedRows) > 0) forgetLiveKeys(deps);
}

/**
 * The caller behind an access token, provided its key or user is live and its family is not
 * revoked (a revocation elsewhere is seen within a second, at once with Redis).
 */
export async function principalForAccessToken(deps: Pick<TokenDeps, 'db' | 'box' | 'tokens'>, token: string): Promise<TokenPrincipal> {
  const presented = await deps.tokens.verify(token, 'access');
  const live = liveKeysOf(deps.db);
  if (!live.recallFamily(presented.family)) {
    const row = await deps.db.selectFrom('token_families').select('revoked_at').where('id', '=', presented.family).executeTakeFirst();
    if (!row || row.revoked_at !== null) throw new Unauthorized(`This token's login has been revoked. ${LOG_IN_AGAIN}`);
    live.rememberFamily(presented.family);
  }
  return principalForSubject(deps.db, deps.box, presented.subject);
}

/** Deletes the families whose every token has expired; returns how many went. */
export async function pruneTokenFamilies(db: Db): Promise<number> {
  const pruned = await db.deleteFrom('token_families').where('expires_at', '<', nowIso()).executeTakeFirst();
  return Number(pruned.numDeletedRows);
}

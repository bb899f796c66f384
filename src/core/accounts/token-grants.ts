// Who gets a token from POST /api/v1/auth/token: a login (username + password) or an API key (its
// id + the key itself), exactly one of the two, each checked before anything is issued.
import { ValidationFailed, Unauthorized } from '../errors.js';
import { authenticateApiKey } from './api-keys.js';
import { issueTokens, type TokenDeps } from './token-families.js';
import type { IssuedTokens } from './tokens.js';
import { checkLogin } from './users.js';

export interface TokenCredentials {
  username?: string;
  password?: string;
  keyId?: string;
  secret?: string;
}

/** The pair a token request names, and whose login it tries (`user:<name>` or `key:<id>`), for the throttle on guessing. */
export type TokenLogin = ({ kind: 'user'; username?: string; password?: string } | { kind: 'key'; keyId?: string; secret?: string }) & { name: string };

/** Which pair of credentials a token request names; 400 when it names both pairs, or neither. */
export function tokenLoginOf(credentials: TokenCredentials): TokenLogin {
  const { username, password, keyId, secret } = credentials;
  const byLogin = username !== undefined || password !== undefined;
  if (byLogin === (keyId !== undefined || secret !== undefined)) {
    throw new ValidationFailed('Send either username and password, or key_id and secret.', [{ field: 'body', message: 'one pair of credentials' }]);
  }
  return byLogin ? { kind: 'user', username, password, name: `user:${(username ?? '').toLowerCase()}` } : { kind: 'key', keyId, secret, name: `key:${keyId}` };
}

/**
 * A new token pair (a family of its own) for a login whose pair is whole and right: 400 when half
 * of the pair is missing, 401 when the password or key is wrong, the key revoked or not `keyId`'s.
 */
export async function issueTokensFor(deps: TokenDeps, login: TokenLogin): Promise<IssuedTokens> {
  if (login.kind === 'user') {
    const { username, password } = login;
    if (!username || !password) throw new ValidationFailed('Send both username and password.', [{ field: username ? 'password' : 'username', message: 'is required' }]);
    const user = await checkLogin(deps.db, username, password);
    if (!user) throw new Unauthorized('The username or password is wrong.');
    return issueTokens(deps, { kind: 'user', userId: user.userId });
  }
  const { keyId, secret } = login;
  if (!keyId || !secret) throw new ValidationFailed('Send both key_id and secret.', [{ field: keyId ? 'secret' : 'key_id', message: 'is required' }]);
  const credentials = await authenticateApiKey(deps.db, deps.box, secret);
  if (!credentials || credentials.principal.keyId !== keyId) throw new Unauthorized('The key id or secret is wrong, or the key is revoked.');
  return issueTokens(deps, { kind: 'key', keyId });
}

// Cookie sessions of the console (issue 20): a login of the shop's admin account signs in with its
// username and password and its browser holds a random token in an HttpOnly cookie. The database
// keeps only the token's SHA-256, so a copy of it opens no session. The CSRF token is derived from
// the session token (an HMAC), so it needs no storage, changes with every session, and cannot be
// computed by a page that cannot read the HttpOnly cookie.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { constantTimeEqual, hmacSha256Hex, randomBase62, sha256Hex } from '../crypto.js';
import { Unauthorized } from '../errors.js';
import type { Principal } from './principal.js';
import type { AdminRole } from './roles.js';
import { checkLogin } from './users.js';

export interface ConsoleUser {
  id: number;
  username: string;
  role: AdminRole;
}

export interface ConsoleSession {
  user: ConsoleUser;
  /** What every state-changing call of this session must send in `X-CSRF-Token`. */
  csrfToken: string;
  expiresAt: string;
}

const WRONG = 'The username or password is wrong.';
/** A session's last use is written at most this often, so reading pages does not write each time. */
const TOUCH_EVERY_MS = 60_000;

/** The CSRF token of a session: the same for its whole life, different for every session. */
export function csrfTokenOf(sessionToken: string): string {
  return hmacSha256Hex(sessionToken, 'souk:console:csrf');
}

/** Whether `presented` is the CSRF token of the session, compared in constant time. */
export function isCsrfTokenOf(sessionToken: string, presented: string | undefined): boolean {
  return presented !== undefined && constantTimeEqual(csrfTokenOf(sessionToken), presented);
}

/** Signs a login of the admin account in: a new session token (shown once, to be set as the cookie) and the session. Any other login, or a wrong password, is refused alike. */
export async function openConsoleSession(db: Db, input: { username: string; password: string; ip: string; ttlSeconds: number }): Promise<{ token: string; session: ConsoleSession }> {
  const login = await checkLogin(db, input.username, input.password);
  if (!login) throw new Unauthorized(WRONG);
  const user = await db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select(['users.id', 'users.username', 'users.role'])
    .where('users.id', '=', login.userId)
    .where('accounts.kind', '=', 'admin')
    .where('accounts.status', '=', 'active')
    .executeTakeFirst();
  if (!user) throw new Unauthorized(WRONG);
  const token = randomBase62(32);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000).toISOString();
  await db
    .insertInto('console_sessions')
    .values({ id: sha256Hex(token), user_id: user.id, created_at: now.toISOString(), expires_at: expiresAt, last_seen_at: now.toISOString(), ip: input.ip.slice(0, 64), ended_at: null })
    .execute();
  return { token, session: { user, csrfToken: csrfTokenOf(token), expiresAt } };
}

/** The caller behind a session token, while the session, its login and the admin account are all live; undefined otherwise. */
export async function consoleSessionOf(db: Db, token: string): Promise<{ principal: Principal; session: ConsoleSession } | undefined> {
  if (!/^[0-9A-Za-z]{20,100}$/.test(token)) return undefined;
  const id = sha256Hex(token);
  const now = nowIso();
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('users', 'users.id', 'console_sessions.user_id')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select(['users.id as user_id', 'users.username', 'users.role', 'accounts.id as account_id', 'accounts.currency', 'accounts.tier', 'accounts.rate_limit_per_minute', 'console_sessions.expires_at', 'console_sessions.last_seen_at'])
    .where('console_sessions.id', '=', id)
    .where('console_sessions.ended_at', 'is', null)
    .where('console_sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .where('accounts.kind', '=', 'admin')
    .where('accounts.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  if (Date.parse(now) - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    await db.updateTable('console_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }
  const principal: Principal = {
    accountId: row.account_id,
    accountKind: 'admin',
    accountCurrency: row.currency,
    accountTier: row.tier,
    keyId: null,
    userId: row.user_id,
    scopes: ['admin'],
    rateLimitPerMinute: row.rate_limit_per_minute,
    via: 'console',
    role: row.role,
  };
  return { principal, session: { user: { id: row.user_id, username: row.username, role: row.role }, csrfToken: csrfTokenOf(token), expiresAt: row.expires_at } };
}

/** Ends a session (log out): its token opens nothing afterwards. */
export async function endConsoleSession(db: Db, token: string): Promise<void> {
  await db.updateTable('console_sessions').set({ ended_at: nowIso() }).where('id', '=', sha256Hex(token)).where('ended_at', 'is', null).execute();
}

/** Forgets sessions that ended or expired more than a day ago. */
export async function pruneConsoleSessions(db: Db): Promise<number> {
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  const result = await db.deleteFrom('console_sessions').where((w) => w.or([w('expires_at', '<', dayAgo), w('ended_at', '<', dayAgo)])).executeTakeFirst();
  return Number(result.numDeletedRows);
}

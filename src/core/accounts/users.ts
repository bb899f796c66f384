import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../crypto.js';
import { Conflict, NotFound, ValidationFailed } from '../errors.js';
import { getAccount } from './accounts.js';
import { isAdminRole, type AdminRole } from './roles.js';

export interface UserLogin {
  userId: number;
  accountId: number;
}

/** Creates a login for an account's console and token endpoint, with its role when the account is the admin's (default owner). Stores only a scrypt hash. */
export async function createUser(db: Db, input: { accountId: number; username: string; password: string; role?: string }): Promise<{ id: number; username: string; role: AdminRole }> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9._@+-]{3,200}$/.test(username)) {
    throw new ValidationFailed('The user is not valid.', [{ field: 'username', message: '3 to 200 characters: letters, digits, . _ @ + -' }]);
  }
  if (input.password.length < 10) {
    throw new ValidationFailed('The user is not valid.', [{ field: 'password', message: 'must be at least 10 characters' }]);
  }
  const role = input.role ?? 'owner';
  if (!isAdminRole(role)) {
    throw new ValidationFailed('The user is not valid.', [{ field: 'role', message: 'owner, operator or viewer' }]);
  }
  await getAccount(db, input.accountId);
  const taken = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (taken) throw new Conflict(`The username "${username}" is taken.`, 'username');
  const row = await db
    .insertInto('users')
    .values({ account_id: input.accountId, username, password_hash: await hashPassword(input.password), disabled_at: null, created_at: nowIso(), role })
    .returning(['id', 'username', 'role'])
    .executeTakeFirstOrThrow();
  return row;
}

/**
 * Checks a username and password. Unknown users cost the same scrypt work as known ones, so the
 * answer time does not tell which usernames exist.
 */
export async function checkLogin(db: Db, username: string, password: string): Promise<UserLogin | undefined> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'account_id', 'password_hash', 'disabled_at'])
    .where('username', '=', username.trim().toLowerCase())
    .executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!ok || !user || user.disabled_at) return undefined;
  return { userId: user.id, accountId: user.account_id };
}

export interface LoginSummary {
  id: number;
  accountId: number;
  username: string;
  role: AdminRole;
  disabledAt: string | null;
  createdAt: string;
}

/** An account's logins (never their password hashes). */
export async function listLogins(db: Db, accountId: number): Promise<LoginSummary[]> {
  await getAccount(db, accountId);
  const rows = await db.selectFrom('users').select(['id', 'account_id', 'username', 'role', 'disabled_at', 'created_at']).where('account_id', '=', accountId).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, accountId: row.account_id, username: row.username, role: row.role, disabledAt: row.disabled_at, createdAt: row.created_at }));
}

/** Changes a login's role, or disables or enables it; a disabled login's sessions and tokens stop working at their next request. */
export async function updateLogin(db: Db, userId: number, change: { role?: string; disabled?: boolean }): Promise<LoginSummary> {
  if (change.role !== undefined && !isAdminRole(change.role)) {
    throw new ValidationFailed('The change is not valid.', [{ field: 'role', message: 'owner, operator or viewer' }]);
  }
  const current = await db.selectFrom('users').select(['id', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  if (!current) throw new NotFound(`There is no login ${userId}.`);
  const disabledAt = change.disabled === undefined ? current.disabled_at : change.disabled ? (current.disabled_at ?? nowIso()) : null;
  await db
    .updateTable('users')
    .set({ disabled_at: disabledAt, ...(change.role !== undefined ? { role: change.role as AdminRole } : {}) })
    .where('id', '=', userId)
    .execute();
  const row = await db.selectFrom('users').select(['id', 'account_id', 'username', 'role', 'disabled_at', 'created_at']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { id: row.id, accountId: row.account_id, username: row.username, role: row.role, disabledAt: row.disabled_at, createdAt: row.created_at };
}

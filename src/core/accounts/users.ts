import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../crypto.js';
import { Conflict, ValidationFailed } from '../errors.js';
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

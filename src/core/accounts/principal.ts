// Who is calling: the account, and the key or user that proved it.
import type { AdminRole } from './roles.js';

export const SCOPES = [
  'catalog:read',
  'catalog:write',
  'orders:read',
  'orders:write',
  'account:read',
  'webhooks:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const DEFAULT_KEY_SCOPES: Scope[] = ['catalog:read', 'orders:read', 'orders:write', 'account:read'];

export interface Principal {
  accountId: number;
  accountKind: 'admin' | 'reseller' | 'partner' | 'customer';
  accountCurrency: string;
  /** The account's price tier (a name), or null for list prices. */
  accountTier: string | null;
  keyId: string | null;
  userId: number | null;
  scopes: readonly string[];
  /** Per-account override of the per-key rate limit. */
  rateLimitPerMinute: number | null;
  via: 'api_key' | 'token' | 'console';
  /** For a login of the admin account: what it may do in the admin API (an admin key may do all). */
  role?: AdminRole;
}

/**
 * Who a principal's acts are recorded as (audit log, ledger entries, order events): `key:<key id>`
 * for an API key or a token issued to one, `user:<user id>` for a login's token.
 */
export function actorOf(principal: Pick<Principal, 'keyId' | 'userId'>): string {
  return principal.keyId ? `key:${principal.keyId}` : `user:${principal.userId ?? 'unknown'}`;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

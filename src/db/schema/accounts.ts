// Table types: Accounts, their logins and keys, tokens, shop customers and remembered signatures.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  kind: 'admin' | 'reseller' | 'partner' | 'customer';
  name: string;
  currency: string;
  /** `closed`: the account no longer exists for its keys and logins; its rows stay for the books. */
  status: 'active' | 'suspended' | 'closed';
  rate_limit_per_minute: number | null;
  credit_limit_minor: Generated<number>;
  tier: string | null;
  /** Risk thresholds of this account (core/risk); null: the shop's defaults. 0 turns one off. */
  risk_review_score: number | null;
  risk_reject_score: number | null;
  /** Every order charged above this (minor units of the account's currency) waits for review; null: none. */
  review_above_minor: number | null;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  account_id: number;
  username: string;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  /** What a login of the admin account may do in the admin API (core/accounts/roles.ts); ignored for other accounts. */
  role: Generated<'owner' | 'operator' | 'viewer'>;
}

export interface ConsoleSessionsTable {
  /** SHA-256 (hex) of the session token the browser holds in its cookie. */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  ended_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  account_id: number;
  /** The first characters of the key, shown in lists so an owner can tell keys apart. */
  prefix: string;
  key_hash: string;
  scopes: string;
  label: string | null;
  signing_secret_enc: string | null;
  require_signature: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A login's chain of refresh tokens; only the current one's id is kept (core/accounts/token-families.ts). */
export interface TokenFamiliesTable {
  id: string;
  subject: string;
  current_jti: string;
  created_at: string;
  refreshed_at: string | null;
  expires_at: string;
  revoked_at: string | null;
}

export interface SeenSignaturesTable {
  key_id: string;
  signature: string;
  timestamp: number;
  seen_at: number;
  /** The request's own reference that a repeat must carry to count as a retry; null: none may repeat. */
  binding: string | null;
}

export interface CustomersTable {
  id: Generated<number>;
  account_id: number;
  /** Lower-cased. */
  email: string;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  /** What a login of the admin account may do in the admin API (core/accounts/roles.ts); ignored for other accounts. */
  role: Generated<'owner' | 'operator' | 'viewer'>;
}

export interface ConsoleSessionsTable {
  /** SHA-256 (hex) of the session token the browser holds in its cookie. */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  ended_at: string | null;
}

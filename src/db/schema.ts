// Table types as Kysely sees them. Times are ISO-8601 UTC text, money is integer minor units,
// JSON columns are text, booleans are 0/1: the same on SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  kind: 'admin' | 'reseller' | 'partner' | 'customer';
  name: string;
  currency: string;
  status: 'active' | 'suspended';
  rate_limit_per_minute: number | null;
  credit_limit_minor: Generated<number>;
  tier: string | null;
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

export interface SeenSignaturesTable {
  key_id: string;
  signature: string;
  timestamp: number;
  seen_at: number;
}

export interface CategoriesTable {
  id: Generated<number>;
  parent_id: number | null;
  slug: string;
  name: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface CategoryTypesTable {
  id: Generated<number>;
  category_id: number;
  slug: string;
  name: string;
  position: number;
  created_at: string;
}

export interface ProductsTable {
  id: Generated<number>;
  code: string;
  slug: string;
  category_id: number | null;
  type_id: number | null;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  min_quantity: number;
  max_quantity: number;
  status: 'active' | 'inactive' | 'archived';
  fulfillment: 'stock' | 'upstream' | 'manual';
  fields: string;
  stock_available: number;
  created_at: string;
  updated_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  seen_signatures: SeenSignaturesTable;
  categories: CategoriesTable;
  category_types: CategoryTypesTable;
  products: ProductsTable;
  settings: SettingsTable;
  souk_migrations: MigrationsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type CategoryTypeRow = Selectable<CategoryTypesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProduct = Insertable<ProductsTable>;
export type ProductUpdate = Updateable<ProductsTable>;

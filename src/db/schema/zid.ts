// Table types: connected Zid stores, their OAuth states, and what Souk read and placed from them (core/zid).
import type { Generated } from 'kysely';

export type ZidStoreStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export interface ZidStoresTable {
  id: Generated<number>;
  store_key: string;
  name: string;
  currency: string | null;
  country: string | null;
  status: ZidStoreStatus;
  credentials: string;
  hook_token_hash: string;
  /** The account the store's orders are placed under (paid outside Souk: its wallet is never charged). */
  account_id: number;
  connected_by: string;
  /** How many webhooks Zid accepted at the last connect. */
  webhooks: number;
  sync_cursor: string | null;
  last_sync_at: string | null;
  last_order_sync_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ZidOauthStatesTable {
  state_hash: string;
  actor: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface ZidProductsTable {
  store_id: number;
  zid_product_id: string;
  sku: string | null;
  name_en: string;
  name_ar: string | null;
  price_minor: number;
  currency: string;
  stock: number | null;
  active: number;
  gone: number;
  zid_updated_at: string | null;
  product_id: number | null;
  synced_at: string;
}

export interface ZidCategoriesTable {
  store_id: number;
  zid_category_id: string;
  name_en: string;
  name_ar: string | null;
  slug: string | null;
  parent_id: string | null;
  synced_at: string;
}

export interface ZidOrdersTable {
  store_id: number;
  zid_order_id: string;
  order_number: string | null;
  status: string | null;
  payment_status: string | null;
  total_minor: number | null;
  currency: string | null;
  zid_created_at: string | null;
  zid_updated_at: string | null;
  synced_at: string;
}

export interface ZidFulfilmentsTable {
  store_id: number;
  zid_order_id: string;
  zid_product_id: string;
  order_number: string | null;
  product_id: number;
  quantity: number;
  order_id: string;
  created_at: string;
}

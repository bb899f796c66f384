// One Zid store as its admin sees it: where it stands, what Souk has read of it, which of its
// products are mapped to which Souk products, and the orders Souk placed for it lately.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { ZidStoreStatus } from '../../db/schema.js';
import { wireTime } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { formatMinor } from '../money.js';
import { findStore, zidStoreIdOf } from './stores.js';

const RECENT = 20;

export interface StoreDetail {
  id: number;
  zid_store_id: string;
  name: string;
  currency: string | null;
  country: string | null;
  status: ZidStoreStatus;
  account_id: number;
  connected_by: string;
  webhooks: number;
  sync_in_progress: boolean;
  last_sync_at: string | null;
  last_order_sync_at: string | null;
  last_error: string | null;
  created_at: string;
  counts: { products: number; products_gone: number; mapped: number; categories: number; orders: number; fulfilments: number };
  mapping: Array<{ zid_product_id: string; sku: string | null; name: string; name_ar: string | null; price: string; currency: string; stock: number | null; active: boolean; gone: boolean; product_id: number | null; code: string | null }>;
  recent_fulfilments: Array<{ zid_order_id: string; order_number: string | null; zid_product_id: string; order_id: string; order_number_souk: string; status: string; quantity: number; created_at: string }>;
}

const time = (value: string | null) => (value ? wireTime(value) : null);

async function countOf(db: Db, table: 'zid_products' | 'zid_categories' | 'zid_orders' | 'zid_fulfilments', storeId: number, where?: 'gone' | 'mapped'): Promise<number> {
  let query = db.selectFrom(table).select(sql<number>`count(*)`.as('n')).where('store_id', '=', storeId);
  if (where === 'gone') query = query.where(sql.ref('gone'), '=', 1);
  if (where === 'mapped') query = query.where(sql.ref('product_id'), 'is not', null);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** The store's whole picture for the admin API. */
export async function storeDetail(deps: { db: Db; box: SecretBox }, storeId: number): Promise<StoreDetail> {
  const { db } = deps;
  const store = await findStore(db, storeId);
  const [products, gone, mapped, categories, orders, fulfilments] = await Promise.all([
    countOf(db, 'zid_products', storeId),
    countOf(db, 'zid_products', storeId, 'gone'),
    countOf(db, 'zid_products', storeId, 'mapped'),
    countOf(db, 'zid_categories', storeId),
    countOf(db, 'zid_orders', storeId),
    countOf(db, 'zid_fulfilments', storeId),
  ]);
  const mapping = await db
    .selectFrom('zid_products')
    .leftJoin('products', 'products.id', 'zid_products.product_id')
    .select(['zid_products.zid_product_id', 'zid_products.sku', 'zid_products.name_en', 'zid_products.name_ar', 'zid_products.price_minor', 'zid_products.currency', 'zid_products.stock', 'zid_products.active', 'zid_products.gone', 'zid_products.product_id', 'products.code'])
    .where('zid_products.store_id', '=', storeId)
    .orderBy('zid_products.zid_product_id')
    .limit(1000)
    .execute();
  const recent = await db
    .selectFrom('zid_fulfilments')
    .innerJoin('orders', 'orders.id', 'zid_fulfilments.order_id')
    .select(['zid_fulfilments.zid_order_id', 'zid_fulfilments.order_number', 'zid_fulfilments.zid_product_id', 'zid_fulfilments.order_id', 'zid_fulfilments.quantity', 'zid_fulfilments.created_at', 'orders.number', 'orders.status'])
    .where('zid_fulfilments.store_id', '=', storeId)
    .orderBy('zid_fulfilments.created_at', 'desc')
    .limit(RECENT)
    .execute();
  return {
    id: store.id,
    zid_store_id: zidStoreIdOf(deps.box, store),
    name: store.name,
    currency: store.currency,
    country: store.country,
    status: store.status,
    account_id: store.account_id,
    connected_by: store.connected_by,
    webhooks: store.webhooks,
    sync_in_progress: store.sync_cursor !== null,
    last_sync_at: time(store.last_sync_at),
    last_order_sync_at: time(store.last_order_sync_at),
    last_error: store.last_error,
    created_at: wireTime(store.created_at),
    counts: { products, products_gone: gone, mapped, categories, orders, fulfilments },
    mapping: mapping.map((row) => ({
      zid_product_id: row.zid_product_id,
      sku: row.sku,
      name: row.name_en,
      name_ar: row.name_ar,
      price: formatMinor(Number(row.price_minor), row.currency),
      currency: row.currency,
      stock: row.stock,
      active: row.active === 1,
      gone: row.gone === 1,
      product_id: row.product_id === null ? null : Number(row.product_id),
      code: row.code ?? null,
    })),
    recent_fulfilments: recent.map((row) => ({
      zid_order_id: row.zid_order_id,
      order_number: row.order_number,
      zid_product_id: row.zid_product_id,
      order_id: row.order_id,
      order_number_souk: row.number,
      status: row.status,
      quantity: row.quantity,
      created_at: wireTime(row.created_at),
    })),
  };
}

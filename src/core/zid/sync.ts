// Reading a store from Zid: its products (50 a page, following `next`), its categories, and its
// orders (always with payload_type=default, which alone brings their products). Each page is
// written in one transaction with the cursor that says where the sync goes on, so a sync that
// stops halfway (a crash, a deploy) resumes at the page it had reached instead of starting over.
// Products a full pass did not see are gone from Zid: kept, marked gone and inactive, never deleted.
import type { Db } from '../../db/index.js';
import type { ZidClient } from './client.js';
import { ZidRequestRefused, ZidUrlRefused } from './errors.js';
import { normaliseCategory, normaliseOrder, normaliseProduct, pageOf, type ZidCategory, type ZidOrder, type ZidProduct } from './normalise.js';

export type SyncPhase = 'products' | 'categories' | 'orders';
const PHASES: readonly SyncPhase[] = ['products', 'categories', 'orders'];
/** Zid's largest page. */
export const PAGE_SIZE = 50;

export interface SyncDeps {
  db: Db;
  client: ZidClient;
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

export interface SyncCounts {
  products: number;
  categories: number;
  orders: number;
  /** Calls made to Zid by this sync (a resumed sync counts only its own). */
  requests: number;
}

export interface SyncProgress extends SyncCounts {
  phase: SyncPhase;
  /** Products Zid says it has, when it said. */
  productsTotal: number | null;
}

interface Cursor {
  phase: SyncPhase;
  /** The next page to read in this phase; null: the phase's first page. */
  next: string | null;
  startedAt: string;
  counts: Omit<SyncCounts, 'requests'>;
}

/**
 * What each order read is handed to: the fulfilment. Any call it makes to Zid (re-reading an order
 * listed without its products) goes on `tally`, so the sync's count of requests is whole.
 */
export type OrderSeen = (storeId: number, order: ZidOrder, tally: { requests: number }) => Promise<void>;

async function readCursor(db: Db, storeId: number): Promise<Cursor | undefined> {
  const row = await db.selectFrom('zid_stores').select(['sync_cursor']).where('id', '=', storeId).executeTakeFirst();
  return row?.sync_cursor ? (JSON.parse(row.sync_cursor) as Cursor) : undefined;
}

/** Writes one product as Zid described it; its mapping (product_id) is the owner's and is left alone. */
export async function saveProduct(db: Db, storeId: number, product: ZidProduct, at: string): Promise<void> {
  const values = {
    sku: product.sku,
    name_en: product.name.en,
    name_ar: product.name.ar,
    price_minor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    active: product.active ? 1 : 0,
    gone: 0,
    zid_updated_at: product.updatedAt,
    synced_at: at,
  };
  await db
    .insertInto('zid_products')
    .values({ store_id: storeId, zid_product_id: product.zidProductId, product_id: null, ...values })
    .onConflict((c) => c.columns(['store_id', 'zid_product_id']).doUpdateSet(values))
    .execute();
}

/** A product Zid no longer has: kept (its mapping too), never sold from again by a hook. */
export async function markProductGone(db: Db, storeId: number, zidProductId: string): Promise<void> {
  await db.updateTable('zid_products').set({ gone: 1, active: 0, synced_at: new Date().toISOString() }).where('store_id', '=', storeId).where('zid_product_id', '=', zidProductId).execute();
}

/** Writes what Zid says of an order (its state, never its customer: that stays with the Souk orders). */
export async function saveOrder(db: Db, storeId: number, order: ZidOrder, at = new Date().toISOString()): Promise<void> {
  const values = {
    order_number: order.orderNumber,
    status: order.status,
    payment_status: order.paymentStatus,
    total_minor: order.totalMinor,
    currency: order.currency,
    zid_created_at: order.createdAt,
    zid_updated_at: order.updatedAt,
    synced_at: at,
  };
  await db
    .insertInto('zid_orders')
    .values({ store_id: storeId, zid_order_id: order.zidOrderId, ...values })
    .onConflict((c) => c.columns(['store_id', 'zid_order_id']).doUpdateSet(values))
    .execute();
}

function countOf(raw: unknown): number | null {
  const count = typeof raw === 'object' && raw !== null ? (raw as { count?: unknown }).count : undefined;
  return typeof count === 'number' && Number.isSafeInteger(count) ? count : null;
}

/** One page of a phase: its first (`next` null) or the `next` URL Zid gave. */
function readPage(client: ZidClient, storeId: number, phase: 'products' | 'categories', next: string | null, tally: { requests: number }): Promise<unknown> {
  if (next) return client.get(storeId, next, undefined, { tally });
  if (phase === 'categories') return client.get(storeId, '/managers/store/categories', undefined, { tally });
  return client.get(storeId, '/products/', { page: 1, page_size: PAGE_SIZE, extended: 'true', ordering: 'updated_at' }, { tally });
}

/** A `next` page that cannot be read again as it is: Zid no longer has it (404), or it is not on the API URL. */
const isStalePage = (error: unknown) => (error instanceof ZidRequestRefused && error.site.zidStatus === 404) || error instanceof ZidUrlRefused;

/** Zid's date filter (YYYY-MM-DD) a day before `since`, so no order near midnight or a clock's skew is missed. */
export function orderDateFrom(since: string): string {
  return new Date(Date.parse(since) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Reads a store's orders changed since `since` (all pages) and hands each to `seen`. Returns how many
 * orders and requests it took.
 */
export async function syncOrders(deps: SyncDeps, storeId: number, since: string, seen: OrderSeen): Promise<{ orders: number; requests: number }> {
  let next: string | null = null;
  let orders = 0;
  const tally = { requests: 0 };
  do {
    const answer = next
      ? await deps.client.get(storeId, next, undefined, { tally })
      : await deps.client.get(storeId, '/managers/store/orders', { payload_type: 'default', page: 1, per_page: PAGE_SIZE, date_from: orderDateFrom(since) }, { tally });
    const page = pageOf(answer, 'orders');
    for (const raw of page.results) {
      const order = normaliseOrder(raw);
      await saveOrder(deps.db, storeId, order);
      await seen(storeId, order, tally);
      orders += 1;
    }
    next = page.next;
  } while (next);
  return { orders, requests: tally.requests };
}

/**
 * A whole sync of one store: products, then categories, then its recent orders, going on from the
 * cursor of a sync that stopped. `onProgress` hears after every page.
 */
export async function syncStore(deps: SyncDeps, storeId: number, seen: OrderSeen, onProgress?: (progress: SyncProgress) => void): Promise<SyncCounts> {
  const started = await readCursor(deps.db, storeId);
  const cursor: Cursor = started ?? { phase: 'products', next: null, startedAt: new Date().toISOString(), counts: { products: 0, categories: 0, orders: 0 } };
  const tally = { requests: 0 };
  let productsTotal: number | null = null;
  const report = () => onProgress?.({ ...cursor.counts, requests: tally.requests, phase: cursor.phase, productsTotal });
  const save = (db: Db) => db.updateTable('zid_stores').set({ sync_cursor: JSON.stringify(cursor) }).where('id', '=', storeId).execute();

  for (const phase of PHASES.slice(PHASES.indexOf(cursor.phase))) {
    if (cursor.phase !== phase) Object.assign(cursor, { phase, next: null });
    if (phase === 'orders') {
      const store = await deps.db.selectFrom('zid_stores').select(['last_order_sync_at', 'created_at']).where('id', '=', storeId).executeTakeFirstOrThrow();
      const result = await syncOrders(deps, storeId, store.last_order_sync_at ?? store.created_at, seen);
      cursor.counts.orders = result.orders;
      tally.requests += result.requests;
      report();
      break;
    }
    let startedOver = false;
    for (;;) {
      let answer: unknown;
      try {
        answer = await readPage(deps.client, storeId, phase, cursor.next, tally);
      } catch (error) {
        if (!cursor.next || startedOver || !isStalePage(error)) throw error;
        // The page a stopped sync kept is no more (Zid's list shrank since: 404 "Invalid page."), or
        // is off the API URL now set: the phase starts over, once, as a pass of its own, so what it
        // no longer sees is marked gone and its count is not that of two passes.
        deps.log?.('zid sync: the page to go on from is no more; the phase starts over', { store_id: storeId, phase });
        startedOver = true;
        Object.assign(cursor, { next: null, startedAt: phase === 'products' ? new Date().toISOString() : cursor.startedAt });
        cursor.counts[phase] = 0;
        continue;
      }
      const page = pageOf(answer, phase);
      if (phase === 'products') productsTotal = countOf(answer) ?? productsTotal;
      const at = new Date().toISOString();
      const products: ZidProduct[] = [];
      const categories: ZidCategory[] = [];
      for (const raw of page.results) {
        try {
          if (phase === 'products') products.push(normaliseProduct(raw));
          else categories.push(normaliseCategory(raw));
        } catch (error) {
          // One product Zid describes badly must not keep the others from Souk: logged and skipped.
          deps.log?.('zid sync skipped a malformed entry', { store_id: storeId, phase, error: (error as Error).message });
        }
      }
      cursor.next = page.next;
      await deps.db.transaction().execute(async (tx) => {
        for (const product of products) await saveProduct(tx, storeId, product, at);
        for (const category of categories) {
          const values = { name_en: category.name.en, name_ar: category.name.ar, slug: category.slug, parent_id: category.parentId, synced_at: at };
          await tx
            .insertInto('zid_categories')
            .values({ store_id: storeId, zid_category_id: category.zidCategoryId, ...values })
            .onConflict((c) => c.columns(['store_id', 'zid_category_id']).doUpdateSet(values))
            .execute();
        }
        if (phase === 'products') cursor.counts.products += products.length;
        else cursor.counts.categories += categories.length;
        if (!cursor.next && phase === 'products') {
          // A full pass is over: what it did not see is gone from Zid.
          await tx.updateTable('zid_products').set({ gone: 1, active: 0 }).where('store_id', '=', storeId).where('synced_at', '<', cursor.startedAt).where('gone', '=', 0).execute();
        }
        // The phase's last page moves the cursor on with it: a sync stopped before the next phase
        // wrote anything must not take `next: null` for "from the first page" and read (and count) it again.
        if (!cursor.next) cursor.phase = PHASES[PHASES.indexOf(phase) + 1]!;
        await save(tx);
      });
      report();
      if (!cursor.next) break;
    }
  }
  const at = new Date().toISOString();
  await deps.db.updateTable('zid_stores').set({ sync_cursor: null, last_sync_at: at, last_order_sync_at: at, last_error: null, updated_at: at }).where('id', '=', storeId).execute();
  return { ...cursor.counts, requests: tally.requests };
}

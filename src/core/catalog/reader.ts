// The public catalog, held in memory. Reading it is the hottest path a shop has (every storefront
// and every reseller sync), and it changes rarely, so each process keeps one snapshot and replaces
// it when the catalog version moves: at once on a local change or a Redis message, and within
// `pollMs` for changes made by a process that could not tell us (the CLI on an embedded database).
import type { Db } from '../../db/index.js';
import type { ChangeBus } from '../../platform/bus.js';
import { ValidationFailed } from '../errors.js';
import { rowIdOf } from '../ids.js';
import { toCategory, type Category, type CategoryType } from './categories.js';
import { localizedText } from './i18n.js';
import { toProduct, type Product } from './products.js';
import { CATALOG_TOPIC, readCatalogVersion } from './version.js';

export interface CatalogEntry {
  product: Product;
  category: Category | null;
  type: CategoryType | null;
  /** Lower-cased text that `q` searches: code, slug and every name. */
  searchText: string;
}

export interface CatalogSnapshot {
  version: number;
  entries: CatalogEntry[];
  byId: Map<number, CatalogEntry>;
  byCode: Map<string, CatalogEntry>;
  bySlug: Map<string, CatalogEntry>;
  categories: Category[];
  types: CategoryType[];
}

export interface CatalogQuery {
  category?: string;
  type?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface CatalogPage {
  entries: CatalogEntry[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

async function loadSnapshot(db: Db): Promise<CatalogSnapshot> {
  const version = await readCatalogVersion(db);
  const [productRows, categoryRows, typeRows] = await Promise.all([
    db.selectFrom('products').selectAll().where('status', '=', 'active').orderBy('id').execute(),
    db.selectFrom('categories').selectAll().orderBy('position').orderBy('id').execute(),
    db.selectFrom('category_types').selectAll().orderBy('position').orderBy('id').execute(),
  ]);
  const categories = categoryRows.map(toCategory);
  const types: CategoryType[] = typeRows.map((t) => ({ id: t.id, category_id: t.category_id, slug: t.slug, name: JSON.parse(t.name), position: t.position }));
  const categoryById = new Map(categories.map((c) => [c.id, c]));
  const typeById = new Map(types.map((t) => [t.id, t]));
  const entries = productRows.map((row): CatalogEntry => {
    const product = toProduct(row);
    return {
      product,
      category: product.category_id === null ? null : (categoryById.get(product.category_id) ?? null),
      type: product.type_id === null ? null : (typeById.get(product.type_id) ?? null),
      searchText: [product.code, product.slug, ...Object.values(product.name)].join('\n').toLowerCase(),
    };
  });
  return {
    version,
    entries,
    byId: new Map(entries.map((e) => [e.product.id, e])),
    byCode: new Map(entries.map((e) => [e.product.code, e])),
    bySlug: new Map(entries.map((e) => [e.product.slug, e])),
    categories,
    types,
  };
}

/** A snapshot with new stock counts; untouched entries are shared with the old one. */
function withStock(snapshot: CatalogSnapshot, counts: Map<number, number>): CatalogSnapshot {
  let changed = false;
  const entries = snapshot.entries.map((entry) => {
    const stock = counts.get(entry.product.id);
    if (stock === undefined || stock === entry.product.stock_available) return entry;
    changed = true;
    return { ...entry, product: { ...entry.product, stock_available: stock } };
  });
  if (!changed) return snapshot;
  return {
    ...snapshot,
    entries,
    byId: new Map(entries.map((e) => [e.product.id, e])),
    byCode: new Map(entries.map((e) => [e.product.code, e])),
    bySlug: new Map(entries.map((e) => [e.product.slug, e])),
  };
}

export class CatalogReader {
  private current: CatalogSnapshot | undefined;
  private loading: Promise<CatalogSnapshot> | undefined;
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  private stockCheckedAt = 0;
  private stockLoading = false;

  /**
   * Stock moves with every order, far too often to reload the catalog for; instead a read that
   * finds the counts older than `stockMs` refreshes them in the background (one small query), so
   * the listed stock lags the truth by about that much. Orders never trust it: allocation does.
   */
  constructor(
    private readonly db: Db,
    private readonly bus: ChangeBus,
    private readonly pollMs = 1000,
    private readonly stockMs = 1000,
  ) {
    bus.subscribe(CATALOG_TOPIC, () => {
      this.dirty = true;
    });
  }

  /** Starts the background check for changes made where no message could reach us. */
  start(): void {
    this.timer ??= setInterval(() => {
      readCatalogVersion(this.db)
        .then((version) => {
          if (this.current && version !== this.current.version) this.dirty = true;
        })
        .catch(() => undefined);
    }, this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The latest snapshot; reloads first when the catalog has changed. */
  snapshot(): Promise<CatalogSnapshot> {
    if (!this.dirty && this.current) {
      this.refreshStockIfOld();
      return Promise.resolve(this.current);
    }
    if (!this.loading) {
      this.dirty = false;
      this.loading = loadSnapshot(this.db)
        .then((snapshot) => {
          this.stockCheckedAt = Date.now();
          return (this.current = snapshot);
        })
        .catch((error: unknown) => {
          this.dirty = true;
          throw error;
        })
        .finally(() => (this.loading = undefined));
    }
    return this.loading;
  }

  private refreshStockIfOld(): void {
    if (this.stockLoading || Date.now() - this.stockCheckedAt < this.stockMs) return;
    this.stockLoading = true;
    this.stockCheckedAt = Date.now();
    this.db
      .selectFrom('products')
      .select(['id', 'stock_available'])
      .where('status', '=', 'active')
      .execute()
      .then((rows) => {
        const loaded = this.current;
        if (loaded && loaded === this.current && !this.dirty && !this.loading) this.current = withStock(loaded, new Map(rows.map((r) => [r.id, r.stock_available])));
      })
      .catch(() => undefined)
      .finally(() => (this.stockLoading = false));
  }
}

/** The category and all categories under it. */
function withDescendants(categories: Category[], rootId: number): Set<number> {
  const ids = new Set([rootId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of categories) {
      if (c.parent_id !== null && ids.has(c.parent_id) && !ids.has(c.id)) {
        ids.add(c.id);
        grew = true;
      }
    }
  }
  return ids;
}

export function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'number' && Number.isSafeInteger(parsed.after)) return parsed.after;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailed('The cursor is not valid; use next_cursor from a previous page.', [{ field: 'cursor', message: 'not a cursor from this API' }]);
}

/**
 * One page of the active catalog, filtered; ordered by product id. `offered` leaves out what a
 * caller cannot buy (a reseller's products without a price in its currency) before paging, so
 * pages stay full and cursors stay valid.
 */
export function queryCatalog(snapshot: CatalogSnapshot, query: CatalogQuery, offered?: (entry: CatalogEntry) => boolean): CatalogPage {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  let categoryIds: Set<number> | undefined;
  if (query.category !== undefined) {
    const ref = query.category;
    const root = snapshot.categories.find((c) => c.slug === ref || String(c.id) === ref);
    categoryIds = root ? withDescendants(snapshot.categories, root.id) : new Set();
  }
  let typeIds: Set<number> | undefined;
  if (query.type !== undefined) {
    const ref = query.type;
    typeIds = new Set(snapshot.types.filter((t) => t.slug === ref || String(t.id) === ref).map((t) => t.id));
  }
  const needle = query.q?.trim().toLowerCase();
  const after = query.cursor ? decodeCursor(query.cursor) : 0;

  const entries: CatalogEntry[] = [];
  let more = false;
  for (const entry of snapshot.entries) {
    const { product } = entry;
    if (product.id <= after) continue;
    if (categoryIds && (product.category_id === null || !categoryIds.has(product.category_id))) continue;
    if (typeIds && (product.type_id === null || !typeIds.has(product.type_id))) continue;
    if (needle && !entry.searchText.includes(needle)) continue;
    if (offered && !offered(entry)) continue;
    if (entries.length === limit) {
      more = true;
      break;
    }
    entries.push(entry);
  }
  const last = entries.at(-1);
  return { entries, nextCursor: more && last ? encodeCursor(last.product.id) : null };
}

/** An active product by id, code or slug, from the snapshot. */
export function findCatalogEntry(snapshot: CatalogSnapshot, reference: string): CatalogEntry | undefined {
  const id = rowIdOf(reference);
  const byId = id === undefined ? undefined : snapshot.byId.get(id);
  if (byId) return byId;
  return snapshot.byCode.get(reference) ?? snapshot.bySlug.get(reference);
}

export { localizedText };

// Serialized product-list pages, kept per catalog snapshot. A page is built and hashed once; every
// later request for it sends the same bytes (or a 304). A new snapshot (any catalog change, tiers
// and exchange rates included) drops the old pages with it. The public page and each pricing basis
// (a reseller's currency and tier discount) are pages of their own, with ETags of their own.
import { createHash } from 'node:crypto';
import { queryCatalog, type CatalogEntry, type CatalogQuery, type CatalogSnapshot } from '../../core/catalog/index.js';
import { buyerUnitPrice, type BuyerPricing } from '../../core/orders/index.js';
import type { Money } from '../../core/money.js';
import { productView } from './catalog-views.js';

export interface ProductPage {
  /** UTF-8 bytes, encoded once: sending a string re-encodes and measures it on every response. */
  body: Buffer;
  etag: string;
}

const MAX_PAGES_PER_SNAPSHOT = 2000;
const pages = new WeakMap<CatalogSnapshot, Map<string, ProductPage>>();

/**
 * The page for `query`: list prices, or with `pricing` the caller's own, leaving out what it
 * cannot be priced for (its order would be refused).
 */
export function productPage(snapshot: CatalogSnapshot, query: CatalogQuery & { lang?: string }, pricing?: BuyerPricing): ProductPage {
  const key = JSON.stringify([query.category, query.type, query.q, query.cursor, query.limit, query.lang, pricing?.key]);
  let cache = pages.get(snapshot);
  if (!cache) pages.set(snapshot, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const shown = pricing ? shownPrices(pricing) : undefined;
  const page = queryCatalog(snapshot, query, shown && ((entry) => shown(entry) !== undefined));
  const products = page.entries.map((e) => productView(e, query.lang, shown?.(e)));
  const body = Buffer.from(JSON.stringify({ ok: true, products, next_cursor: page.nextCursor }));
  const basis = pricing ? `${snapshot.version}-${pricing.key}` : String(snapshot.version);
  const built = { body, etag: `"${basis}-${createHash('sha1').update(body).digest('base64url')}"` };
  if (cache.size >= MAX_PAGES_PER_SNAPSHOT) cache.clear();
  cache.set(key, built);
  return built;
}

/** Each entry's price for `pricing`, worked out once per entry while a page is built. */
function shownPrices(pricing: BuyerPricing): (entry: CatalogEntry) => Money | undefined {
  const seen = new Map<number, Money | undefined>();
  return (entry) => {
    if (seen.has(entry.product.id)) return seen.get(entry.product.id);
    const price = buyerUnitPrice(entry.product, pricing);
    seen.set(entry.product.id, price);
    return price;
  };
}

/** True when an If-None-Match header names this ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === '*';
  });
}

// Serialized product-list pages, kept per catalog snapshot. A page is built and hashed once; every
// later request for it sends the same string (or a 304). A new snapshot (any catalog change) drops
// the old pages with it.
import { createHash } from 'node:crypto';
import { queryCatalog, type CatalogQuery, type CatalogSnapshot } from '../../core/catalog/index.js';
import { productView } from './catalog-views.js';

export interface ProductPage {
  /** UTF-8 bytes, encoded once: sending a string re-encodes and measures it on every response. */
  body: Buffer;
  etag: string;
}

const MAX_PAGES_PER_SNAPSHOT = 2000;
const pages = new WeakMap<CatalogSnapshot, Map<string, ProductPage>>();

export function productPage(snapshot: CatalogSnapshot, query: CatalogQuery & { lang?: string }): ProductPage {
  const key = JSON.stringify([query.category, query.type, query.q, query.cursor, query.limit, query.lang]);
  let cache = pages.get(snapshot);
  if (!cache) pages.set(snapshot, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const page = queryCatalog(snapshot, query);
  const body = Buffer.from(JSON.stringify({ ok: true, products: page.entries.map((e) => productView(e, query.lang)), next_cursor: page.nextCursor }));
  const built = { body, etag: `"${snapshot.version}-${createHash('sha1').update(body).digest('base64url')}"` };
  if (cache.size >= MAX_PAGES_PER_SNAPSHOT) cache.clear();
  cache.set(key, built);
  return built;
}

/** True when an If-None-Match header names this ETag (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === '*';
  });
}

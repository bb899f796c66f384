// Importing an upstream's products and keeping them current. An imported product is a local
// product (fulfillment = upstream) priced from the upstream's price by the provider's pricing rule
// (pricing.ts); a sync reads the whole catalog again and, for each imported product, follows the
// upstream's price, stock and status. Two rules keep the shop safe: a product the upstream no
// longer lists is taken off sale, never deleted (orders reference it); and a product the owner
// repriced by hand is never repriced by sync, but is taken off sale when the upstream's price
// rises above it, until the owner reprices (never sold at a loss without anyone knowing).
import type { Dialect } from '../../db/index.js';
import { CATALOG_TOPIC, createProduct, findProduct, updateProduct, type CatalogDeps, type Localized, type Product } from '../catalog/index.js';
import { wakeDispatchers } from '../events/index.js';
import { nowIso } from '../clock.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { showUpstreamStock } from '../inventory/index.js';
import { formatMinor, type Rate } from '../money.js';
import { rateBetween } from '../wallets/index.js';
import { callUpstream } from './calls.js';
import type { UpstreamProduct } from './dialect.js';
import { costIn, decimalToMinor, sellPriceOf } from './pricing.js';
import { connectionOf, dialectOf, findProvider, type ProviderRow, type UpstreamDeps } from './providers.js';

/** `dialect`: a synced product's link is held FOR UPDATE on PostgreSQL (SQLite's write transactions queue). */
export type UpstreamCatalogDeps = UpstreamDeps & CatalogDeps & { dialect: Dialect };

export interface ImportedProduct {
  product_id: number;
  code: string;
  upstream_ref: string;
}

export interface SyncReport {
  provider_id: number;
  listed: number;
  updated: number;
  paused: number;
  resumed: number;
}

/** The upstream's whole catalog now, as its dialect reads it. */
export async function upstreamCatalog(deps: UpstreamDeps, provider: ProviderRow): Promise<UpstreamProduct[]> {
  const dialect = dialectOf(provider);
  return callUpstream(deps, provider, 'list-products', null, () => dialect.listProducts(connectionOf(deps, provider)));
}

async function sellRate(deps: UpstreamDeps, provider: ProviderRow): Promise<Rate> {
  const rate = await rateBetween(deps.db, provider.currency, provider.sell_currency);
  if (!rate) throw new ValidationFailed(`Set an exchange rate from ${provider.currency} to ${provider.sell_currency} before importing.`, [{ field: 'sell_currency', message: `no rate from ${provider.currency}` }]);
  return rate;
}

interface Priced {
  upstreamMinor: number;
  costMinor: number;
  priceMinor: number;
}

/** Why a listing cannot be priced with this provider's rule: it is in another currency than the provider's (an account there that pays in another currency). */
function currencyMismatch(provider: ProviderRow, listing: UpstreamProduct): string | undefined {
  const listed = listing.currency.toUpperCase();
  return listed === provider.currency ? undefined : `priced in ${listed} at the provider, which was added with currency ${provider.currency}`;
}

function priceOf(provider: ProviderRow, listing: UpstreamProduct, rate: Rate): Priced | undefined {
  if (currencyMismatch(provider, listing)) return undefined;
  const upstreamMinor = decimalToMinor(listing.price, provider.currency, 'up');
  const costMinor = costIn(listing.price, provider.sell_currency, rate);
  if (upstreamMinor === undefined || costMinor === undefined) return undefined;
  const priceMinor = sellPriceOf(listing.price, rate, { sellCurrency: provider.sell_currency, markupBp: provider.markup_bp, markupFixedMinor: provider.markup_fixed_minor, roundingMinor: provider.rounding_minor });
  return priceMinor === undefined ? undefined : { upstreamMinor, costMinor, priceMinor };
}

/** English is required locally: the upstream's English name, else its first. */
function localized(text: Record<string, string> | undefined): Localized {
  const clean = Object.fromEntries(Object.entries(text ?? {}).filter(([lang, value]) => /^[a-z]{2}(-[A-Z]{2})?$/.test(lang) && value.trim()).map(([lang, value]) => [lang, value.trim().slice(0, 300)]));
  const first = Object.values(clean)[0];
  return clean.en || !first ? clean : { en: first, ...clean };
}

function localCode(provider: ProviderRow, ref: string): string {
  return `up${provider.id}-${ref.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 120);
}

/** Imports the products named by `refs` (each with the local code it gets, if chosen), or every product when `refs` is 'all'; already imported ones are returned as they are. */
export async function importProducts(deps: UpstreamCatalogDeps, providerId: number, refs: Array<{ ref: string; code?: string }> | 'all'): Promise<ImportedProduct[]> {
  const provider = await findProvider(deps.db, providerId);
  // As of when the catalog was read: a sync that read it earlier changes nothing (see syncOne).
  const readAt = nowIso();
  const catalog = await upstreamCatalog(deps, provider);
  const byRef = new Map(catalog.map((p) => [p.ref, p]));
  const wanted: Array<{ ref: string; code?: string }> = refs === 'all' ? catalog.map((p) => ({ ref: p.ref })) : refs;
  const missing = wanted.filter((w) => !byRef.has(w.ref));
  if (missing.length) throw new NotFound(`${provider.name} does not list ${missing.map((m) => m.ref).join(', ')}.`);
  // Checked for all before any is imported: a price read in the wrong currency is a wrong price.
  const foreign = wanted.map((w) => byRef.get(w.ref)!).find((listing) => currencyMismatch(provider, listing));
  if (foreign) {
    throw new ValidationFailed(`${provider.name} lists ${foreign.ref} ${currencyMismatch(provider, foreign)}; set the provider's currency to ${foreign.currency.toUpperCase()} before importing.`, [
      { field: 'currency', message: `the provider lists its prices in ${foreign.currency.toUpperCase()}` },
    ]);
  }
  const rate = await sellRate(deps, provider);
  const imported: ImportedProduct[] = [];
  for (const want of wanted) {
    const existing = await deps.db.selectFrom('upstream_products').select('product_id').where('provider_id', '=', provider.id).where('upstream_ref', '=', want.ref).executeTakeFirst();
    if (existing) {
      const product = await findProduct(deps.db, existing.product_id);
      imported.push({ product_id: product.id, code: product.code, upstream_ref: want.ref });
      continue;
    }
    const listing = byRef.get(want.ref)!;
    const priced = priceOf(provider, listing, rate);
    if (!priced) throw new ValidationFailed(`${provider.name} prices ${listing.ref} at "${listing.price}", which is not an amount Souk can sell at.`, [{ field: 'ref', message: 'unreadable price' }]);
    const minQuantity = Math.max(1, listing.minQuantity ?? 1);
    const product = await createProduct(deps, {
      code: want.code ?? localCode(provider, listing.ref),
      name: localized(listing.name),
      description: localized(listing.description),
      price: formatMinor(priced.priceMinor, provider.sell_currency),
      currency: provider.sell_currency,
      min_quantity: minQuantity,
      ...(listing.maxQuantity !== undefined ? { max_quantity: Math.max(minQuantity, Math.min(listing.maxQuantity, 100_000)) } : {}),
      status: listing.status,
      fulfillment: 'upstream',
      fields: (listing.fields ?? []).filter((f) => /^[a-z][a-z0-9_]{0,63}$/.test(f.name)).map((f) => ({ name: f.name, label: localized(f.label ?? { en: f.name }), required: f.required })),
    });
    await deps.db
      .insertInto('upstream_products')
      .values({
        product_id: product.id,
        provider_id: provider.id,
        upstream_ref: listing.ref,
        upstream_price_minor: priced.upstreamMinor,
        upstream_stock: listing.stock,
        upstream_status: listing.status,
        priced_minor: priced.priceMinor,
        paused: null,
        synced_at: readAt,
      })
      .execute();
    await showUpstreamStock(deps.db, product.id, listing.stock);
    imported.push({ product_id: product.id, code: product.code, upstream_ref: listing.ref });
  }
  return imported;
}

/** What sync does to one imported product given the upstream's listing (undefined: no longer listed). */
function decide(provider: ProviderRow, product: Product, row: { priced_minor: number; paused: string | null }, listing: UpstreamProduct | undefined, rate: Rate) {
  if (!listing) return { pause: 'no longer listed by the provider' } as const;
  if (listing.status !== 'active') return { pause: 'inactive at the provider' } as const;
  const mismatch = currencyMismatch(provider, listing);
  if (mismatch) return { pause: mismatch } as const;
  const priced = priceOf(provider, listing, rate);
  if (!priced) return { pause: `unreadable price at the provider ("${listing.price}")` } as const;
  const followsPrice = product.price_minor === row.priced_minor && product.currency === provider.sell_currency;
  if (followsPrice) return { price: priced.priceMinor, priced } as const;
  // Repriced by hand: kept, unless it no longer covers the cost.
  if (product.currency === provider.sell_currency && priced.costMinor > product.price_minor) {
    return { pause: `the provider's price is above the local price (cost ${formatMinor(priced.costMinor, provider.sell_currency)} ${provider.sell_currency}); reprice it`, priced } as const;
  }
  return { price: product.price_minor, priced } as const;
}

interface Synced {
  updated: number;
  paused: number;
  resumed: number;
  /** Whether the product itself changed (its price or status): the catalog's readers are told. */
  changed: boolean;
}

/**
 * Brings one imported product up to date from a catalog read at `readAt`, in one transaction
 * that holds its link. Syncs may overlap (the schedule's, a product callback's, the owner's): one
 * whose catalog was read before the one last written changes nothing, so an older price never
 * overwrites a newer one.
 */
async function syncOne(deps: UpstreamCatalogDeps, provider: ProviderRow, productId: number, byRef: Map<string, UpstreamProduct>, rate: Rate, readAt: string): Promise<Synced> {
  const synced: Synced = { updated: 0, paused: 0, resumed: 0, changed: false };
  await deps.db.transaction().execute(async (tx) => {
    const within = { ...deps, db: tx };
    let query = tx.selectFrom('upstream_products').selectAll().where('product_id', '=', productId);
    if (deps.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row || row.synced_at > readAt) return;
    const product = await findProduct(tx, row.product_id);
    if (product.status === 'archived') return;
    const listing = byRef.get(row.upstream_ref);
    const decision = decide(provider, product, row, listing, rate);
    if ('pause' in decision) {
      if (product.status === 'active') {
        await updateProduct(within, product.id, { status: 'inactive' });
        synced.paused++;
        synced.changed = true;
      }
      // Paused by sync only if it was on sale: a product the owner took off sale stays the owner's to put back.
      const paused = product.status === 'active' || row.paused !== null ? decision.pause : null;
      await tx
        .updateTable('upstream_products')
        .set({ upstream_status: listing ? listing.status : 'gone', paused, synced_at: readAt, ...(decision.priced ? { upstream_price_minor: decision.priced.upstreamMinor } : {}), ...(listing ? { upstream_stock: listing.stock } : {}) })
        .where('product_id', '=', row.product_id)
        .execute();
      if (listing) await showUpstreamStock(tx, product.id, listing.stock);
      return;
    }
    const resume = row.paused !== null && product.status === 'inactive';
    if (decision.price !== product.price_minor || resume) {
      await updateProduct(within, product.id, { ...(decision.price !== product.price_minor ? { price: formatMinor(decision.price, product.currency) } : {}), ...(resume ? { status: 'active' } : {}) });
      synced.updated += decision.price !== product.price_minor ? 1 : 0;
      synced.resumed += resume ? 1 : 0;
      synced.changed = true;
    }
    const followed = product.price_minor === row.priced_minor;
    await tx
      .updateTable('upstream_products')
      .set({
        upstream_price_minor: decision.priced.upstreamMinor,
        upstream_stock: listing!.stock,
        upstream_status: 'active',
        priced_minor: followed ? decision.price : row.priced_minor,
        paused: null,
        synced_at: readAt,
      })
      .where('product_id', '=', row.product_id)
      .execute();
    await showUpstreamStock(tx, product.id, listing!.stock);
  });
  if (synced.changed) {
    // Told once the change has committed, so that no reader reloads the catalog before it.
    deps.bus.publish(CATALOG_TOPIC);
    wakeDispatchers(deps.db);
  }
  return synced;
}

/** Reads the upstream's catalog and brings every product imported from it up to date. */
export async function syncProvider(deps: UpstreamCatalogDeps, providerId: number): Promise<SyncReport> {
  const provider = await findProvider(deps.db, providerId);
  const readAt = nowIso();
  const catalog = await upstreamCatalog(deps, provider);
  const rate = await sellRate(deps, provider);
  const byRef = new Map(catalog.map((p) => [p.ref, p]));
  const rows = await deps.db.selectFrom('upstream_products').select('product_id').where('provider_id', '=', provider.id).orderBy('product_id').execute();
  const report: SyncReport = { provider_id: provider.id, listed: catalog.length, updated: 0, paused: 0, resumed: 0 };
  for (const row of rows) {
    const synced = await syncOne(deps, provider, row.product_id, byRef, rate, readAt);
    report.updated += synced.updated;
    report.paused += synced.paused;
    report.resumed += synced.resumed;
  }
  await deps.db.updateTable('providers').set({ last_sync_at: nowIso(), updated_at: nowIso() }).where('id', '=', provider.id).execute();
  return report;
}

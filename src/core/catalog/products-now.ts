// The products a batch of placements was priced from, read again inside its transaction: an
// order whose product changed meanwhile (price, currency, status, fulfilment, stock mode) is stale
// and priced again instead of being sold at the old terms.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';

export interface ProductNow {
  updated_at: string;
  price_minor: number;
  currency: string;
  status: string;
  fulfillment: string;
  stock_mode: string;
}

/** The products on SQLite, one prepared statement. */
export function sqliteProductsNow(sqlite: SQLite.Database): (ids: number[]) => Map<number, ProductNow> {
  const product = sqlite.prepare<[number], ProductNow>('select updated_at, price_minor, currency, status, fulfillment, stock_mode from products where id = ?');
  return (ids) => {
    const products = new Map<number, ProductNow>();
    for (const id of ids) {
      const found = product.get(id);
      if (found) products.set(id, found);
    }
    return products;
  };
}

/** The `products` jsonb column of a batch's state query on PostgreSQL, with each product's stock counter. */
export function pgProductsNow(ids: number[]): RawBuilder<unknown> {
  return sql`
      (select coalesce(jsonb_agg(p), '[]') from (
         select id, updated_at, price_minor, currency, status, fulfillment, stock_mode, stock_available from products where id = any(${ids}::int[])) p) as products`;
}

/** The products read by pgProductsNow, and their stock counters (committed available codes, locked ones included). */
export function productsFromRows(rows: Array<ProductNow & { id: number; stock_available: number }>): { products: Map<number, ProductNow>; counters: Map<number, number> } {
  return {
    products: new Map(rows.map(({ stock_available: _counter, ...p }) => [p.id, { ...p, price_minor: Number(p.price_minor) }])),
    counters: new Map(rows.map((p) => [p.id, Number(p.stock_available)])),
  };
}

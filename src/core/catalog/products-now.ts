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

/**
 * PostgreSQL: whether every product is still exactly as an order was priced from it, and active
 * (a boolean expression for a statement that writes orders without reading first). Two snapshots
 * of one product cannot both hold, so such a batch never passes.
 */
export function pgProductsAsPriced(priced: Array<Omit<ProductNow, 'status'> & { id: number }>): RawBuilder<boolean> {
  return sql<boolean>`(select count(*) from products p
      join jsonb_to_recordset(${JSON.stringify(priced)}::jsonb) as x(id int, updated_at text, price_minor bigint, currency text, fulfillment text, stock_mode text)
        on p.id = x.id and p.updated_at = x.updated_at and p.price_minor = x.price_minor and p.currency = x.currency
          and p.fulfillment = x.fulfillment and p.stock_mode = x.stock_mode and p.status = 'active'
      -- By key as well as by the join: planned once for any values, the join alone read every product.
      where p.id = any(${priced.map((p) => p.id)}::int[])) = ${priced.length}`;
}

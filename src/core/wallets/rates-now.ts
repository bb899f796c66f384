// The exchange rates a batch of placements was priced with, read again inside its transaction so
// that a rate changed meanwhile makes the order stale instead of charging an old price.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';

export interface RatePair {
  base: string;
  quote: string;
}

/** Rates by `${base}:${quote}`. */
export type RatesNow = Map<string, string>;

export const rateKey = (base: string, quote: string) => `${base}:${quote}`;

/** The rates on SQLite, one prepared statement. */
export function sqliteRatesNow(sqlite: SQLite.Database): (pairs: RatePair[]) => RatesNow {
  const rate = sqlite.prepare<[string, string], { rate: string }>('select rate from fx_rates where base = ? and quote = ?');
  return (pairs) => {
    const rates: RatesNow = new Map();
    for (const { base, quote } of pairs) {
      const found = rate.get(base, quote);
      if (found) rates.set(rateKey(base, quote), found.rate);
    }
    return rates;
  };
}

/** The `rates` jsonb column of a batch's state query on PostgreSQL. */
export function pgRatesNow(pairs: RatePair[]): RawBuilder<unknown> {
  return sql`
      (select coalesce(jsonb_agg(r), '[]') from (
         select base, quote, rate from fx_rates
         where (base, quote) in (select * from unnest(${pairs.map((f) => f.base)}::text[], ${pairs.map((f) => f.quote)}::text[]))) r) as rates`;
}

/** The rates read by pgRatesNow. */
export function ratesFromRows(rows: Array<{ base: string; quote: string; rate: string }>): RatesNow {
  return new Map(rows.map((r) => [rateKey(r.base, r.quote), r.rate]));
}

/** PostgreSQL: whether every rate is still the one an order was priced with (a boolean expression for a statement that writes orders without reading first). */
export function pgRatesAsPriced(priced: Array<RatePair & { rate: string }>): RawBuilder<boolean> {
  return sql<boolean>`(select count(*) from fx_rates r
      join jsonb_to_recordset(${JSON.stringify(priced)}::jsonb) as x(base text, quote text, rate text)
        on r.base = x.base and r.quote = x.quote and r.rate = x.rate) = ${priced.length}`;
}

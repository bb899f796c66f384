// Price tiers: a named discount (in basis points) that accounts can be placed in.
import type { Db } from '../../db/index.js';
import { changeCatalog, type CatalogDeps } from './version.js';
import { nowIso } from '../clock.js';
import { ValidationFailed } from '../errors.js';

/** Creates or changes a tier; a catalog change, since resellers' listed prices follow their tier. */
export async function setPriceTier(deps: CatalogDeps, name: string, discountPercent: string | number): Promise<{ name: string; discount_bp: number }> {
  const text = String(discountPercent).trim();
  const match = /^(\d{1,2}|100)(?:\.(\d{1,2}))?$/.exec(text);
  const problems = [];
  if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(name)) problems.push({ field: 'name', message: 'lowercase letters, digits, _ and -' });
  if (!match || (match[1] === '100' && match[2] && Number(match[2]) > 0)) problems.push({ field: 'discount_percent', message: 'a percentage from 0 to 100 with at most 2 decimals' });
  if (problems.length || !match) throw new ValidationFailed('The price tier is not valid.', problems);
  const discountBp = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  await changeCatalog(deps, (tx) =>
    tx
      .insertInto('price_tiers')
      .values({ name, discount_bp: discountBp, updated_at: nowIso() })
      .onConflict((c) => c.column('name').doUpdateSet({ discount_bp: discountBp, updated_at: nowIso() }))
      .execute(),
  );
  return { name, discount_bp: discountBp };
}

/** Whether a price tier of this name exists. */
export async function priceTierExists(db: Db, name: string): Promise<boolean> {
  return (await db.selectFrom('price_tiers').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
}

export async function listPriceTiers(db: Db) {
  return db.selectFrom('price_tiers').selectAll().orderBy('name').execute();
}

/** The unit price after a tier's discount; the discount rounds down, never in the buyer's disfavour by more than it says. */
export function tieredPrice(priceMinor: number, discountBp: number): number {
  return priceMinor - Number((BigInt(priceMinor) * BigInt(discountBp)) / 10_000n);
}

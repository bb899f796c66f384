// Which Souk product a Zid product is fulfilled from: set by the owner, suggested by Souk. A
// suggestion is an exact SKU match on a product code first, then the closest name, compared in
// English and Arabic after normalising both (case, Arabic diacritics, digits and letter variants,
// punctuation), by the overlap of their letter pairs (the Dice coefficient); two names that hold
// different numbers (50 and 100) are never alike.
import type { Db } from '../../db/index.js';
import { findProduct, listProducts } from '../catalog/index.js';
import { NotFound, ValidationFailed } from '../errors.js';

/** Below this name likeness nothing is suggested. */
export const MIN_LIKENESS = 0.5;

export interface MappingSuggestion {
  zid_product_id: string;
  zid_name: string;
  product_id: number;
  code: string;
  name: string;
  /** sku: the Zid SKU is the product's code; name: the names are alike (likeness 0–1). */
  reason: 'sku' | 'name';
  likeness: number;
}

/** Maps a Zid product to a Souk product (by id, code or slug), or unmaps it with null. */
export async function mapZidProduct(db: Db, storeId: number, zidProductId: string, product: string | number | null): Promise<{ zid_product_id: string; product_id: number | null; code: string | null }> {
  const row = await db.selectFrom('zid_products').select(['zid_product_id']).where('store_id', '=', storeId).where('zid_product_id', '=', zidProductId).executeTakeFirst();
  if (!row) throw new NotFound(`Zid product ${zidProductId} is not in store ${storeId}; sync the store first.`);
  if (product === null) {
    await db.updateTable('zid_products').set({ product_id: null }).where('store_id', '=', storeId).where('zid_product_id', '=', zidProductId).execute();
    return { zid_product_id: zidProductId, product_id: null, code: null };
  }
  const target = await findProduct(db, product);
  if (target.status === 'archived') throw new ValidationFailed(`${target.code} is archived; map the Zid product to a product on sale.`, [{ field: 'product', message: 'is archived' }]);
  await db.updateTable('zid_products').set({ product_id: target.id }).where('store_id', '=', storeId).where('zid_product_id', '=', zidProductId).execute();
  return { zid_product_id: zidProductId, product_id: target.id, code: target.code };
}

/** Lower case, Arabic-Indic digits as ASCII, without Arabic diacritics or tatweel, alef/ya/ta marbuta variants folded, punctuation as spaces. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[\u0622\u0623\u0625\u0671]/g, '\u0627')
    .replace(/\u0649/g, '\u064a')
    .replace(/\u0629/g, '\u0647')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function pairs(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.split(' ')) {
    const padded = ` ${word} `;
    for (let i = 0; i < padded.length - 1; i++) {
      const pair = padded.slice(i, i + 2);
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  return counts;
}

/** The numbers a name holds, in order: a gift card's denomination tells 50 from 100 where the words agree. */
const numbersIn = (name: string) => (name.match(/\d+/g) ?? []).map(Number).join(' ');

/** How alike two names are, 0–1, after normalising both; names with different numbers in them are not alike. */
export function nameLikeness(a: string, b: string): number {
  const left = normaliseName(a);
  const right = normaliseName(b);
  if (!left || !right) return 0;
  if (left === right) return 1;
  const [leftNumbers, rightNumbers] = [numbersIn(left), numbersIn(right)];
  if (leftNumbers && rightNumbers && leftNumbers !== rightNumbers) return 0;
  const x = pairs(left);
  const y = pairs(right);
  let shared = 0;
  let total = 0;
  for (const [pair, count] of x) {
    shared += Math.min(count, y.get(pair) ?? 0);
    total += count;
  }
  for (const count of y.values()) total += count;
  return total ? (2 * shared) / total : 0;
}

/** A suggestion for every unmapped Zid product of the store that has a likely Souk product. */
export async function suggestMappings(db: Db, storeId: number): Promise<MappingSuggestion[]> {
  const unmapped = await db
    .selectFrom('zid_products')
    .select(['zid_product_id', 'sku', 'name_en', 'name_ar'])
    .where('store_id', '=', storeId)
    .where('product_id', 'is', null)
    .where('gone', '=', 0)
    .orderBy('zid_product_id')
    .execute();
  const products = (await listProducts(db)).filter((p) => p.status !== 'archived');
  const byCode = new Map(products.map((p) => [p.code.toLowerCase(), p]));
  const suggestions: MappingSuggestion[] = [];
  for (const zid of unmapped) {
    const base = { zid_product_id: zid.zid_product_id, zid_name: zid.name_en };
    const bySku = zid.sku ? byCode.get(zid.sku.trim().toLowerCase()) : undefined;
    if (bySku) {
      suggestions.push({ ...base, product_id: bySku.id, code: bySku.code, name: bySku.name.en ?? bySku.code, reason: 'sku', likeness: 1 });
      continue;
    }
    let best: { product: (typeof products)[number]; likeness: number } | undefined;
    for (const product of products) {
      const ours = [product.name.en, product.name.ar].filter((n): n is string => typeof n === 'string' && n.length > 0);
      const theirs = [zid.name_en, zid.name_ar].filter((n): n is string => typeof n === 'string' && n.length > 0);
      for (const a of theirs) for (const b of ours) {
        const likeness = nameLikeness(a, b);
        if (likeness > (best?.likeness ?? 0)) best = { product, likeness };
      }
    }
    if (best && best.likeness >= MIN_LIKENESS) {
      suggestions.push({ ...base, product_id: best.product.id, code: best.product.code, name: best.product.name.en ?? best.product.code, reason: 'name', likeness: Math.round(best.likeness * 100) / 100 });
    }
  }
  return suggestions;
}

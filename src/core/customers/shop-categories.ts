// The shop's categories with the products it sells in each: the storefront groups its grid by
// them. "Sells" is what GET /api/products lists: active (the catalog snapshot holds only those)
// and priced in the shop's currency.
import type { Db } from '../../db/index.js';
import type { Category, CatalogSnapshot } from '../catalog/index.js';
import { shopUnitPrices } from './shop-prices.js';

export interface ShopCategory {
  category: Category;
  /** The ids of the products the shop sells in this very category (not its subcategories), in catalog order. */
  productIds: number[];
}

/** Every category of the snapshot in its order, each with the products the shop sells in it. */
export async function shopCategories(db: Db, snapshot: CatalogSnapshot, shopCurrency: string): Promise<ShopCategory[]> {
  const prices = await shopUnitPrices(db, snapshot.entries.map((entry) => entry.product), shopCurrency);
  const members = new Map<number, number[]>();
  for (const { product } of snapshot.entries) {
    if (product.category_id === null || !prices.has(product.id)) continue;
    members.set(product.category_id, [...(members.get(product.category_id) ?? []), product.id]);
  }
  return snapshot.categories.map((category) => ({ category, productIds: members.get(category.id) ?? [] }));
}

// Which products an order can run out of: unique codes sold from stock, counted down one by one.
// Shared codes are delivered to every buyer and never counted down; manual and upstream goods are
// not stocked here. Listings and the shop's checkout ask this; placement enforces it on the codes.
import type { Db } from '../../db/index.js';
import type { Product } from '../catalog/index.js';

type Stocked = Pick<Product, 'fulfillment' | 'stock_mode' | 'stock_available'>;

/** The stock an order of this product cannot exceed; undefined when its stock is not counted. */
export function countedStock(product: Stocked): number | undefined {
  return product.fulfillment === 'stock' && product.stock_mode === 'unique' ? product.stock_available : undefined;
}

/** Whether the product can be ordered now in its smallest quantity, as far as stock goes: always, when its stock is not counted. */
export function inStockFor(product: Stocked & Pick<Product, 'min_quantity'>): boolean {
  const stock = countedStock(product);
  return stock === undefined || stock >= product.min_quantity;
}

/** What an upstream that does not count its stock is shown as having. */
export const UNCOUNTED_UPSTREAM_STOCK = 1_000_000;

/**
 * Shows the upstream's stock as an upstream product's stock (listings read the counter; placement
 * does not hold it to it: the upstream refuses what it cannot sell). Only for upstream products.
 */
export async function showUpstreamStock(db: Db, productId: number, stock: number | null): Promise<void> {
  const shown = stock === null ? UNCOUNTED_UPSTREAM_STOCK : Math.max(0, Math.min(stock, UNCOUNTED_UPSTREAM_STOCK));
  await db.updateTable('products').set({ stock_available: shown }).where('id', '=', productId).where('fulfillment', '=', 'upstream').where('stock_available', '!=', shown).execute();
}

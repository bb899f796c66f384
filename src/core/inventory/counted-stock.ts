// Which products an order can run out of: unique codes sold from stock, counted down one by one.
// Shared codes are delivered to every buyer and never counted down; manual and upstream goods are
// not stocked here. Listings and the shop's checkout ask this; placement enforces it on the codes.
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

// The shop's unit prices: each product's price in the shop's currency, worked out by the same
// function placement prices orders with, so what GET /api/products shows is what one unit costs.
import type { Db } from '../../db/index.js';
import type { Product } from '../catalog/index.js';
import { AmountOutOfRange } from '../errors.js';
import type { Money } from '../money.js';
import { unitPriceIn } from '../orders/index.js';
import { listFxRates } from '../wallets/index.js';

/**
 * The unit price of each product in `shopCurrency`, by product id, exactly as a
 * shop order charges one unit. A product priced in another currency without a rate to the shop's
 * cannot be sold in the shop (checkout would refuse it), so it has no price and is left out.
 */
export async function shopUnitPrices(db: Db, products: readonly Product[], shopCurrency: string): Promise<Map<number, Money>> {
  const needsRate = products.some((product) => product.currency !== shopCurrency);
  const rates = new Map(needsRate ? (await listFxRates(db)).filter((r) => r.quote === shopCurrency).map((r) => [r.base, r.rate]) : []);
  const prices = new Map<number, Money>();
  for (const product of products) {
    const rate = product.currency === shopCurrency ? null : rates.get(product.currency);
    if (rate === undefined) continue;
    try {
      prices.set(product.id, unitPriceIn(product, 0, shopCurrency, rate));
    } catch (error) {
      // A price too large to convert cannot be ordered either.
      if (!(error instanceof AmountOutOfRange)) throw error;
    }
  }
  return prices;
}

// What a buyer is shown per unit on the canonical API: its tier's price converted to its account's
// currency at the rate placement charges with (unitPriceIn), so a listed price is what one unit
// costs and an order never needs a rate the listing did not show. Tiers and rates are read once
// per catalog version: changing either bumps it (changeCatalog), so a new snapshot brings new ones.
import type { Db } from '../../db/index.js';
import { listPriceTiers, type CatalogSnapshot, type Product } from '../catalog/index.js';
import { AmountOutOfRange } from '../errors.js';
import type { Money } from '../money.js';
import { listFxRates } from '../wallets/index.js';
import { unitPriceIn } from './plan-order.js';

/** Tier discounts and exchange rates as they stood at one catalog version. */
interface PricingBasis {
  version: number;
  discountBp: Map<string, number>;
  /** Rates by `BASE:QUOTE`. */
  rates: Map<string, string>;
}

/** How one buyer is priced: its account's currency and tier discount, with the rates to that currency. */
export interface BuyerPricing {
  currency: string;
  discountBp: number;
  /** The rate from each product currency to `currency`, as placement reads it (never the inverse). */
  rateFrom: ReadonlyMap<string, string>;
  /** Names this basis in cache keys and ETags: same key, same prices for the same snapshot. */
  key: string;
}

/**
 * A buyer's unit price of `product` in `pricing.currency`, exactly what an order of one unit charges; undefined when it cannot be priced for it (no rate, or past MAX_MINOR), which
 * placement would refuse (409 currency_unavailable or amount_out_of_range).
 */
export function buyerUnitPrice(product: Pick<Product, 'price_minor' | 'currency'>, pricing: BuyerPricing): Money | undefined {
  const rate = product.currency === pricing.currency ? null : pricing.rateFrom.get(product.currency);
  if (rate === undefined) return undefined;
  try {
    return unitPriceIn(product, pricing.discountBp, pricing.currency, rate);
  } catch (error) {
    if (error instanceof AmountOutOfRange) return undefined;
    throw error;
  }
}

/** Each process's pricing basis, read once per catalog version; created with the app. */
export class ListedPrices {
  private current: Promise<PricingBasis> | undefined;
  private currentVersion = -1;
  private readonly buyers = new Map<string, BuyerPricing>();

  constructor(private readonly db: Db) {}

  /** How an account in `currency` with price tier `tier` (a name, or null) is priced against `snapshot`. */
  async forBuyer(snapshot: CatalogSnapshot, currency: string, tier: string | null): Promise<BuyerPricing> {
    const basis = await this.basis(snapshot.version);
    const discountBp = (tier === null ? undefined : basis.discountBp.get(tier)) ?? 0;
    const key = `${basis.version}:${currency}:${discountBp}`;
    let pricing = this.buyers.get(key);
    if (!pricing) {
      const rateFrom = new Map<string, string>();
      for (const [pair, rate] of basis.rates) {
        const [base, quote] = pair.split(':');
        if (quote === currency && base) rateFrom.set(base, rate);
      }
      pricing = { currency, discountBp, rateFrom, key: `${currency}-${discountBp}` };
      this.buyers.set(key, pricing);
    }
    return pricing;
  }

  private basis(version: number): Promise<PricingBasis> {
    if (this.current && this.currentVersion === version) return this.current;
    this.currentVersion = version;
    this.buyers.clear();
    const loading = Promise.all([listPriceTiers(this.db), listFxRates(this.db)]).then(([tiers, rates]) => ({
      version,
      discountBp: new Map(tiers.map((t) => [t.name, t.discount_bp])),
      rates: new Map(rates.map((r) => [`${r.base}:${r.quote}`, r.rate])),
    }));
    // A failed read is not remembered: the next request tries again.
    loading.catch(() => {
      if (this.current === loading) this.current = undefined;
    });
    this.current = loading;
    return loading;
  }
}

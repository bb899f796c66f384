// Table types: upstream providers, the products imported from them, and the orders forwarded to them (core/upstream).
import type { Generated } from 'kysely';

export type UpstreamDialectName = 'souk' | 'partner' | 'store' | 'shop' | 'smm';
export type UpstreamOrderState = 'new' | 'sending' | 'pending' | 'delivered' | 'failed' | 'cancelled' | 'stuck';

export interface ProvidersTable {
  id: Generated<number>;
  name: string;
  base_url: string;
  dialect: UpstreamDialectName;
  /** Sealed JSON: key, secret, username, password. */
  credentials: string;
  /** The upstream's own currency: its prices and its balance. */
  currency: string;
  /** The currency imported products are sold in (converted by the FX table). */
  sell_currency: string;
  /** Markup in hundredths of a percent (12.5% = 1250). */
  markup_bp: number;
  /** Fixed markup per unit, in minor units of sell_currency. */
  markup_fixed_minor: number;
  /** Prices are rounded up to a multiple of this, in minor units of sell_currency (at least 1). */
  rounding_minor: number;
  sync_interval_seconds: number;
  enabled: number;
  /** 'unknown' until the first ping; then 'up' or 'down'. */
  reachability: string;
  latency_ms: number | null;
  /** The upstream balance in minor units of `currency`, as last seen; null when unknown. */
  balance_minor: number | null;
  last_ping_at: string | null;
  last_sync_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface UpstreamProductsTable {
  /** The local product (fulfillment = upstream). */
  product_id: number;
  provider_id: number;
  upstream_ref: string;
  /** The upstream's unit price, minor units of the provider's currency. */
  upstream_price_minor: number;
  /** Null: unlimited or not told. */
  upstream_stock: number | null;
  upstream_status: 'active' | 'inactive' | 'gone';
  /** The local price Souk last set from it: a different local price means the owner repriced by hand. */
  priced_minor: number;
  /** Why sync took the product off sale; null when it did not (then sync never puts it back on sale). */
  paused: string | null;
  synced_at: string;
}

export interface UpstreamOrdersTable {
  /** The local order: one upstream order at most per local order. */
  order_id: string;
  provider_id: number;
  upstream_ref: string;
  state: UpstreamOrderState;
  goods: 'codes' | 'service';
  /** The upstream's own id for the order, once known. */
  upstream_order_id: string | null;
  /** What the upstream said it charged, minor units of the provider's currency. */
  wholesale_minor: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

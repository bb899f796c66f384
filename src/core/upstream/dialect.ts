// What Souk asks of an upstream provider, one interface whatever API the provider speaks. Each
// dialect (dialects/<name>.ts) translates these calls to its API and its answers back, and has
// only the capabilities its API has: a dialect without `findOrder` cannot look an order up by our
// reference, so an order whose outcome is unknown there waits for a person instead of being
// bought again. A dialect throws UpstreamFailure (failure.ts) for anything but a clear answer.
import type { UpstreamDialectName } from '../../db/schema.js';
import type { UpstreamHttp } from './http.js';

export type { UpstreamDialectName };

/** Names in each language the upstream gives (`en`, `ar`, `zh` …); at least one. */
export type UpstreamText = Record<string, string>;

/** A product as the upstream lists it. Prices are decimal strings in the upstream's currency, never floats. */
export interface UpstreamProduct {
  /** The upstream's id for it, as orders name it (item_id, product id, service id …), as a string. */
  ref: string;
  name: UpstreamText;
  description?: UpstreamText;
  /** Unit price, decimal string ("12.50"), in `currency`. */
  price: string;
  currency: string;
  /** Units available; null when unlimited or not told. */
  stock: number | null;
  status: 'active' | 'inactive';
  minQuantity?: number;
  maxQuantity?: number;
  /** Checkout fields the upstream asks for (player_id, link …), by name. */
  fields?: Array<{ name: string; label?: UpstreamText; required: boolean }>;
}

/** What Souk sends to buy. */
export interface UpstreamOrderRequest {
  /** Our order id: the upstream's client order reference wherever its API has one. */
  reference: string;
  productRef: string;
  quantity: number;
  /** The buyer's checkout fields, passed through (player_id, link, cf_* …). */
  fields: Record<string, string>;
  /** Where the upstream may post this order's status, if the dialect takes callbacks. */
  callbackUrl?: string;
}

/** Where an upstream order stands. */
export type UpstreamOrderStatus =
  /** Done: these are the codes, one per unit bought. */
  | { state: 'delivered'; upstreamId: string; codes: string[]; charged?: { amount: string; currency: string } }
  /** Taken, not done yet: follow it by callback or by polling. */
  | { state: 'pending'; upstreamId: string | null; charged?: { amount: string; currency: string } }
  /** Ended without goods (rejected, cancelled, refunded upstream): nothing is owed to it. */
  | { state: 'failed'; upstreamId: string | null; reason: string };

export interface UpstreamBalance {
  /** Decimal string in `currency`. */
  amount: string;
  currency: string;
}

/** What a verified callback from the upstream tells. */
export type UpstreamNotice =
  | { kind: 'order'; reference: string }
  | { kind: 'product'; ref: string | null };

/** A callback as it arrived: its headers (lower-case names) and raw body. */
export interface UpstreamCallback {
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/** The credentials a provider was added with; which a dialect uses is its own business. */
export interface UpstreamCredentials {
  key: string;
  secret?: string;
  username?: string;
  password?: string;
}

/** One provider, as a dialect calls it. */
export interface UpstreamConnection {
  providerId: number;
  /** The API's base, as the owner gave it (`https://a.example/api/v1`, `https://panel.example/api/v2`). */
  baseUrl: string;
  credentials: UpstreamCredentials;
  /** The provider's currency: what prices and balances are in when the API does not say. */
  currency: string;
  http: UpstreamHttp;
}

export interface UpstreamDialect {
  readonly name: UpstreamDialectName;
  /** 'codes': a delivered order carries one code per unit; 'service': the upstream performs a service (an SMM panel) and delivers no code. */
  readonly delivers: 'codes' | 'service';
  /**
   * Whether `findOrder` finds an order from our reference alone. When false it needs the
   * upstream's id, which only an answer to the create gives: an order whose create went
   * unanswered cannot be found there, and waits for a person.
   */
  readonly findsByReference: boolean;
  /** The whole catalog (every page). */
  listProducts(conn: UpstreamConnection): Promise<UpstreamProduct[]>;
  /** One product; undefined when the upstream does not have it (any more). */
  getProduct?(conn: UpstreamConnection, ref: string): Promise<UpstreamProduct | undefined>;
  /** Buys. An answer that cannot be read after the request was sent is UpstreamFailure 'unknown'. */
  createOrder(conn: UpstreamConnection, request: UpstreamOrderRequest): Promise<UpstreamOrderStatus>;
  /** The order created with our `reference` (or known by `upstreamId`); undefined when the upstream has none (it was never taken). */
  findOrder?(conn: UpstreamConnection, reference: string, upstreamId: string | null): Promise<UpstreamOrderStatus | undefined>;
  /** Asks the upstream to cancel an order not delivered yet; resolves once it is cancelled (or was never there). */
  cancelOrder?(conn: UpstreamConnection, reference: string, upstreamId: string | null): Promise<void>;
  /** Our balance at the upstream. */
  balance?(conn: UpstreamConnection): Promise<UpstreamBalance>;
  /** Checks a callback really comes from the upstream (its signature, with our credentials) and says what it is about; throws UpstreamFailure 'refused' when it does not verify. */
  readCallback?(conn: UpstreamConnection, callback: UpstreamCallback): UpstreamNotice;
}

export type UpstreamCapability = 'getProduct' | 'findOrder' | 'cancelOrder' | 'balance' | 'readCallback';

/** Which of the optional capabilities a dialect has. */
export function capabilitiesOf(dialect: UpstreamDialect): UpstreamCapability[] {
  const all: UpstreamCapability[] = ['getProduct', 'findOrder', 'cancelOrder', 'balance', 'readCallback'];
  return all.filter((c) => typeof dialect[c] === 'function');
}

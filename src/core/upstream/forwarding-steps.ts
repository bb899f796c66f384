// What the forwarding workflow's steps (forwarding.ts, deliver-step.ts) share: what they are
// given, what one step hands the next, how long they wait, and how they ask for a person.
import type { Dialect } from '../../db/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { orderToFulfil, recordUpstreamCallFailure, type OrderDeps, type PlacedOrderFacts } from '../orders/index.js';
import type { Deliveries } from './deliveries.js';
import type { ProductLinks } from './product-links.js';
import type { ProviderRow, UpstreamDeps } from './providers.js';
import { findUpstreamOrder, markUpstreamOrder } from './upstream-orders.js';

/** Waits between looks at an order still pending, and between retries of a create that may be retried: 1 s doubling to 5 min. */
export function backoffMs(attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, Math.min(attempt - 1, 9)));
}
/** A create refused as retryable this many times (the provider down, rate limiting) fails for good: the buyer is not kept waiting for ever. */
export const CREATE_ATTEMPTS = 12;
/** How often a stuck order is looked at again (a person may have resolved it). */
export const STUCK_RECHECK_MS = 3_600_000;

export interface ForwardingDeps extends UpstreamDeps {
  dialect: Dialect;
  /** The order use cases (read lazily: they hold the strategy that holds this forwarding). */
  orders(): OrderDeps;
  /** Where providers post callbacks: `<public URL>/upstream/callbacks/<provider id>`; none when Souk has no public URL. */
  callbackUrlFor(providerId: number): string | undefined;
  /** Told that our balance at a provider was found short (admission reads it again). */
  balanceShort?(): void;
  /** Told what deliver-codes delivered, once it has committed (placement answers with it). */
  delivered?(orderId: string, delivery: DeliveredNow): void;
  /** Imported products' links, as read (a link never changes once written: upstream_products is only inserted into, its provider and ref never updated). */
  links?: ProductLinks;
  /** Where deliveries that arrive together are written together; each in its own transaction without it. */
  deliveries?: Deliveries;
  /** Runs this process started a moment ago for an order it just placed, by order id: what their first steps would read. */
  startedHere?: ReadonlyMap<string, StartedHere>;
}

/**
 * What a run started right after placement knows without reading it: the order as placed and the
 * provider as admission read it just before. Only the first steps' reads are spared; what decides
 * that nothing is bought twice (the purchase marked under way, conditional on the order) is
 * written as always.
 */
export interface StartedHere {
  productId: number;
  quantity: number;
  fields: Record<string, string>;
  provider: ProviderRow | undefined;
  /** The purchase was marked under way with the run's start (starts.ts); the create step takes this once, instead of marking it. */
  underWay?: boolean;
  /** The order as placed: its delivery need not read it (core/orders' placedHere). */
  placed?: PlacedOrderFacts;
}

export interface ForwardInput {
  orderId: string;
}

export interface Created {
  /** The order was resolved by a person (fulfilled by hand) while it waited. */
  resolved: boolean;
  upstreamId: string | null;
  delivered: boolean;
  codes: string[];
  /** What the provider delivers, and what it charged (minor units of its currency) when it said. */
  goods?: 'codes' | 'service';
  providerId?: number;
  wholesaleMinor?: number | null;
}

export interface Followed {
  resolved: boolean;
  codes: string[];
  /** The upstream's id for the order, when the follow learned it. */
  upstreamId?: string | null;
  /** What the provider charged, when the follow learned it (a create still pending did not say). */
  wholesaleMinor?: number | null;
}

export const short = (text: string) => text.slice(0, 300);

/** Says, once, that an order needs a person: an api_failures row (needs_attention) and a log line. */
export async function raiseStuck(deps: ForwardingDeps, provider: ProviderRow, orderId: string, why: string): Promise<void> {
  const row = await findUpstreamOrder(deps.db, orderId);
  if (row?.state === 'stuck') return;
  await markUpstreamOrder(deps.db, orderId, 'stuck', { error: why });
  deps.log?.('upstream order needs a person', { provider: provider.id, dialect: provider.dialect, order: orderId, message: why });
  await recordUpstreamCallFailure(deps.db, { providerId: provider.id, dialect: provider.dialect, operation: 'find-order', status: null, errorCode: 'needs_attention', message: why, excerpt: null, orderId });
}

/** The order's state here, for steps that must stop when a person has resolved it meanwhile. */
export async function localStatus(deps: ForwardingDeps, orderId: string) {
  return (await orderToFulfil(deps.db, orderId)).status;
}

// Which strategy fulfils which kind of product: the app holds one registry (openSouk), and tests
// or connectors register more. openSouk registers the upstream connector's strategy; a registry
// without one refuses an order for such a product, 503 fulfillment_unavailable, before anything is written.
import type { FulfillmentKind } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import { manualFulfillment } from './manual.js';
import { stockFulfillment } from './stock.js';
import type { FulfillmentStrategy } from './strategy.js';

export class FulfillmentStrategies {
  private readonly byKind = new Map<FulfillmentKind, FulfillmentStrategy>();

  constructor(strategies: Iterable<FulfillmentStrategy> = []) {
    for (const strategy of strategies) this.register(strategy);
  }

  /** Makes `strategy` the one for its kind, in place of any before it. */
  register(strategy: FulfillmentStrategy): this {
    this.byKind.set(strategy.kind, strategy);
    return this;
  }

  /** The strategy for `kind`; 503 fulfillment_unavailable, naming `subject`, when none is registered. */
  strategyFor(kind: FulfillmentKind, subject: string): FulfillmentStrategy {
    const strategy = this.byKind.get(kind);
    if (!strategy) throw new DomainError('fulfillment_unavailable', 503, `${subject} cannot be fulfilled right now; try again later.`);
    return strategy;
  }
}

/** The strategies that need nothing but the database: stock and manual (openSouk adds upstream, which needs the connector). */
export function standardFulfillment(): FulfillmentStrategies {
  return new FulfillmentStrategies([stockFulfillment, manualFulfillment]);
}

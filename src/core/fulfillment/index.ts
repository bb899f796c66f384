// Fulfilment: how an order gets its goods, one strategy per way, chosen by the product's `fulfillment`.
export { FulfillmentStrategies, standardFulfillment } from './registry.js';
export { manualFulfillment } from './manual.js';
export { stockFulfillment } from './stock.js';
export { upstreamFulfillment, type UpstreamForwarder } from './upstream.js';
export type { DeliveredNow, FulfilledOrder, FulfillmentContext, FulfillmentStrategy, PaymentTiming, StatusStep, StockClaim, WrittenWithOrder } from './strategy.js';

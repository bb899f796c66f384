export { fulfillmentFor, manualFulfillment, stockFulfillment, type FulfillmentContext, type FulfillmentOutcome, type FulfillmentStrategy } from './strategy.js';

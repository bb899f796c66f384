export { fulfillmentFor, manualFulfillment, stockFulfillment, type FulfillmentStrategy } from './strategy.js';

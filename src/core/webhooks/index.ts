// Webhooks: endpoints and callback secrets, signed deliveries with retries, acks and the circuit
// breaker, and the dispatcher that sends them.
export {
  callbackSecret,
  createWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type CreatedEndpoint,
  type EndpointInput,
  type WebhookDeps,
  type WebhookEndpoint,
} from './endpoints.js';
export { claimDeliveries, deliveriesFor, DELIVERY_QUEUE, fanOutEvents, LEASE_MS, type ClaimedDeliveries, type DeliveryJob } from './deliveries.js';
export { Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { DispatcherMetrics } from './metrics.js';
export { ackEvent, listDeliveries, resendDelivery, resendFailedDeliveries, sendTestEvent, DELIVERY_STATUSES, type DeliveryFilter, type DeliveryStatus, type DeliveryView } from './operations.js';
export { DEFAULT_BREAKER, type Breaker } from './outcomes.js';
export { DEFAULT_RETRY_SCHEDULE, parseRetryAfter, retryDelayMs } from './schedule.js';
export { MAX_BODY_BYTES, MAX_RESPONSE_BYTES, SEND_TIMEOUT_MS } from './sender.js';
export { generateWebhookSecret, signDelivery, signingKey } from './signing.js';

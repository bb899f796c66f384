// Orders: placement (one transaction, never oversold, never charged twice), the status machine,
// cancellation, manual fulfilment, expiry, orders waiting for stock, the invariant check, and seed 000's view of an order.
export { placeOrder, type OrderDeps, type PlacementDeps, type PlaceOrderInput, type PlacedOrder } from './place-order.js';
export { Placement } from './placement.js';
export type { PlacementExtension } from './placement-batch.js';
export { MAX_CHECKOUT_FIELDS, unitPriceIn, type UnitFx } from './plan-order.js';
export { ListedPrices, buyerUnitPrice, type BuyerPricing } from './listed-prices.js';
export { pgDeliverFromUpstream, pgMoveToFulfilled, placedHere, type AlsoWritten, type PlacedOrderFacts, type UpstreamDelivery } from './delivery-postgres.js';
export { sqliteUpstreamDeliverer } from './delivery-sqlite.js';
export { cancelOrder, cancelOrderAsAdmin, confirmOrderPayment, expireUnpaidOrders, fulfilFromUpstream, fulfilManualOrder, lockOrderStatus, payHeldOrder, processingOrder, refundOrder, rejectOrder, whileProcessing, withDelivery } from './change-order.js';
export { findAccountOrderId, heldForOrders, listAccountOrders, listOrders, loadOrderDetail, orderToFulfil, ordersWaitingFor, type OrderDetail, type OrderFilter, type OrderItem, type OrderSummary } from './read-orders.js';
export { payExpiredOrder } from './late-payment.js';
export { findOrderContact, findOrderStatuses, type OrderContact, type OrderStatuses } from './order-lookups.js';
export { CANCELLABLE, ORDER_STATUSES, TRANSITIONS, canTransition, transitionOrder, type OrderStatus } from './status.js';
export { PARTNER_STATUS, PARTNER_STATUSES, partnerStatusOf, type PartnerStatus } from './partner-lifecycle.js';
export { PARTNER_CHANNEL, partnerOrderView, placingKeyId, type PartnerOrderView } from './partner-view.js';
export { isWalletCheckoutEnabled, setWalletCheckout } from './settings.js';
export { checkInvariants, type Violation } from './doctor.js';
export { fulfilWaitingOrders, ordersWaitingForStock, WAITING_FOR_STOCK_REASON, type StockWaits, type WaitingSweep, type WaitingSweepOptions } from './waiting-stock.js';
export { countApiFailures, listApiFailures, recordApiFailure, recordUpstreamCallFailure, redactedExcerpt, type ApiFailure, type ApiFailureFilter, type UpstreamCallFailure } from './api-failures.js';
export { deliveredSealedCodes, deliveredSealedCodesJson, emailDeliveries, orderChannels } from './delivery-reads.js';
export { approveReview, expireReviews, listReviews, rejectReview, type ReviewEntry } from './reviews.js';
export { ADMIN_ORDER_ACTIONS, adminOrderActions, type AdminOrderAction } from './admin-actions.js';
export { ordersByStatus, reviewQueue, salesPerDay, type DaySales } from './order-figures.js';

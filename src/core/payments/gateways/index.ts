// Payment gateways (BTCPay Server, Alipay, WeChat Pay): the seam (gateway.ts), their settings and registry.
export { GATEWAY_NAMES, type ChargeState, type GatewayCharge, type GatewayMethod, type GatewayName, type GatewayNotice, type GatewayRefund, type NoticeAnswer, type OpenedCharge, type PaymentGateway, type RefundOutcome, type RefundResult, type VerifiedNotice } from './gateway.js';
export { GatewayUnavailable, NotificationRefused } from './errors.js';
export { buildGateways, type Gateways } from './registry.js';
export { readGatewaySettings, type GatewaySettings } from './settings.js';
export { GatewayPayments, type GatewayOffer } from './service.js';
export type { GatewayStatus } from './status.js';
export type { GatewayContext } from './context.js';
export { gatewayPayment } from './provider.js';
export { refundChargeJob } from './refunds.js';
export type { CreditOutcome } from './credit.js';
export { decideTopUp } from '../topup-rule.js';
export type { GatewayPaymentView } from './views.js';
export type { TopUpRequest, TopUpView } from './topups.js';
export type { LookupSweep } from './lookups.js';
export type { NoticeReceived } from './notices.js';

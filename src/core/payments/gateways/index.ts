// Payment gateways (BTCPay Server, Alipay, WeChat Pay): the seam (gateway.ts), their settings and registry.
export { GATEWAY_NAMES, type ChargeState, type GatewayCharge, type GatewayMethod, type GatewayName, type GatewayNotice, type GatewayRefund, type NoticeAnswer, type OpenedCharge, type PaymentGateway, type RefundOutcome, type VerifiedNotice } from './gateway.js';
export { GatewayUnavailable, NotificationRefused } from './errors.js';
export { buildGateways, type Gateways } from './registry.js';
export { readGatewaySettings, type GatewaySettings } from './settings.js';

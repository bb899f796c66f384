// The gateways this Souk has: one per configured service, built once from the settings. A gateway
// whose settings are absent is simply not here, and its payment method is not offered.
import type { GatewaySettings } from './settings.js';
import type { GatewayName, PaymentGateway } from './gateway.js';
import { wechatGateway } from './wechat/index.js';
import { BtcPayGateway } from './btcpay/index.js';
import { alipayGateway } from './alipay/index.js';

export type Gateways = ReadonlyMap<GatewayName, PaymentGateway>;

/** Builds a gateway for each service whose settings are present. */
export function buildGateways(settings: GatewaySettings): Gateways {
  // One entry per gateway folder: its gateway when its settings are present, else undefined.
  const configured: (PaymentGateway | undefined)[] = [
    settings.btcpay && new BtcPayGateway(settings.btcpay, settings.timeoutMs),
    alipayGateway(settings.alipay, settings.timeoutMs),
    wechatGateway(settings.wechat, settings.timeoutMs),
  ];
  return new Map(configured.filter((g): g is PaymentGateway => g !== undefined).map((g) => [g.name, g]));
}

// Alipay (支付宝) through the official alipay-sdk: its settings, and its gateway when configured.
import { AlipayGateway } from './gateway.js';
import { readAlipaySettings, type AlipaySettings } from './settings.js';

export { AlipayGateway, readAlipaySettings, type AlipaySettings };
export { beijingTime, fenOf, timeoutExpress, yuanOf } from './wire.js';

/** The Alipay gateway, or undefined when Alipay is not configured. */
export function alipayGateway(settings: AlipaySettings | undefined, timeoutMs: number): AlipayGateway | undefined {
  return settings ? new AlipayGateway(settings, timeoutMs) : undefined;
}

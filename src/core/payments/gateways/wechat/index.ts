// WeChat Pay (API v3, Native pay): its settings and its gateway.
import type { PaymentGateway } from '../gateway.js';
import { WechatGateway } from './gateway.js';
import type { WechatSettings } from './settings.js';

export { readWechatSettings, type WechatSettings } from './settings.js';
export { WechatGateway } from './gateway.js';

/** The WeChat Pay gateway when its settings are present. */
export function wechatGateway(settings: WechatSettings | undefined, timeoutMs: number): PaymentGateway | undefined {
  return settings ? new WechatGateway(settings, timeoutMs) : undefined;
}

// The gateways' settings, each read by its own folder from the environment (undefined when the
// owner has not configured it): config.ts holds them under `gateways`, and registry.ts turns
// each configured one into its gateway.
import { integer, type Env } from '../../../config.js';
import { readWechatSettings, type WechatSettings } from './wechat/settings.js';
import { readBtcPaySettings, type BtcPaySettings } from './btcpay/settings.js';
import { readAlipaySettings, type AlipaySettings } from './alipay/settings.js';

/** One field per gateway; a gateway whose settings are absent is not offered. */
export interface GatewaySettings {
  /** The deadline of one call to a gateway, milliseconds. */
  timeoutMs: number;
  /** Seconds an Alipay, WeChat Pay or BTCPay charge stays payable (and its order holds its codes). */
  holdSeconds: number;
  /** Seconds between lookups of charges still waiting (what catches a lost notification). */
  lookupIntervalSeconds: number;
  /** WeChat Pay (API v3, Native pay). */
  wechat?: WechatSettings;
  /** BTCPay Server: its URL, key, store and webhook secret all set. */
  btcpay?: BtcPaySettings;
  /** Alipay: present when SOUK_ALIPAY_APP_ID and both keys are set. */
  alipay?: AlipaySettings;
}

/** Reads every gateway's settings. */
export function readGatewaySettings(env: Env): GatewaySettings {
  return {
    timeoutMs: integer(env, 'SOUK_PAYMENT_TIMEOUT_MS', 10_000, 100, 120_000),
    holdSeconds: integer(env, 'SOUK_PAYMENT_HOLD', 900, 60, 86_400),
    lookupIntervalSeconds: integer(env, 'SOUK_PAYMENT_LOOKUP_INTERVAL', 60, 5, 86_400),
    wechat: readWechatSettings(env),
    btcpay: readBtcPaySettings(env),
    alipay: readAlipaySettings(env),
  };
}

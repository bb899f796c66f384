// Where each payment gateway stands, for the console: configured or not (by its environment
// settings, named but never shown), what it takes, and its last recorded health check.
import type { Coin } from '../methods.js';
import type { GatewayContext } from './context.js';
import { GATEWAY_NAMES, type GatewayMethod, type GatewayName } from './gateway.js';
import { gatewayHealth, isHealthy } from './health.js';

/** The settings that configure each gateway, as the README's settings table names them. */
const SETTINGS: Readonly<Record<GatewayName, { method: GatewayMethod; settings: readonly string[] }>> = {
  btcpay: { method: 'crypto', settings: ['SOUK_BTCPAY_URL', 'SOUK_BTCPAY_API_KEY', 'SOUK_BTCPAY_STORE_ID', 'SOUK_BTCPAY_WEBHOOK_SECRET', 'SOUK_BTCPAY_COINS', 'SOUK_BTCPAY_CURRENCY'] },
  alipay: { method: 'alipay', settings: ['SOUK_ALIPAY_APP_ID', 'SOUK_ALIPAY_PRIVATE_KEY', 'SOUK_ALIPAY_PUBLIC_KEY', 'SOUK_ALIPAY_GATEWAY', 'SOUK_ALIPAY_MODE'] },
  wechat: {
    method: 'wechat',
    settings: ['SOUK_WECHAT_MCHID', 'SOUK_WECHAT_APPID', 'SOUK_WECHAT_API_V3_KEY', 'SOUK_WECHAT_PRIVATE_KEY', 'SOUK_WECHAT_CERT_SERIAL', 'SOUK_WECHAT_PLATFORM_CERT', 'SOUK_WECHAT_PLATFORM_SERIAL', 'SOUK_WECHAT_API_URL'],
  },
};

export interface GatewayStatus {
  name: GatewayName;
  method: GatewayMethod;
  configured: boolean;
  /** Offered now: configured and its last check (if any, within ten minutes) did not fail. */
  healthy: boolean;
  currency: string | null;
  coins: readonly Coin[];
  checkedAt: string | null;
  /** Why the last check failed, in words that name no secret. */
  problem: string | null;
  /** The environment settings that configure it (never their values). */
  settings: readonly string[];
}

/** Every gateway Souk knows, configured or not, with its last recorded check. */
export async function gatewayStatuses(ctx: Pick<GatewayContext, 'db' | 'gateways'>): Promise<GatewayStatus[]> {
  const health = await gatewayHealth(ctx.db, [...ctx.gateways.keys()]);
  return GATEWAY_NAMES.map((name) => {
    const gateway = ctx.gateways.get(name);
    const last = health.get(name);
    return {
      name,
      method: SETTINGS[name].method,
      configured: gateway !== undefined,
      healthy: gateway !== undefined && isHealthy(last),
      currency: gateway?.currency ?? null,
      coins: gateway?.coins ?? [],
      checkedAt: last?.at ?? null,
      problem: last && !last.ok ? (last.problem ?? null) : null,
      settings: SETTINGS[name].settings,
    };
  });
}

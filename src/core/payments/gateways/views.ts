// A gateway charge as the buyer sees it (shop order, top-up) and as the admin does.
import type { PaymentsTable } from '../../../db/schema.js';
import { wireTime } from '../../clock.js';
import { formatMinor } from '../../money.js';
import type { GatewayMethod, OpenedCharge } from './gateway.js';

/** How to pay a gateway charge: where to send the buyer, or what a QR code shows, and for how much. */
export interface GatewayPaymentView {
  method: GatewayMethod;
  /** The gateway: btcpay, alipay or wechat. */
  provider: string;
  /** In the charge's currency, a decimal string. */
  amount: string;
  currency: string;
  status: PaymentsTable['status'];
  expiresAt: string;
  checkoutUrl?: string;
  qrCode?: string;
  /** BTCPay: the coin, address, amount in it and payment URI. */
  coin?: string;
  address?: string;
  coinAmount?: string;
  uri?: string;
}

const METHOD_OF: Record<string, GatewayMethod> = { btcpay: 'crypto', alipay: 'alipay', wechat: 'wechat' };

/** The buyer's view of a gateway charge (times in the wire format). */
export function gatewayPaymentView(charge: PaymentsTable): GatewayPaymentView {
  const opened = (charge.checkout ? JSON.parse(charge.checkout) : {}) as Partial<OpenedCharge> & { coin?: string };
  return {
    method: METHOD_OF[charge.provider] ?? 'crypto',
    provider: charge.provider,
    amount: formatMinor(Number(charge.expected_units), charge.asset),
    currency: charge.asset,
    status: charge.status,
    expiresAt: wireTime(charge.expires_at),
    ...(opened.checkoutUrl ? { checkoutUrl: opened.checkoutUrl } : {}),
    ...(opened.qrCode ? { qrCode: opened.qrCode } : {}),
    ...(opened.coin ? { coin: opened.coin } : {}),
    ...(opened.address ? { address: opened.address } : {}),
    ...(opened.amount ? { coinAmount: opened.amount } : {}),
    ...(opened.uri ? { uri: opened.uri } : {}),
  };
}

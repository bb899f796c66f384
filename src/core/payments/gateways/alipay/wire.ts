// Alipay's words on the wire, and Souk's for them: amounts in yuan as decimal strings with at most
// two places ("100.00"; Souk counts fen), the `timeout_express` of a charge (whole minutes, 1m to
// 15d) or `time_expire` (Beijing time), and the trade statuses of its notifications and queries.
import type { ChargeState } from '../gateway.js';

/** The decimal yuan string Alipay takes for `minor` fen ("100.00"). */
export function yuanOf(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError('an amount in fen is a whole number, not below zero');
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

const YUAN = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** Fen for an amount Alipay wrote in yuan ("88.8" → 8880); undefined when it is not such an amount. */
export function fenOf(yuan: string | undefined): number | undefined {
  const match = yuan === undefined ? null : YUAN.exec(yuan.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * Alipay's `timeout_express`: whole minutes until `expiresAt`, within its 1m to 15d. Alipay counts
 * them from when the trade is made on its side (a precreated trade: when the buyer scans it), so a
 * payment may still come after the order expired: the late-payment rule takes it.
 */
export function timeoutExpress(expiresAt: string, now = Date.now()): string {
  const minutes = Math.floor((Date.parse(expiresAt) - now) / 60_000);
  return `${Math.min(Math.max(minutes, 1), 15 * 24 * 60)}m`;
}

/** Alipay's absolute `time_expire`: Beijing time (UTC+8), `yyyy-MM-dd HH:mm:ss`. */
export function beijingTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * What a trade status says of the charge: TRADE_SUCCESS (paid, refundable) and TRADE_FINISHED
 * (paid, closed to refunds) are paid; WAIT_BUYER_PAY waits; TRADE_CLOSED is an unpaid trade closed
 * at its timeout, or a paid one refunded in full (then its notification carries refund_fee).
 */
export function outcomeOf(status: string | undefined, refunded: boolean): ChargeState['outcome'] | undefined {
  switch (status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return 'paid';
    case 'WAIT_BUYER_PAY':
      return 'waiting';
    case 'TRADE_CLOSED':
      return refunded ? 'refunded' : 'closed';
    default:
      return undefined;
  }
}

/** Whether Alipay's reference of a charge is one Souk could have made (its out_trade_no: up to 64 letters, digits, underscores). */
export const isTradeNumber = (text: string | undefined): text is string => !!text && /^[A-Za-z0-9_]{1,64}$/.test(text);

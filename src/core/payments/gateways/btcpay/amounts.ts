// BTCPay's amounts are decimal strings in the invoice's currency ("12.50"); Souk's are integer minor
// units. Converting, in integers only: what Souk asks is written exactly, and what BTCPay says was
// paid is rounded down to a whole minor unit (never more than came).
import { currencyExponent, formatMinor } from '../../../money.js';

/** Minor units as the decimal string BTCPay takes (`1250` USD → "12.50"). */
export function minorToAmount(minor: number, currency: string): string {
  return formatMinor(minor, currency);
}

/** A decimal string from BTCPay in minor units of `currency`, extra decimals dropped; undefined when it is not a non-negative decimal. */
export function amountToMinor(amount: unknown, currency: string): number | undefined {
  if (typeof amount !== 'string' && typeof amount !== 'number') return undefined;
  const text = String(amount).trim();
  const match = /^(\d{1,30})(?:\.(\d{1,30}))?$/.exec(text);
  if (!match) return undefined;
  const exponent = currencyExponent(currency);
  const minor = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt((match[2] ?? '').padEnd(exponent, '0').slice(0, exponent) || '0');
  const value = Number(minor);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * checkout.expirationMinutes for a charge payable until `expiresAt`: BTCPay takes whole minutes
 * (at least one); rounded down so the invoice never outlives the order that holds the codes.
 */
export function expirationMinutes(expiresAt: string, now = Date.now()): number {
  return Math.max(1, Math.floor((Date.parse(expiresAt) - now) / 60_000));
}

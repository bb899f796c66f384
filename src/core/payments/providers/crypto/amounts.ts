// The arithmetic of an own-address invoice, in integers only (bigint: 18-decimal units pass 2^53):
// what an order's USD price is in a coin's smallest units, the unique offset that tells its
// transfer from every other waiting one, and the decimal text a buyer sees and an admin types.
import type { CoinSpec } from './coins.js';

/** Offsets run 1..OFFSET_SLOTS in the shown last decimal: at most 0.000999 USDT above the price. */
export const OFFSET_SLOTS = 999;

const RATE_SCALE = 10n ** 12n;

/** A rate as the FX table keeps it (a positive decimal, up to 12 decimals), scaled by 10^12; undefined if it is not one. */
export function scaledRate(rate: string): bigint | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,12}))?$/.exec(rate.trim());
  if (!match) return undefined;
  const scaled = BigInt(match[1]!) * RATE_SCALE + BigInt((match[2] ?? '').padEnd(12, '0'));
  return scaled > 0n ? scaled : undefined;
}

/** How a coin's price is known: USD per coin (the FX table's COIN→USD), or coins per USD (USD→COIN). */
export type CoinRate = { usdPerCoin: string } | { coinPerUsd: string };

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** One step of what a buyer is asked for: the unit of the last shown decimal. */
export function stepUnits(spec: CoinSpec): bigint {
  return 10n ** BigInt(spec.decimals - spec.shown);
}

/**
 * `usdCents` in `spec`'s smallest units, rounded up to a whole step (never less than the price):
 * 1:1 for a USD stablecoin, else by `rate`. Undefined when the rate is not a usable decimal.
 */
export function priceInUnits(usdCents: number, spec: CoinSpec, rate?: CoinRate): bigint | undefined {
  if (!Number.isSafeInteger(usdCents) || usdCents < 0) return undefined;
  const cents = BigInt(usdCents);
  const unit = 10n ** BigInt(spec.decimals);
  let units: bigint;
  if (spec.pricedAs === 'USD') units = ceilDiv(cents * unit, 100n);
  else if (rate && 'usdPerCoin' in rate) {
    const r = scaledRate(rate.usdPerCoin);
    if (r === undefined) return undefined;
    units = ceilDiv(cents * unit * RATE_SCALE, 100n * r);
  } else if (rate && 'coinPerUsd' in rate) {
    const r = scaledRate(rate.coinPerUsd);
    if (r === undefined) return undefined;
    units = ceilDiv(cents * unit * r, 100n * RATE_SCALE);
  } else return undefined;
  const step = stepUnits(spec);
  return ceilDiv(units, step) * step;
}

/**
 * An offset (1..OFFSET_SLOTS steps) that no waiting invoice of the coin at this price has taken,
 * picked at random among the free ones so that racing orders rarely pick alike (the unique index
 * settles the rest); undefined when all are taken.
 */
export function chooseOffset(taken: ReadonlySet<number>, random: () => number = Math.random): number | undefined {
  const free: number[] = [];
  for (let slot = 1; slot <= OFFSET_SLOTS; slot++) if (!taken.has(slot)) free.push(slot);
  if (free.length === 0) return undefined;
  return free[Math.min(free.length - 1, Math.floor(random() * free.length))];
}

/** `units` as a decimal in the coin, with exactly `digits` decimals (the amount is a whole number of steps, so nothing is cut). */
export function unitsToDecimal(units: bigint, decimals: number, digits = decimals): string {
  const negative = units < 0n;
  const text = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).slice(0, digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/** A decimal amount in the coin ("10.000123") in its smallest units; undefined if it is not one or has more decimals than the coin. */
export function decimalToUnits(text: string, decimals: number): bigint | undefined {
  const match = /^(\d{1,30})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return undefined;
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

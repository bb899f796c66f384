// Money is an integer count of a currency's minor units. Decimals exist only on the wire.

/** ISO 4217 exponents that are not 2. */
const EXPONENTS: Record<string, number> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

/**
 * The largest amount Souk holds, in minor units of any currency: every amount is a JS number and
 * must read back exactly (PostgreSQL's bigint holds more; it is never the limit).
 */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;

/** `unitMinor × quantity` when that is at most MAX_MINOR, else undefined: never a rounded product. */
export function timesQuantity(unitMinor: number, quantity: number): number | undefined {
  // For safe integers a product past 2^53 rounds to 2^53 or more, so this check is exact.
  const total = unitMinor * quantity;
  return Number.isSafeInteger(total) ? total : undefined;
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/**
 * Parses a decimal amount ("5", "5.5", "5.50", 5.5) into minor units without floating-point
 * arithmetic. Returns undefined when it has more decimals than the currency allows or is not a number.
 */
export function parseMinor(amount: string | number, currency: string): number | undefined {
  const exponent = currencyExponent(currency);
  const text = typeof amount === 'number' ? numberToPlainString(amount) : amount.trim();
  if (text === undefined) return undefined;
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exponent) return undefined;
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(trimmed.padEnd(exponent, '0') || '0');
  const value = Number(sign ? -minor : minor);
  return Number.isSafeInteger(value) ? value : undefined;
}

function numberToPlainString(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Shortest round-trip representation; reject exponent notation rather than guess.
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}

/** Minor units as a decimal string with the currency's exponent, e.g. 550 USD → "5.50". */
export function formatMinor(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** Minor units as a JSON number for the wire (the API speaks decimal numbers). */
export function minorToDecimal(minor: number, currency: string): number {
  return Number(formatMinor(minor, currency));
}

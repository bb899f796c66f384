// Amounts as people read them. The admin API answers some amounts as JSON numbers and some as
// decimal strings; this only lays them out (digits after the point as the currency has them) and
// never computes with them.

const digitsCache = new Map<string, number>();

function fractionDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** "12.5" or 12.5 in USD as "12.50 USD"; a decimal string from the API is shown as it is. */
export function formatAmount(amount: number | string, currency: string): string {
  if (typeof amount === 'string') return `${amount} ${currency}`;
  const digits = fractionDigits(currency);
  return `${amount.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })} ${currency}`;
}

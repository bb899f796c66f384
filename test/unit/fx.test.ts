// Property tests for the two price computations orders rest on: converting minor units between
// currencies at a shop-set rate (convertMinor) and a price tier's discount (tieredPrice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convertMinor, isRate } from '../../src/core/wallets/index.js';
import { tieredPrice } from '../../src/core/catalog/price-tiers.js';
import { AmountOutOfRange } from '../../src/core/errors.js';
import { currencyExponent, MAX_MINOR, timesQuantity } from '../../src/core/money.js';

const currencies = fc.constantFrom('USD', 'EUR', 'SAR', 'JPY', 'KRW', 'KWD', 'BHD');
const sameExponentPairs = fc.constantFrom(['USD', 'EUR'], ['EUR', 'SAR'], ['JPY', 'KRW'], ['KWD', 'BHD'], ['USD', 'USD']);

/** A valid rate string: 1-12 whole digits, optionally 1-12 decimals, not zero. */
const rate = fc
  .tuple(fc.integer({ min: 0, max: 999_999 }), fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? String(whole) : `${whole}.${fraction}`))
  .filter(isRate);

/** Amounts small enough that every conversion above stays a safe integer. */
const amount = fc.integer({ min: 0, max: 10_000_000_000 });

/** The exact converted value as a fraction numerator/denominator, computed independently. */
function exact(amountMinor: number, from: string, to: string, rateText: string): { n: bigint; d: bigint } {
  const [whole, fraction = ''] = rateText.split('.');
  let n = BigInt(amountMinor) * BigInt(`${whole}${fraction}`);
  let d = 10n ** BigInt(fraction.length);
  const shift = currencyExponent(to) - currencyExponent(from);
  if (shift > 0) n *= 10n ** BigInt(shift);
  if (shift < 0) d *= 10n ** BigInt(-shift);
  return { n, d };
}

test('convertMinor never charges less than the exact value, and is over by less than one minor unit', () => {
  fc.assert(
    fc.property(amount, currencies, currencies, rate, (minor, from, to, r) => {
      const { n, d } = exact(minor, from, to, r);
      let converted: number;
      try {
        converted = convertMinor(minor, from, to, r);
      } catch (error) {
        // Only refused when the answer would not be a safe integer.
        assert.ok(error instanceof AmountOutOfRange);
        assert.ok(n / d >= BigInt(Number.MAX_SAFE_INTEGER), `refused ${minor} ${from}→${to} at ${r}`);
        return;
      }
      assert.ok(Number.isSafeInteger(converted) && converted >= 0);
      const result = BigInt(converted);
      assert.ok(result * d >= n, `${minor} ${from}→${to} at ${r}: ${converted} is under the exact ${n}/${d}`);
      assert.ok((result - 1n) * d < n, `${minor} ${from}→${to} at ${r}: ${converted} is a whole unit or more over ${n}/${d}`);
    }),
    { numRuns: 2000 },
  );
});

test('convertMinor is the identity at rate 1 between currencies of the same exponent', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), sameExponentPairs, fc.constantFrom('1', '1.0', '1.00', '01', '1.000000000000'), (minor, [from, to], one) => {
      assert.equal(convertMinor(minor, from!, to!, one), minor);
    }),
  );
});

test('convertMinor is monotonic in the amount', () => {
  fc.assert(
    fc.property(amount, amount, currencies, currencies, rate, (a, b, from, to, r) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      let high: number;
      try {
        high = convertMinor(hi, from, to, r);
      } catch {
        return; // too large to convert: covered above
      }
      assert.ok(convertMinor(lo, from, to, r) <= high, `${lo} and ${hi} ${from}→${to} at ${r}`);
    }),
    { numRuns: 2000 },
  );
});

test('convertMinor is monotonic in the rate, and zero converts to zero', () => {
  fc.assert(
    // Up to 10^9 minor units at up to 1000 per unit, × 1000 for the exponent: always a safe integer.
    fc.property(fc.integer({ min: 0, max: 10 ** 9 }), currencies, currencies, fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 10 ** 9 }), (minor, from, to, x, y) => {
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      // Rates with six decimals: lo / 10^6 and hi / 10^6 units of `to` per unit of `from`.
      const asRate = (micro: number) => `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, '0')}`;
      assert.ok(convertMinor(minor, from, to, asRate(lo)) <= convertMinor(minor, from, to, asRate(hi)));
      assert.equal(convertMinor(0, from, to, asRate(lo)), 0);
    }),
  );
});

test('convertMinor handles currency exponents: USD→JPY (2→0), USD→KWD (2→3) and back', () => {
  // 1.00 USD at 150 JPY per USD is 150 yen; 0.01 USD is 1.5 yen, charged as 2.
  assert.equal(convertMinor(100, 'USD', 'JPY', '150'), 150);
  assert.equal(convertMinor(1, 'USD', 'JPY', '150'), 2);
  assert.equal(convertMinor(1999, 'USD', 'JPY', '149.37'), 2986); // 19.99 × 149.37 = 2985.9063
  assert.equal(convertMinor(200, 'USD', 'JPY', '150'), 300);
  // 1.00 USD at 0.307 KWD per USD is 0.307 KWD = 307 fils.
  assert.equal(convertMinor(100, 'USD', 'KWD', '0.307'), 307);
  assert.equal(convertMinor(1, 'USD', 'KWD', '0.307'), 4); // 3.07 fils
  assert.equal(convertMinor(1000, 'USD', 'KWD', '0.3075'), 3075);
  // The other way: 150 yen at 0.0067 USD per yen is 1.005 USD, charged as 1.01.
  assert.equal(convertMinor(150, 'JPY', 'USD', '0.0067'), 101);
  assert.equal(convertMinor(1, 'JPY', 'USD', '0.01'), 1);
  // 1.000 KWD at 3.25 USD per KWD is 3.25 USD; 1 fils is 0.00325 USD, charged as 0.01.
  assert.equal(convertMinor(1000, 'KWD', 'USD', '3.25'), 325);
  assert.equal(convertMinor(1, 'KWD', 'USD', '3.25'), 1);
  assert.equal(convertMinor(1000, 'KWD', 'JPY', '490'), 490);
  assert.equal(convertMinor(1, 'JPY', 'KWD', '0.002'), 2);
  // Exponents are looked up case-insensitively.
  assert.equal(convertMinor(100, 'usd', 'jpy', '150'), 150);
});

test('convertMinor refuses rates that are not positive decimals with at most 12 places, and results past the safe range', () => {
  for (const bad of ['0', '0.0', '000.000', '-1', '1e3', '', ' 1', '1.', '.5', '1.1234567890123', '1234567890123', 'NaN', '1,5', '0x10']) {
    assert.throws(() => convertMinor(100, 'USD', 'EUR', bad), RangeError, bad);
  }
  assert.equal(convertMinor(100, 'USD', 'EUR', '0.000000000001'), 1);
  assert.equal(convertMinor(100, 'USD', 'EUR', '999999999999.999999999999'), 100_000_000_000_000);
  assert.throws(() => convertMinor(Number.MAX_SAFE_INTEGER, 'USD', 'EUR', '2'), AmountOutOfRange);
  assert.throws(() => convertMinor(Number.MAX_SAFE_INTEGER, 'USD', 'KWD', '1'), AmountOutOfRange);
  assert.equal(convertMinor(Number.MAX_SAFE_INTEGER, 'KWD', 'USD', '1'), Math.ceil(Number.MAX_SAFE_INTEGER / 10));
});

/** Any rate the grammar admits, up to 12 whole digits and 12 decimals: what an older row may hold. */
const anyRate = fc
  .tuple(fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`))
  .filter(isRate);
/** Any amount of minor units, biased towards the edges of the safe range. */
const anyAmount = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MAX_SAFE_INTEGER - 1_000_000, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 1_000_000 }));
const everyCurrency = fc.constantFrom('USD', 'JPY', 'KWD', 'CNY', 'BHD', 'VND');

test('a huge rate cannot make convertMinor return an unsafe or rounded amount: the exact ceiling, or AmountOutOfRange when that passes MAX_MINOR', () => {
  fc.assert(
    fc.property(anyAmount, everyCurrency, everyCurrency, anyRate, (minor, from, to, r) => {
      const { n, d } = exact(minor, from, to, r);
      const ceiling = (n + d - 1n) / d;
      let converted: number;
      try {
        converted = convertMinor(minor, from, to, r);
      } catch (error) {
        assert.ok(error instanceof AmountOutOfRange, `${minor} ${from}→${to} at ${r}: ${String(error)}`);
        assert.equal(error.status, 409);
        assert.ok(ceiling > BigInt(MAX_MINOR), `refused ${minor} ${from}→${to} at ${r}, which converts to ${ceiling}`);
        return;
      }
      assert.ok(Number.isSafeInteger(converted), `${minor} ${from}→${to} at ${r} gave ${converted}`);
      assert.equal(BigInt(converted), ceiling, `${minor} ${from}→${to} at ${r}`);
    }),
    { numRuns: 5000 },
  );
  assert.throws(() => convertMinor(10_000, 'JPY', 'USD', '999999999999'), AmountOutOfRange);
  assert.throws(() => convertMinor(Number.MAX_SAFE_INTEGER + 2, 'USD', 'EUR', '0.000000000001'), AmountOutOfRange);
  assert.throws(() => convertMinor(Infinity, 'USD', 'EUR', '1'), AmountOutOfRange);
  for (const bad of [-1, 1.5, NaN]) assert.throws(() => convertMinor(bad, 'USD', 'EUR', '1'), RangeError, String(bad));
});

test('timesQuantity never returns a rounded total: the exact product while it is a safe integer, else undefined', () => {
  fc.assert(
    fc.property(anyAmount, fc.integer({ min: 1, max: 100_000 }), (unit, quantity) => {
      const product = BigInt(unit) * BigInt(quantity);
      const total = timesQuantity(unit, quantity);
      if (product > BigInt(MAX_MINOR)) assert.equal(total, undefined, `${unit} × ${quantity}`);
      else assert.equal(total, Number(product), `${unit} × ${quantity}`);
    }),
    { numRuns: 5000 },
  );
  assert.equal(timesQuantity(Number.MAX_SAFE_INTEGER, 1), Number.MAX_SAFE_INTEGER);
  assert.equal(timesQuantity(Number.MAX_SAFE_INTEGER, 2), undefined);
  assert.equal(timesQuantity(4_503_599_627_370_496, 2), undefined); // 2^52 × 2 = 2^53, one past the range
});

const price = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const discountBp = fc.integer({ min: 0, max: 10_000 });

test('tieredPrice takes off at most the stated discount: the price rounds up, by less than a minor unit', () => {
  fc.assert(
    fc.property(price, discountBp, (p, bp) => {
      const charged = tieredPrice(p, bp);
      assert.ok(Number.isSafeInteger(charged), `${p} at ${bp} bp gave ${charged}`);
      // exact = p × (10000 − bp) / 10000; charged is ceil(exact): never below it, under one unit above.
      const exactNumerator = BigInt(p) * BigInt(10_000 - bp);
      assert.ok(BigInt(charged) * 10_000n >= exactNumerator, `${p} at ${bp} bp: ${charged} is below the exact price`);
      assert.ok((BigInt(charged) - 1n) * 10_000n < exactNumerator, `${p} at ${bp} bp: ${charged} is a whole unit or more above the exact price`);
      assert.ok(charged >= 0 && charged <= p);
    }),
    { numRuns: 2000 },
  );
});

test('tieredPrice: no discount is the price, 100 % is free, and more discount never costs more', () => {
  fc.assert(
    fc.property(price, discountBp, discountBp, (p, a, b) => {
      assert.equal(tieredPrice(p, 0), p);
      assert.equal(tieredPrice(p, 10_000), 0);
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.ok(tieredPrice(p, hi) <= tieredPrice(p, lo), `${p}: ${hi} bp costs more than ${lo} bp`);
    }),
  );
  fc.assert(
    fc.property(price, price, discountBp, (a, b, bp) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.ok(tieredPrice(lo, bp) <= tieredPrice(hi, bp), `at ${bp} bp, ${lo} costs more than ${hi}`);
    }),
  );
  assert.equal(tieredPrice(1000, 1250), 875); // 12.5 % off 10.00
  assert.equal(tieredPrice(999, 1000), 900); // 10 % off 9.99 is 8.991, charged 9.00
  assert.equal(tieredPrice(1, 5000), 1); // half of one cent rounds to the shop
  assert.equal(tieredPrice(3, 3333), 3); // 0.9999 cents off rounds to nothing
});

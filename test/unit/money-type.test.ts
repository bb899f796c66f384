// The Money type carries prices through pricing. Its conversions must round exactly as the code
// before it did: the two functions below are that code, kept frozen here (convertMinor's
// arithmetic, rounding up, and valueIn's, rounding down with the inverse rate), and the property
// tests compare Money's answers with theirs for random amounts, rates and currencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AmountOutOfRange } from '../../src/core/errors.js';
import { convertMoney, currencyExponent, formatMoney, inverseRate, isRate, MAX_MINOR, money, moneyLess, moneyPerUnit, moneyTimes, parseRate } from '../../src/core/money.js';
import { convertPrice } from '../../src/core/wallets/index.js';

const OLD_RATE = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

function oldRateFraction(rate: string): { numerator: bigint; denominator: bigint } {
  const match = OLD_RATE.exec(rate);
  if (!match || !(Boolean(match) && /[1-9]/.test(rate))) throw new RangeError(`not a rate: ${rate}`);
  const [, whole = '0', fraction = ''] = match;
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/** convertMinor as it was: rounds up; 'out of range' where it threw AmountOutOfRange. */
function oldConvertMinor(amountMinor: number, from: string, to: string, rate: string): number | 'out of range' {
  const { numerator: rateNumerator, denominator: rateDenominator } = oldRateFraction(rate);
  if (amountMinor > MAX_MINOR) return 'out of range';
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`not an amount of minor units: ${amountMinor}`);
  const shift = currencyExponent(to) - currencyExponent(from);
  let numerator = BigInt(amountMinor) * rateNumerator;
  let denominator = rateDenominator;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const quotient = numerator / denominator;
  const result = numerator % denominator === 0n ? quotient : quotient + 1n;
  if (result > BigInt(MAX_MINOR)) return 'out of range';
  return Number(result);
}

/** valueIn's arithmetic as it was, after the rate was found: rounds down, negative amounts too. */
function oldValueIn(amountMinor: number, from: string, to: string, rate: string, direct: boolean): number | undefined {
  const { numerator, denominator } = oldRateFraction(rate);
  const shift = currencyExponent(to) - currencyExponent(from);
  let top = BigInt(amountMinor) * (direct ? numerator : denominator);
  let bottom = direct ? denominator : numerator;
  if (shift >= 0) top *= 10n ** BigInt(shift);
  else bottom *= 10n ** BigInt(-shift);
  const quotient = top / bottom - (top % bottom !== 0n && top < 0n ? 1n : 0n);
  return quotient > BigInt(MAX_MINOR) || quotient < -BigInt(MAX_MINOR) ? undefined : Number(quotient);
}

const currencies = fc.constantFrom('USD', 'EUR', 'SAR', 'JPY', 'KRW', 'KWD', 'BHD', 'VND', 'CNY');
const rates = fc
  .tuple(fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`))
  .filter(isRate);
/** Ordinary prices, and amounts at the edges of the safe range. */
const amounts = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 1_000_000, max: Number.MAX_SAFE_INTEGER }),
);

test('Money converts a price exactly as convertMinor did: the same minor units, or AmountOutOfRange where it refused', () => {
  fc.assert(
    fc.property(amounts, currencies, currencies, rates, (minor, from, to, rate) => {
      const before = oldConvertMinor(minor, from, to, rate);
      let after: number | 'out of range';
      try {
        after = convertPrice(money(minor, from), to, rate).minor;
      } catch (error) {
        if (!(error instanceof AmountOutOfRange)) throw error;
        after = 'out of range';
      }
      assert.equal(after, before, `${minor} ${from}→${to} at ${rate}`);
      // The bare conversion says the same, undefined where pricing refuses.
      const bare = convertMoney(money(minor, from), to, rate, 'up');
      assert.equal(bare === undefined ? 'out of range' : bare.minor, before);
      if (bare) assert.equal(bare.currency, to);
    }),
    { numRuns: 10_000 },
  );
});

test('Money values a balance exactly as valueIn did: rounded down, by the rate or the inverse of the opposite one, negative balances included', () => {
  fc.assert(
    fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), currencies, currencies, rates, fc.boolean(), (minor, from, to, rate, direct) => {
      const parsed = parseRate(rate);
      const after = convertMoney(money(minor, from), to, direct ? parsed : inverseRate(parsed), 'down');
      assert.equal(after?.minor, oldValueIn(minor, from, to, rate, direct), `${minor} ${from}→${to} at ${direct ? '' : '1/'}${rate}`);
    }),
    { numRuns: 10_000 },
  );
});

test('rounding up never gives less than the exact value and rounding down never more, by less than one minor unit', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), currencies, currencies, rates, (minor, from, to, rate) => {
      const { numerator, denominator } = parseRate(rate);
      const shift = currencyExponent(to) - currencyExponent(from);
      const n = BigInt(minor) * numerator * (shift > 0 ? 10n ** BigInt(shift) : 1n);
      const d = denominator * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
      const up = convertMoney(money(minor, from), to, rate, 'up');
      const down = convertMoney(money(minor, from), to, rate, 'down');
      if (up === undefined || down === undefined) return;
      assert.ok(BigInt(up.minor) * d >= n && (BigInt(up.minor) - 1n) * d < n, `up: ${minor} ${from}→${to} at ${rate} gave ${up.minor}`);
      assert.ok(BigInt(down.minor) * d <= n && (BigInt(down.minor) + 1n) * d > n, `down: ${minor} ${from}→${to} at ${rate} gave ${down.minor}`);
    }),
    { numRuns: 5000 },
  );
});

test("a unit's share of a charge is the exact ceiling, as Math.ceil gave it (the price guard compares it)", () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), fc.integer({ min: 1, max: 100_000 }), (minor, quantity) => {
      const share = moneyPerUnit(money(minor, 'USD'), quantity).minor;
      assert.equal(share, Math.ceil(minor / quantity), `${minor} / ${quantity}`);
      const q = BigInt(quantity);
      assert.ok(BigInt(share) * q >= BigInt(minor) && (BigInt(share) - 1n) * q < BigInt(minor), `${minor} / ${quantity}`);
    }),
    { numRuns: 10_000 },
  );
  assert.equal(moneyPerUnit(money(Number.MAX_SAFE_INTEGER, 'USD'), 3).minor, 3002399751580331);
});

test('Money keeps its currency and refuses what is not a whole safe amount or mixes currencies', () => {
  assert.deepEqual(money(550, 'USD'), { minor: 550, currency: 'USD' });
  assert.equal(formatMoney(money(550, 'USD')), '5.50 USD');
  assert.equal(formatMoney(money(1500, 'JPY')), '1500 JPY');
  assert.equal(formatMoney(money(5, 'KWD')), '0.005 KWD');
  for (const bad of [1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => money(bad, 'USD'), RangeError, String(bad));
  assert.deepEqual(moneyTimes(money(250, 'EUR'), 4), { minor: 1000, currency: 'EUR' });
  assert.equal(moneyTimes(money(Number.MAX_SAFE_INTEGER, 'EUR'), 2), undefined);
  assert.deepEqual(moneyLess(money(1000, 'SAR'), money(125, 'SAR')), { minor: 875, currency: 'SAR' });
  assert.throws(() => moneyLess(money(1000, 'SAR'), money(125, 'USD')), RangeError);
  assert.throws(() => moneyPerUnit(money(1000, 'SAR'), 0), RangeError);
  assert.throws(() => convertMoney(money(1, 'USD'), 'EUR', '0'), RangeError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { currencyExponent } from '../../src/core/money.js';
import { costIn, decimalFraction, decimalToMinor, sellPriceOf } from '../../src/core/upstream/pricing.js';

const currencies = fc.constantFrom('USD', 'EUR', 'SAR', 'JPY', 'KWD', 'CNY');
/** A decimal price with up to 6 decimals, as upstreams write them ("0.0035", "12.5"). */
const prices = fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 6 })).map(([whole, fraction, places]) =>
  places === 0 ? String(whole) : `${whole}.${String(fraction % 10 ** places).padStart(places, '0')}`,
);
/** A rate as the FX table holds it: up to 6 decimals, never zero. */
const rates = fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 999_999 })).filter(([w, f]) => w > 0 || f > 0).map(([w, f]) => ({ numerator: BigInt(w) * 1_000_000n + BigInt(f), denominator: 1_000_000n }));

/** The exact value of price × rate in minor units of `currency`, as a fraction. */
function exactMinor(price: string, rate: { numerator: bigint; denominator: bigint }, currency: string) {
  const p = decimalFraction(price)!;
  return { top: p.numerator * rate.numerator * 10n ** BigInt(currencyExponent(currency)), bottom: p.denominator * rate.denominator };
}

test('the cost of an upstream price in the sell currency is never below its exact value, and less than one minor unit above it', () => {
  fc.assert(
    fc.property(prices, rates, currencies, (price, rate, currency) => {
      const cost = costIn(price, currency, rate);
      if (cost === undefined) return;
      const { top, bottom } = exactMinor(price, rate, currency);
      assert.ok(BigInt(cost) * bottom >= top, 'never below the exact cost');
      assert.ok((BigInt(cost) - 1n) * bottom < top || cost === 0, 'rounded up by less than one minor unit');
    }),
  );
});

test('a marked-up price covers price × rate × markup + fixed exactly, is a multiple of the rounding step, and is the smallest such multiple', () => {
  fc.assert(
    fc.property(prices, rates, fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), (price, rate, markupBp, fixed, step) => {
      const sell = sellPriceOf(price, rate, { sellCurrency: 'USD', markupBp, markupFixedMinor: fixed, roundingMinor: step });
      if (sell === undefined) return;
      // The rule's exact value, as the fraction top / bottom of minor units.
      const { top, bottom } = exactMinor(price, rate, 'USD');
      const wantedTop = top * BigInt(10_000 + markupBp) + BigInt(fixed) * bottom * 10_000n;
      const wantedBottom = bottom * 10_000n;
      assert.ok(BigInt(sell) * wantedBottom >= wantedTop, `${sell} covers the rule`);
      assert.equal(sell % step, 0);
      assert.ok(BigInt(sell - step) * wantedBottom < wantedTop, 'the smallest multiple of the step that covers it');
    }),
  );
});

test('markup worked examples: 12.5% on 10.00 rounded to 0.05 is 11.25; 10% + 0.30 on 9.99 rounded to 1.00 is 12.00; 2.35 USD × 0.92 × 1.20 at 0.10 is 2.60', () => {
  const one = { numerator: 1n, denominator: 1n };
  assert.equal(sellPriceOf('10.00', one, { sellCurrency: 'USD', markupBp: 1250, markupFixedMinor: 0, roundingMinor: 5 }), 1125);
  assert.equal(sellPriceOf('9.99', one, { sellCurrency: 'USD', markupBp: 1000, markupFixedMinor: 30, roundingMinor: 100 }), 1200);
  assert.equal(sellPriceOf('2.35', { numerator: 92n, denominator: 100n }, { sellCurrency: 'EUR', markupBp: 2000, markupFixedMinor: 0, roundingMinor: 10 }), 260);
  // 3.75 SAR per USD: 10.00 USD costs 37.50 SAR.
  assert.equal(costIn('10.00', 'SAR', { numerator: 375n, denominator: 100n }), 3750);
  // A panel's rate with more decimals than the currency has rounds up to the next cent.
  assert.equal(costIn('0.0035', 'USD', one), 1);
});

test('an upstream amount reads as minor units rounded the safe way: prices up, balances down; anything else is not an amount', () => {
  assert.equal(decimalToMinor('100.84292', 'USD', 'down'), 10084);
  assert.equal(decimalToMinor('100.84292', 'USD', 'up'), 10085);
  assert.equal(decimalToMinor('5', 'JPY', 'up'), 5);
  for (const bad of ['-1', '1e3', 'NaN', '', '1.2.3', ' ', '0x10']) assert.equal(decimalToMinor(bad, 'USD', 'up'), undefined, bad);
});

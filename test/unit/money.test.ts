import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { currencyExponent, formatMinor, minorToDecimal, parseMinor } from '../../src/core/money.js';

const currencies = fc.constantFrom('USD', 'EUR', 'SAR', 'JPY', 'KWD', 'BHD', 'CNY');

test('formatting minor units and parsing them back gives the same integer, for every currency', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), currencies, (minor, currency) => {
      assert.equal(parseMinor(formatMinor(minor, currency), currency), minor);
    }),
  );
});

test('decimal numbers on the wire parse to the exact minor units', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (minor) => {
      assert.equal(parseMinor(minorToDecimal(minor, 'USD'), 'USD'), minor);
    }),
  );
  assert.equal(parseMinor(0.1, 'USD'), 10);
  assert.equal(parseMinor('19.99', 'USD'), 1999);
  assert.equal(parseMinor('5', 'KWD'), 5000);
  assert.equal(parseMinor('1500', 'JPY'), 1500);
  assert.equal(parseMinor('5.50', 'JPY'), undefined);
  assert.equal(parseMinor('5.5', 'JPY'), undefined);
  assert.equal(parseMinor('5.00', 'JPY'), 5);
});

test('amounts with more decimals than the currency allows, or not numbers at all, are refused', () => {
  for (const bad of ['1.234', 'abc', '', '1e3', '1.2.3', '--1', ' ', 'NaN', '0x10']) assert.equal(parseMinor(bad, 'USD'), undefined, bad);
  assert.equal(parseMinor(Number.NaN, 'USD'), undefined);
  assert.equal(parseMinor(Infinity, 'USD'), undefined);
  assert.equal(parseMinor(1e21, 'USD'), undefined);
  assert.equal(parseMinor('99999999999999999999', 'USD'), undefined);
});

test('currency exponents follow ISO 4217', () => {
  assert.equal(currencyExponent('USD'), 2);
  assert.equal(currencyExponent('jpy'), 0);
  assert.equal(currencyExponent('KWD'), 3);
  assert.equal(formatMinor(5, 'USD'), '0.05');
  assert.equal(formatMinor(-5, 'USD'), '-0.05');
  assert.equal(formatMinor(1234, 'KWD'), '1.234');
  assert.equal(formatMinor(1234, 'JPY'), '1234');
});

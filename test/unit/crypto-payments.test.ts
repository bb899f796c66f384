// The arithmetic and checks of own-address crypto invoices: prices in a coin's units (never below
// the price, no floats), the unique offset, amounts as decimals, addresses by chain, and the rule
// a credited transfer follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addressProblem, chooseOffset, COIN_SPECS, decideConfirmation, normalizeTxid, priceInUnits } from '../../src/core/payments/index.js';
import { decimalToUnits, OFFSET_SLOTS, unitsToDecimal } from '../../src/core/payments/providers/crypto/index.js';

test('USDT is 1:1 with USD in its own decimals (6 on TRON, 18 on BNB Chain)', () => {
  assert.equal(priceInUnits(1234, COIN_SPECS.trc20_usdt), 12_340_000n);
  assert.equal(priceInUnits(1234, COIN_SPECS.bep20_usdt), 12_340_000_000_000_000_000n);
});

test('a coin priced by rate is rounded up to a whole shown step, from either direction of the rate', () => {
  // 10.00 USD at 30 000 USD/BTC = 0.000333333… BTC → 33 334 sat.
  assert.equal(priceInUnits(1000, COIN_SPECS.btc, { usdPerCoin: '30000' }), 33_334n);
  assert.equal(priceInUnits(1000, COIN_SPECS.eth, { coinPerUsd: '0.0005' }), 5_000_000_000_000_000n);
  assert.equal(priceInUnits(1000, COIN_SPECS.btc), undefined, 'no rate, no price');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000_000 }), (cents, rate) => {
      const units = priceInUnits(cents, COIN_SPECS.eth, { usdPerCoin: String(rate) })!;
      // Never less than the price: units × rate ≥ cents/100 × 10^18.
      assert.ok(units * BigInt(rate) * 100n >= BigInt(cents) * 10n ** 18n);
      assert.equal(units % 10n ** 10n, 0n, 'a whole number of shown steps');
    }),
  );
});

test('the offset is always a free slot, and none is given when every slot is taken', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: OFFSET_SLOTS }), { maxLength: OFFSET_SLOTS - 1 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (taken, r) => {
      const offset = chooseOffset(new Set(taken), () => r)!;
      assert.ok(offset >= 1 && offset <= OFFSET_SLOTS && !taken.includes(offset));
    }),
  );
  assert.equal(chooseOffset(new Set(Array.from({ length: OFFSET_SLOTS }, (_, i) => i + 1))), undefined);
});

test('amounts go to decimals and back exactly', () => {
  assert.equal(unitsToDecimal(10_000_123n, 6), '10.000123');
  assert.equal(unitsToDecimal(5n, 8), '0.00000005');
  assert.equal(decimalToUnits('10.000123', 6), 10_000_123n);
  assert.equal(decimalToUnits('1.0000001', 6), undefined, 'more decimals than the coin has');
  assert.equal(decimalToUnits('-1', 6), undefined);
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (units) => assert.equal(decimalToUnits(unitsToDecimal(units, 18), 18), units)));
});

test('addresses are checked by chain, checksums included', () => {
  assert.equal(addressProblem('trc20_usdt', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'), undefined);
  assert.ok(addressProblem('trc20_usdt', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'));
  assert.ok(addressProblem('trx', '0xdAC17F958D2ee523a2206206994597C13D831ec7'));
  assert.equal(addressProblem('erc20_usdt', '0xdAC17F958D2ee523a2206206994597C13D831ec7'), undefined);
  assert.equal(addressProblem('bnb', '0xdac17f958d2ee523a2206206994597c13d831ec7'), undefined, 'all lower case carries no checksum');
  assert.ok(addressProblem('eth', '0xdAC17F958D2ee523a2206206994597C13D831Ec7'), 'a broken EIP-55 case');
  assert.ok(addressProblem('eth', '0x1234'));
  for (const ok of ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297']) {
    assert.equal(addressProblem('btc', ok), undefined, ok);
  }
  for (const bad of ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr', 'tb1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t']) {
    assert.ok(addressProblem('btc', bad), bad);
  }
});

test('transaction ids have one spelling per chain', () => {
  const hex = 'AB'.repeat(32);
  assert.equal(normalizeTxid('eth', hex), `0x${'ab'.repeat(32)}`);
  assert.equal(normalizeTxid('trc20_usdt', `0x${hex}`), 'ab'.repeat(32));
  assert.equal(normalizeTxid('btc', 'xyz'), undefined);
});

test('a credited transfer follows issue 18 part 3', () => {
  const waiting = { expected: 100n, received: 0n, waiting: true, status: 'open' as const };
  assert.deepEqual(decideConfirmation(waiting, 'awaiting_payment', 99n), { status: 'partial', waiting: true, fulfil: 'none', refundDue: false });
  assert.equal(decideConfirmation(waiting, 'awaiting_payment', 100n).status, 'paid');
  assert.deepEqual(decideConfirmation(waiting, 'awaiting_payment', 101n), { status: 'overpaid', waiting: false, fulfil: 'held', refundDue: false });
  assert.deepEqual(decideConfirmation({ ...waiting, received: 60n, status: 'partial' }, 'awaiting_payment', 40n).fulfil, 'held');
  const ended = { expected: 100n, received: 0n, waiting: false, status: 'expired' as const };
  assert.equal(decideConfirmation(ended, 'expired', 100n).fulfil, 'revive');
  assert.deepEqual(decideConfirmation(ended, 'expired', 50n), { status: 'late', waiting: false, fulfil: 'none', refundDue: true });
  assert.equal(decideConfirmation(ended, 'cancelled', 100n).refundDue, true);
  assert.deepEqual(decideConfirmation({ ...ended, status: 'paid' }, 'fulfilled', 5n), { status: 'overpaid', waiting: false, fulfil: 'none', refundDue: false });
});

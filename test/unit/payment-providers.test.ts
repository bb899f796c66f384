// The payment providers' decisions that need no database: what each admits and in which currency,
// what starting a payment asks of placement, the notifications they refuse, and how the registry
// pairs a payment with an order's channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferredPayment, externalPayment, PaymentProviders, standardPayments, walletPayment } from '../../src/core/payments/index.js';
import { DomainError } from '../../src/core/errors.js';
import { money } from '../../src/core/money.js';

const buyer = { currency: 'USD', walletCheckout: true };
const start = { walletId: 7, charged: money(1250, 'EUR'), at: '2025-03-01T10:00:00.000Z' };
const isCode = (code: string, status: number) => (error: unknown) => error instanceof DomainError && error.code === code && error.status === status;

test("wallet: charges the account's currency or the wallet asked for, refuses a bad currency and a switched-off checkout, and debits the charge at placement", async () => {
  assert.deepEqual(walletPayment.admit({ kind: 'wallet' }, buyer), { currency: 'USD' });
  assert.deepEqual(walletPayment.admit({ kind: 'wallet', currency: 'eur' }, buyer), { currency: 'EUR' });
  assert.throws(() => walletPayment.admit({ kind: 'wallet', currency: 'EURO' }, buyer), isCode('validation_error', 400));
  assert.throws(() => walletPayment.admit({ kind: 'wallet' }, { ...buyer, walletCheckout: false }), isCode('wallet_disabled', 503));
  // The currency is checked before the switch, as placement always did.
  assert.throws(() => walletPayment.admit({ kind: 'wallet', currency: 'EURO' }, { ...buyer, walletCheckout: false }), isCode('validation_error', 400));
  assert.deepEqual(await walletPayment.start({ kind: 'wallet' }, start), { status: 'paid', debit: { walletId: 7, amountMinor: 1250 } });
  assert.deepEqual(await walletPayment.start({ kind: 'wallet' }, { ...start, charged: money(0, 'EUR') }), { status: 'paid', debit: null }, 'a free order debits nothing');
});

test('deferred: charges nothing at placement, is pending with the goods held for holdSeconds from the order time, and works with wallet checkout off', async () => {
  assert.deepEqual(deferredPayment.admit({ kind: 'deferred', holdSeconds: 60 }, { ...buyer, walletCheckout: false }), { currency: 'USD' });
  assert.deepEqual(await deferredPayment.start({ kind: 'deferred', holdSeconds: 90 }, start), {
    status: 'pending',
    holdUntil: '2025-03-01T10:01:30.000Z',
    reason: 'placed; goods held until 2025-03-01T10:01:30.000Z',
  });
  await assert.rejects(deferredPayment.start({ kind: 'wallet' }, start), RangeError);
});

test('external: paid at placement with no wallet debit, whatever wallet checkout says', async () => {
  assert.deepEqual(externalPayment.admit({ kind: 'external' }, { ...buyer, walletCheckout: false }), { currency: 'USD' });
  assert.deepEqual(await externalPayment.start({ kind: 'external' }, start), { status: 'paid', debit: null });
});

test('none of the three takes a payment notification', async () => {
  for (const provider of [walletPayment, deferredPayment, externalPayment]) {
    await assert.rejects(provider.verifyNotification({ headers: {}, body: '{}' }), isCode('not_found', 404), provider.kind);
  }
});

test('the registry pairs zid orders with external payments only, finds a stored order the provider it recorded, and refuses a kind nobody provides', () => {
  const registry = standardPayments();
  assert.equal(registry.forPlacement({ kind: 'wallet' }, 'api'), walletPayment);
  assert.equal(registry.forPlacement({ kind: 'deferred', holdSeconds: 5 }, 'shop'), deferredPayment);
  assert.equal(registry.forPlacement({ kind: 'external' }, 'zid'), externalPayment);
  assert.throws(() => registry.forPlacement({ kind: 'wallet' }, 'zid'), isCode('validation_error', 400));
  assert.throws(() => registry.forPlacement({ kind: 'external' }, 'partner'), isCode('validation_error', 400));
  assert.equal(registry.forOrder({ payment_provider: 'external' }), externalPayment);
  assert.equal(registry.forOrder({ payment_provider: 'wallet' }), walletPayment);
  assert.equal(registry.forOrder({ payment_provider: 'deferred' }), deferredPayment);
  assert.throws(() => registry.forOrder({ payment_provider: 'barter' }), /no payment provider is known as barter/);
  const walletOnly = new PaymentProviders([walletPayment]);
  assert.throws(() => walletOnly.forPlacement({ kind: 'deferred', holdSeconds: 5 }, 'api'), isCode('payment_unavailable', 503));
  assert.equal(walletOnly.register(deferredPayment).forPlacement({ kind: 'deferred', holdSeconds: 5 }, 'api'), deferredPayment);
});

// The fulfilment strategies' decisions that need no database: what each claims at placement, where
// a paid order goes, and how the registry finds (or refuses) a strategy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FulfillmentStrategies, manualFulfillment, standardFulfillment, stockFulfillment, type FulfillmentStrategy } from '../../src/core/fulfillment/index.js';
import { DomainError } from '../../src/core/errors.js';

test('stock sells unique codes to a paid order, holds them for one waiting for payment, and hands out the shared code either way', () => {
  assert.equal(stockFulfillment.claim({ stock_mode: 'unique' }, 'paid'), 'sell');
  assert.equal(stockFulfillment.claim({ stock_mode: 'unique' }, 'pending'), 'hold');
  assert.equal(stockFulfillment.claim({ stock_mode: 'shared' }, 'paid'), 'shared');
  assert.equal(stockFulfillment.claim({ stock_mode: 'shared' }, 'pending'), 'shared');
  assert.deepEqual(stockFulfillment.whenPaid, { status: 'fulfilled', reason: 'delivered from stock' });
});

test('manual claims nothing at placement, whatever the payment, and a paid order waits in processing', () => {
  for (const mode of ['unique', 'shared'] as const) {
    for (const timing of ['paid', 'pending'] as const) assert.equal(manualFulfillment.claim({ stock_mode: mode }, timing), 'none');
  }
  assert.deepEqual(manualFulfillment.whenPaid, { status: 'processing', reason: 'waiting for fulfilment' });
});

test('the standard registry has stock and manual, and refuses upstream with 503 fulfillment_unavailable naming the product', () => {
  const registry = standardFulfillment();
  assert.equal(registry.strategyFor('stock', 'A'), stockFulfillment);
  assert.equal(registry.strategyFor('manual', 'A'), manualFulfillment);
  assert.throws(
    () => registry.strategyFor('upstream', 'GIFT-25'),
    (error: unknown) => error instanceof DomainError && error.code === 'fulfillment_unavailable' && error.status === 503 && error.message.startsWith('GIFT-25 '),
  );
});

test('a registered strategy fills its slot, and a later one replaces it', () => {
  const upstream = (reason: string): FulfillmentStrategy => ({
    kind: 'upstream',
    claim: () => 'none',
    whenPaid: { status: 'processing', reason },
    admit: async () => {},
    afterPlacement: async () => false,
    paymentArrived: async () => {},
    undo: async () => {},
  });
  const first = upstream('forwarded');
  const second = upstream('forwarded again');
  const registry = new FulfillmentStrategies([stockFulfillment]).register(first);
  assert.equal(registry.strategyFor('upstream', 'A'), first);
  assert.equal(registry.register(second).strategyFor('upstream', 'A'), second);
  assert.equal(registry.strategyFor('stock', 'A'), stockFulfillment);
  assert.throws(() => registry.strategyFor('manual', 'A'), DomainError);
});

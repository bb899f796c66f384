// The acts the console offers on an order follow the status machine: an act is offered exactly
// when the change it makes is one the order can still go through, for every status and fulfilment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminOrderActions, canTransition, ORDER_STATUSES } from '../../src/core/orders/index.js';
import { windowStart } from '../../src/core/dashboard/index.js';

const FULFILMENTS = ['stock', 'upstream', 'manual'] as const;

test('each act is offered exactly when the status machine allows its move', () => {
  for (const status of ORDER_STATUSES) {
    for (const fulfillment of FULFILMENTS) {
      const actions = adminOrderActions({ status, fulfillment });
      const where = `${status}/${fulfillment}`;
      assert.equal(actions.includes('cancel'), canTransition(status, 'cancelled'), where);
      assert.equal(actions.includes('reject'), canTransition(status, 'rejected') && status !== 'review', where);
      assert.equal(actions.includes('refund'), canTransition(status, 'refunded'), where);
      assert.equal(actions.includes('fulfil'), status === 'processing' && fulfillment === 'manual', where);
      assert.equal(actions.includes('approve_review'), status === 'review', where);
      assert.equal(actions.includes('reject_review'), status === 'review', where);
      assert.equal(new Set(actions).size, actions.length, `${where}: no act twice`);
    }
  }
  // An order that has ended allows nothing.
  for (const status of ['rejected', 'cancelled', 'expired', 'refunded'] as const) assert.deepEqual(adminOrderActions({ status, fulfillment: 'stock' }), []);
});

test("the dashboard's window starts at midnight UTC, today included", () => {
  const now = new Date('2026-03-01T23:59:59.999Z');
  assert.equal(windowStart(now, 1), '2026-03-01T00:00:00.000Z');
  assert.equal(windowStart(now, 2), '2026-02-28T00:00:00.000Z');
  assert.equal(windowStart(now, 14), '2026-02-16T00:00:00.000Z');
  assert.equal(windowStart(new Date('2024-03-01T00:00:00.000Z'), 2), '2024-02-29T00:00:00.000Z');
});

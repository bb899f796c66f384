import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDER_STATUSES, PARTNER_STATUS, PARTNER_STATUSES, partnerStatusOf, TRANSITIONS } from '../../src/core/orders/index.js';

test('every internal order status maps to one of seed 000’s four, as docs/partner-api.md says', () => {
  assert.deepEqual(Object.keys(PARTNER_STATUS).sort(), [...ORDER_STATUSES].sort());
  assert.deepEqual(PARTNER_STATUS, {
    awaiting_payment: 'queued',
    queued: 'queued',
    processing: 'verifying',
    review: 'verifying',
    fulfilled: 'fulfilled',
    rejected: 'rejected',
    cancelled: 'rejected',
    expired: 'rejected',
    refunded: 'rejected',
  });
  for (const status of PARTNER_STATUSES) assert.ok(Object.values(PARTNER_STATUS).includes(status), `${status} is used`);
});

test('along every allowed transition the partner status stays or moves forward, but for the three documented moves', () => {
  const rank = { queued: 0, verifying: 1, fulfilled: 2, rejected: 2 } as const;
  for (const from of ORDER_STATUSES) {
    for (const to of TRANSITIONS[from]) {
      const before = PARTNER_STATUS[from];
      const after = PARTNER_STATUS[to];
      // fulfilled → refunded: refunded after delivery. review → queued: a risk review that passes
      // puts the order back in the queue (verifying → queued). expired → queued: a shop order's
      // payment that came late (core/orders/late-payment.ts, which never revives a partner's order).
      if ((from === 'fulfilled' && to === 'refunded') || (from === 'review' && to === 'queued') || (from === 'expired' && to === 'queued')) continue;
      assert.ok(rank[after] >= rank[before], `${from} (${before}) → ${to} (${after})`);
    }
  }
});

test('an order whose fulfilment runs by itself is queued on /v1; a person verifying it is verifying', () => {
  assert.equal(partnerStatusOf({ status: 'processing', fulfillment: 'upstream' }), 'queued');
  assert.equal(partnerStatusOf({ status: 'processing', fulfillment: 'stock' }), 'queued');
  assert.equal(partnerStatusOf({ status: 'processing', fulfillment: 'manual' }), 'verifying');
  assert.equal(partnerStatusOf({ status: 'review', fulfillment: 'upstream' }), 'verifying');
  for (const status of ORDER_STATUSES.filter((s) => s !== 'processing')) {
    for (const fulfillment of ['stock', 'upstream', 'manual'] as const) assert.equal(partnerStatusOf({ status, fulfillment }), PARTNER_STATUS[status]);
  }
});

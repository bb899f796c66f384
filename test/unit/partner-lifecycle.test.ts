import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDER_STATUSES, PARTNER_STATUS, PARTNER_STATUSES, TRANSITIONS } from '../../src/core/orders/index.js';

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

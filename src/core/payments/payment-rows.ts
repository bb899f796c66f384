// A new `payments` row: what every payment Souk waits for starts as (open, waiting, nothing
// received, paying an order), with what its provider sets over it.
import type { PaymentsTable } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { newUlid } from '../ids.js';

/** A whole row for `payments`, its id a fresh ULID unless given. */
export function paymentRow(fields: Pick<PaymentsTable, 'provider' | 'asset' | 'expected_units' | 'expires_at'> & Partial<PaymentsTable>): PaymentsTable {
  const now = nowIso();
  return {
    id: newUlid(),
    external_id: null,
    order_id: null,
    address: null,
    received_units: '0',
    status: 'open',
    waiting: 1,
    refund_due: 0,
    created_at: now,
    updated_at: now,
    purpose: 'order',
    wallet_id: null,
    credit_minor: null,
    checkout: null,
    refund_status: null,
    actor: null,
    ...fields,
  };
}

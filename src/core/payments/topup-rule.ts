// The rule for a wallet top-up's payment, whoever takes it (the own-address crypto provider, a
// gateway): paid in full (or more) credits the wallet, whenever it comes (no goods can run out
// meanwhile); less keeps it waiting while it may; anything after it was credited is surplus.
import type { PaymentsTable } from '../../db/schema.js';

export interface TopUpDecision {
  status: PaymentsTable['status'];
  waiting: boolean;
  credit: boolean;
}

/** A top-up: paid in full (or more) credits the wallet, whenever it comes; less keeps it waiting while it may. */
export function decideTopUp(invoice: { expected: bigint; received: bigint; waiting: boolean; status: PaymentsTable['status'] }, units: bigint): TopUpDecision {
  const total = invoice.received + units;
  if (invoice.status === 'paid' || invoice.status === 'overpaid' || (invoice.status === 'late' && invoice.received >= invoice.expected)) {
    return { status: 'overpaid', waiting: false, credit: false };
  }
  if (total < invoice.expected) return { status: 'partial', waiting: invoice.waiting, credit: false };
  const status = !invoice.waiting ? 'late' : total === invoice.expected ? 'paid' : 'overpaid';
  return { status, waiting: false, credit: true };
}


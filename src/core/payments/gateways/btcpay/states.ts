// What a BTCPay invoice's status means to Souk (InvoiceStatus and InvoiceAdditionalStatus, as
// BTCPay's InvoiceWatcher moves them): Settled is paid (BTCPay judged it paid in full, within its
// payment tolerance, or a person marked it so: never less than the invoice's amount); Expired with
// PaidLate was paid in full after its time; New is waiting, with what came so far when PaidPartial;
// Processing is paid in full but not yet confirmed on chain: waiting; Expired is closed (with what
// came when paid in part), Invalid closed (its payments did not confirm in time).
import type { ChargeState } from '../gateway.js';
import { amountToMinor } from './amounts.js';
import type { BtcPayInvoice } from './wire.js';

/** The ChargeState of a BTCPay invoice; paymentId is the invoice id (one payment per invoice). */
export function invoiceState(invoice: BtcPayInvoice): ChargeState {
  const base = { externalId: invoice.id, currency: invoice.currency };
  const paid = amountToMinor(invoice.paidAmount ?? '0', invoice.currency) ?? 0;
  const asked = amountToMinor(invoice.amount, invoice.currency) ?? 0;
  const paidInFull = (): ChargeState => ({ ...base, outcome: 'paid', paymentId: invoice.id, paidMinor: Math.max(paid, asked) });
  const short = paid > 0 ? { paidMinor: paid } : {};
  switch (invoice.status) {
    case 'Settled':
      return paidInFull();
    case 'Expired':
      return invoice.additionalStatus === 'PaidLate' ? paidInFull() : { ...base, outcome: 'closed', ...short };
    case 'Invalid':
      return { ...base, outcome: 'closed' };
    case 'New':
      return { ...base, outcome: 'waiting', ...short };
    default:
      // Processing (paid, unconfirmed), or a status this Souk does not know: not paid yet.
      return { ...base, outcome: 'waiting' };
  }
}

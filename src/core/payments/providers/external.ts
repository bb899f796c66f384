// Paid outside Souk: the buyer paid someone else (a Zid store's checkout), so the order is paid
// when it is placed, no wallet is charged, and a refund moves no wallet money (whoever took the
// payment gives it back). Orders of a channel that is paid outside Souk (zid) take this kind, and
// only they do (registry.ts), which is how a stored order's payment is known.
import { money } from '../../money.js';
import type { PaymentProvider } from '../provider.js';
import { takesNoNotifications } from './no-notifications.js';

export const externalPayment: PaymentProvider = {
  kind: 'external',
  admit: (_request, buyer) => ({ currency: buyer.currency }),
  start: async () => ({ status: 'paid', debit: null }),
  verifyNotification: takesNoNotifications('An order paid outside Souk is placed paid'),
  lookUp: async (_db, order) => ({ status: order.payment_status, walletCharged: money(0, order.charged_currency), walletRefunded: money(0, order.charged_currency) }),
  refund: async () => {},
  abandon: async () => {},
};

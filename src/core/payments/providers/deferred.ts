// Paid later: the order is written awaiting payment with its goods held until the hold runs out,
// and the sweeper expires it if the payment has not arrived by then (confirmOrderPayment takes it
// on when it does). No wallet is charged at placement; a refund, once paid, goes to the order's
// wallet, as for a wallet payment.
import { isRequestOf, type PaymentProvider } from '../provider.js';
import { takesNoNotifications } from './no-notifications.js';
import { lookUpInWallet, refundToWallet } from './wallet.js';

export const deferredPayment: PaymentProvider = {
  kind: 'deferred',
  admit: (_request, buyer) => ({ currency: buyer.currency }),
  async start(request, { at }) {
    if (!isRequestOf(request, 'deferred')) throw new RangeError(`a ${request.kind} payment request reached the deferred provider`);
    const holdUntil = new Date(Date.parse(at) + request.holdSeconds * 1000).toISOString();
    return { status: 'pending', holdUntil, reason: `placed; goods held until ${holdUntil}` };
  },
  verifyNotification: takesNoNotifications('A deferred payment is confirmed by the shop (confirmOrderPayment)'),
  lookUp: lookUpInWallet,
  refund: refundToWallet,
  abandon: async () => {},
};

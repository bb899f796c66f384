// The own-address crypto provider as orders see it: priced in USD (converted from the shop's
// currency by placement, like balance_crypto), pending with its goods held for the request's
// `holdSeconds`; the invoice itself is opened by openCryptoInvoice once the order is written.
// A refund sends nothing on chain: the coins are recorded as owed (refund_due). Ending an unpaid
// order closes its invoice and frees its amount.
import { wireTime } from '../../../clock.js';
import { money } from '../../../money.js';
import { CRYPTO_BALANCE_CURRENCY } from '../../methods.js';
import { isRequestOf, type PaymentProvider } from '../../provider.js';
import { takesNoNotifications } from '../no-notifications.js';
import { closeOrderInvoice, markRefundDue } from './records.js';

export const cryptoPayment: PaymentProvider = {
  kind: 'crypto',
  admit: () => ({ currency: CRYPTO_BALANCE_CURRENCY }),
  async start(request, { at }) {
    if (!isRequestOf(request, 'crypto')) throw new RangeError(`a ${request.kind} payment request reached the crypto provider`);
    const holdUntil = new Date(Date.parse(at) + request.holdSeconds * 1000).toISOString();
    return { status: 'pending', holdUntil, reason: `placed; ${request.coin} payment awaited until ${wireTime(holdUntil)}` };
  },
  verifyNotification: takesNoNotifications('Own-address crypto payments are confirmed by a person (souk payment confirm) or a chain watcher'),
  lookUp: async (_db, order) => ({ status: order.payment_status, walletCharged: money(0, order.charged_currency), walletRefunded: money(0, order.charged_currency) }),
  refund: async (tx, order) => markRefundDue(tx, order.id),
  abandon: async (tx, order) => closeOrderInvoice(tx, order.id),
};

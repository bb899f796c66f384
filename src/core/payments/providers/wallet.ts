// Paid from one of the buyer's wallets, in the order's own transaction: placement debits it
// (through the wallet's conditional debit, with its ledger entry) and a refund credits it back.
import { ValidationFailed, WalletDisabled } from '../../errors.js';
import { isCurrencyCode, money } from '../../money.js';
import { orderWalletMoves, refundOrderCharge } from '../../wallets/index.js';
import { isRequestOf, type PaidOrder, type PaymentLookup, type PaymentProvider, type RefundChange } from '../provider.js';
import type { Db } from '../../../db/index.js';
import { takesNoNotifications } from './no-notifications.js';

/** A paid order's charge goes back to the wallet it is booked to. */
export async function refundToWallet(tx: Db, order: PaidOrder, change: RefundChange): Promise<void> {
  if (order.charged_minor > 0 && order.wallet_id !== null) {
    await refundOrderCharge(tx, { id: order.id, walletId: order.wallet_id, amountMinor: order.charged_minor }, change);
  }
}

/** The order's status, with what its wallet was charged and given back. */
export async function lookUpInWallet(db: Db, order: PaidOrder): Promise<PaymentLookup> {
  const moves = order.wallet_id === null ? { charged: 0, refunded: 0 } : await orderWalletMoves(db, order.wallet_id, order.id);
  return { status: order.payment_status, walletCharged: money(moves.charged, order.charged_currency), walletRefunded: money(moves.refunded, order.charged_currency) };
}

export const walletPayment: PaymentProvider = {
  kind: 'wallet',
  admit(request, buyer) {
    const currency = (isRequestOf(request, 'wallet') && request.currency?.toUpperCase()) || buyer.currency;
    if (!isCurrencyCode(currency)) throw new ValidationFailed('The wallet currency is not a currency code.', [{ field: 'payment.currency', message: 'a three-letter currency code' }]);
    if (!buyer.walletCheckout) throw new WalletDisabled();
    return { currency };
  },
  async start(_request, { walletId, charged }) {
    return { status: 'paid', debit: charged.minor > 0 ? { walletId, amountMinor: charged.minor } : null };
  },
  verifyNotification: takesNoNotifications('Wallet payments are settled in the order itself'),
  lookUp: lookUpInWallet,
  refund: refundToWallet,
  abandon: async () => {},
};

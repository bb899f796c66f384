// A gateway as orders see it (the PaymentProvider seam): charged in the gateway's currency,
// pending with its goods held for the request's `holdSeconds`; the charge itself is opened by
// GatewayPayments once the order is written. A refund is queued to go back through the gateway
// (refunds.ts); ending an unpaid order ends its charge here (the gateway closes it at its expiry).
import { nowIso, wireTime } from '../../clock.js';
import { money } from '../../money.js';
import type { PaymentProvider } from '../provider.js';
import { takesNoNotifications } from '../providers/no-notifications.js';
import type { PaymentGateway } from './gateway.js';
import { requestRefund } from './refunds.js';

/** The PaymentProvider for orders paid through `gateway`. */
export function gatewayPayment(gateway: PaymentGateway): PaymentProvider {
  return {
    kind: gateway.name,
    admit: () => ({ currency: gateway.currency }),
    async start(request, { at }) {
      if (request.kind !== gateway.name || !('holdSeconds' in request)) throw new RangeError(`a ${request.kind} payment request reached the ${gateway.name} provider`);
      const holdUntil = new Date(Date.parse(at) + request.holdSeconds * 1000).toISOString();
      return { status: 'pending', holdUntil, reason: `placed; payment through ${gateway.name} awaited until ${wireTime(holdUntil)}` };
    },
    // Notifications reach GatewayPayments at /hooks/payments/<name>, where the charge they name is found.
    verifyNotification: takesNoNotifications(`${gateway.name} notifications are taken at /hooks/payments/${gateway.name}`),
    lookUp: async (_db, order) => ({ status: order.payment_status, walletCharged: money(0, order.charged_currency), walletRefunded: money(0, order.charged_currency) }),
    refund: async (tx, order) => requestRefund(tx, gateway.name, order.id),
    async abandon(tx, order) {
      const now = nowIso();
      const waiting = tx.updateTable('payments').where('provider', '=', gateway.name).where('order_id', '=', order.id).where('waiting', '=', 1);
      await waiting.set({ status: 'expired', waiting: null, updated_at: now }).where('received_units', '=', '0').execute();
      await waiting.set({ status: 'partial', waiting: null, updated_at: now }).execute();
    },
  };
}

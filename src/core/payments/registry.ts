// Which provider takes which kind of payment: the app holds one registry (openSouk), and tests or
// the payment connectors register more. A kind nobody provides is refused, 503
// payment_unavailable, before anything is written.
import type { OrderChannel, OrdersTable } from '../../db/schema.js';
import { DomainError, ValidationFailed } from '../errors.js';
import { isPaymentKind, type PaymentKind, type PaymentProvider, type PaymentRequest } from './provider.js';
import { cryptoPayment } from './providers/crypto/index.js';
import { deferredPayment } from './providers/deferred.js';
import { externalPayment } from './providers/external.js';
import { walletPayment } from './providers/wallet.js';

/** Channels whose orders are paid before they reach Souk: their orders, and only theirs, are paid externally. */
const PAID_OUTSIDE: ReadonlySet<OrderChannel> = new Set<OrderChannel>(['zid']);

export class PaymentProviders {
  private readonly byKind = new Map<PaymentKind, PaymentProvider>();

  constructor(providers: Iterable<PaymentProvider> = []) {
    for (const provider of providers) this.register(provider);
  }

  /** Makes `provider` the one for its kind, in place of any before it. */
  register(provider: PaymentProvider): this {
    this.byKind.set(provider.kind, provider);
    return this;
  }

  /**
   * The provider for a new order's payment. A channel paid outside Souk takes only an external
   * payment and an external payment only such a channel (400 otherwise); an unprovided kind is 503.
   */
  forPlacement(request: PaymentRequest, channel: OrderChannel): PaymentProvider {
    const outside = PAID_OUTSIDE.has(channel);
    if (outside !== (request.kind === 'external')) {
      const message = outside ? `an order from ${channel} is paid outside Souk: its payment kind is external` : `only orders paid outside Souk (from ${[...PAID_OUTSIDE].join(', ')}) are external`;
      throw new ValidationFailed(`The payment does not fit the order: ${message}.`, [{ field: 'payment.kind', message }]);
    }
    return this.provider(request.kind);
  }

  /** The provider that took a stored order's payment: the one it records (`payment_provider`, written at placement). */
  forOrder(order: Pick<OrdersTable, 'payment_provider'>): PaymentProvider {
    if (!isPaymentKind(order.payment_provider)) throw new Error(`no payment provider is known as ${order.payment_provider}`);
    return this.provider(order.payment_provider);
  }

  private provider(kind: PaymentKind): PaymentProvider {
    const provider = this.byKind.get(kind);
    if (!provider) throw new DomainError('payment_unavailable', 503, `Payment by ${kind} is not available right now; try again later.`);
    return provider;
  }
}

/** The providers Souk ships: wallet, deferred, external and crypto (own addresses). */
export function standardPayments(): PaymentProviders {
  return new PaymentProviders([walletPayment, deferredPayment, externalPayment, cryptoPayment]);
}

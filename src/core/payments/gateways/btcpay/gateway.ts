// BTCPay Server as a PaymentGateway: an invoice in the store's currency for each charge (its
// metadata.orderId Souk's reference, so opening it again finds it instead of making a second),
// the buyer sent to its checkout page and shown the chosen coin's address, amount and payment URI;
// webhooks checked by BTCPay-Sig and then taken only as a hint to look the invoice up (a webhook
// carries no amount worth believing alone); refunds made as pull payments the buyer claims.
import { GatewayUnavailable, NotificationRefused } from '../errors.js';
import type { ChargeState, GatewayCharge, GatewayNotice, GatewayRefund, NoticeAnswer, OpenedCharge, PaymentGateway, RefundResult, VerifiedNotice } from '../gateway.js';
import type { Coin } from '../../methods.js';
import { expirationMinutes, minorToAmount } from './amounts.js';
import type { BtcPaySettings } from './settings.js';
import { isGenuineSignature } from './signature.js';
import { invoiceState } from './states.js';
import { GreenfieldClient, GreenfieldRefusal, type BtcPayInvoice } from './wire.js';

/** An invoice id as BTCPay makes them (base58, about 22 characters). */
const INVOICE_ID = /^[A-Za-z0-9]{1,64}$/;

export class BtcPayGateway implements PaymentGateway {
  readonly name = 'btcpay' as const;
  readonly method = 'crypto' as const;
  readonly currency: string;
  readonly coins: readonly Coin[];
  private readonly client: GreenfieldClient;

  constructor(
    private readonly settings: BtcPaySettings,
    timeoutMs: number,
  ) {
    this.currency = settings.currency;
    this.coins = settings.coins.map((c) => c.coin);
    this.client = new GreenfieldClient(settings, timeoutMs);
  }

  private paymentMethodOf(coin: Coin | undefined): string {
    const taken = coin ? this.settings.coins.find((c) => c.coin === coin) : this.settings.coins[0];
    if (!taken) throw new GatewayUnavailable('btcpay', `the store does not take ${coin}`);
    return taken.paymentMethodId;
  }

  /** Finds the invoice opened with this reference, else creates it. */
  private async invoiceFor(charge: GatewayCharge, paymentMethodId: string): Promise<BtcPayInvoice> {
    const [existing] = await this.client.invoicesOfOrder(charge.reference);
    if (existing) return existing;
    return this.client.createInvoice({
      amount: minorToAmount(charge.amountMinor, this.currency),
      currency: this.currency,
      metadata: { orderId: charge.reference, itemDesc: charge.subject.slice(0, 200) },
      checkout: {
        paymentMethods: [paymentMethodId],
        defaultPaymentMethod: paymentMethodId,
        expirationMinutes: expirationMinutes(charge.expiresAt),
        ...(charge.returnUrl ? { redirectURL: charge.returnUrl } : {}),
      },
    });
  }

  /** Opens the invoice (charge.notifyUrl is not sent: BTCPay posts to the store's webhook, set up once in BTCPay). */
  async open(charge: GatewayCharge): Promise<OpenedCharge> {
    if (charge.currency !== this.currency) throw new GatewayUnavailable('btcpay', `the store invoices in ${this.currency}, not ${charge.currency.slice(0, 3)}`);
    const paymentMethodId = this.paymentMethodOf(charge.coin);
    const invoice = await this.invoiceFor(charge, paymentMethodId);
    const opened: OpenedCharge = { externalId: invoice.id, ...(invoice.checkoutLink ? { checkoutUrl: invoice.checkoutLink } : {}) };
    // Where to pay in the coin, when BTCPay has it ready (a store with lazy payment methods activates
    // them on the checkout page): the checkout link alone is enough to pay.
    const method = await this.client.paymentMethods(invoice.id).then(
      (methods) => methods.find((m) => m.paymentMethodId === paymentMethodId && m.activated !== false && m.destination),
      () => undefined,
    );
    if (method?.destination) opened.address = method.destination;
    if (method?.amount) opened.amount = method.amount;
    if (method?.paymentLink) opened.uri = method.paymentLink;
    if (!opened.checkoutUrl && !opened.address) throw new GatewayUnavailable('btcpay', 'the invoice has no checkout link');
    return opened;
  }

  async verify(notice: GatewayNotice): Promise<VerifiedNotice> {
    if (!isGenuineSignature(notice.headers['btcpay-sig'], notice.body, this.settings.webhookSecret)) {
      throw new NotificationRefused('btcpay', 'the BTCPay-Sig signature does not check');
    }
    let event: unknown;
    try {
      event = JSON.parse(notice.body);
    } catch {
      throw new NotificationRefused('btcpay', 'the body is not JSON');
    }
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') throw new NotificationRefused('btcpay', 'the body is not a webhook event');
    const { type, storeId, invoiceId } = event as { type: string; storeId?: unknown; invoiceId?: unknown };
    // Only invoice events speak of a payment; InvoiceCreated says nothing yet.
    if (!type.startsWith('Invoice') || type === 'InvoiceCreated') return null;
    if (storeId !== this.settings.storeId) throw new NotificationRefused('btcpay', 'it is for another store');
    if (typeof invoiceId !== 'string' || !INVOICE_ID.test(invoiceId)) throw new NotificationRefused('btcpay', 'it names no invoice');
    try {
      return await this.lookUp(invoiceId);
    } catch (error) {
      if (!(error instanceof GatewayUnavailable)) throw error;
      // Not accepted: BTCPay delivers it again, and the lookup sweep asks meanwhile.
      throw new NotificationRefused('btcpay', `the invoice could not be looked up now (${error.message})`);
    }
  }

  answer(accepted: boolean): NoticeAnswer {
    return accepted ? { status: 200, contentType: 'text/plain', body: 'ok' } : { status: 400, contentType: 'text/plain', body: 'refused' };
  }

  async lookUp(externalId: string): Promise<ChargeState> {
    const invoice = INVOICE_ID.test(externalId) ? await this.client.invoice(externalId) : undefined;
    // BTCPay has no such invoice (in this store): it will never be paid.
    if (!invoice || (invoice.storeId !== undefined && invoice.storeId !== this.settings.storeId)) return { externalId, outcome: 'closed' };
    return invoiceState(invoice);
  }

  /**
   * BTCPay cannot send money back by itself: it makes a pull payment (named by the refund's
   * reference, so asking again finds it) that the buyer claims on its page with an address of
   * theirs, and the store approves. So the refund is owed until then, and its page is where.
   */
  async refund(externalId: string, refund: GatewayRefund): Promise<RefundResult> {
    const name = `Souk refund ${refund.reference}`;
    const made = (await this.client.pullPayments()).find((p) => p.name === name);
    if (made) return { outcome: 'owed', ...(made.viewLink ? { claimUrl: made.viewLink } : {}) };
    try {
      const pull = await this.client.refundInvoice(externalId, {
        name,
        description: refund.reason.slice(0, 200),
        refundVariant: 'Custom',
        customAmount: minorToAmount(refund.amountMinor, refund.currency),
        customCurrency: refund.currency,
      });
      return { outcome: 'owed', ...(pull.viewLink ? { claimUrl: pull.viewLink } : {}) };
    } catch (error) {
      // BTCPay will not refund this invoice (non-refundable, or a request it finds invalid): still owed, paid back by hand.
      if (error instanceof GreenfieldRefusal && (error.httpStatus === 400 || error.httpStatus === 422)) return { outcome: 'owed' };
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.client.checkStore();
  }
}

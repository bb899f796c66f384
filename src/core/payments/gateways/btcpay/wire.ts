// BTCPay Server's Greenfield API as Souk calls it: JSON over HTTPS, `Authorization: token <key>`,
// a deadline per call, redirects never followed. What BTCPay answers is read as the documents of
// its swagger (InvoiceData, InvoicePaymentMethodDataModel, PullPaymentData); anything else, or a
// call that fails, is GatewayUnavailable whose message names the host and status only: the key
// never leaves this file except in the header.
import { GatewayUnavailable } from '../errors.js';
import type { BtcPaySettings } from './settings.js';
import { readCapped } from '../../../../platform/read-capped.js';

/** The most of one answer read (a page of invoices or pull payments). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** BTCPay's invoice statuses and additional statuses (InvoiceStatus, InvoiceAdditionalStatus). */
export type InvoiceStatus = 'New' | 'Processing' | 'Expired' | 'Invalid' | 'Settled';
export type InvoiceAdditionalStatus = 'None' | 'PaidLate' | 'PaidPartial' | 'Marked' | 'Invalid' | 'PaidOver';

/** The fields of InvoiceData Souk reads. */
export interface BtcPayInvoice {
  id: string;
  storeId?: string;
  amount: string;
  paidAmount?: string;
  currency: string;
  checkoutLink?: string;
  status: InvoiceStatus | string;
  additionalStatus?: InvoiceAdditionalStatus | string;
  metadata?: { orderId?: unknown } & Record<string, unknown>;
}

/** The fields of InvoicePaymentMethodDataModel Souk reads. */
export interface BtcPayPaymentMethod {
  paymentMethodId: string;
  currency?: string;
  destination?: string;
  paymentLink?: string | null;
  amount?: string;
  activated?: boolean;
}

/** The fields of PullPaymentData Souk reads. */
export interface BtcPayPullPayment {
  id: string;
  name?: string;
  viewLink?: string;
}

/** An answer BTCPay gave with a status other than 2xx: its status and Greenfield error code, if it had one. */
export class GreenfieldRefusal extends GatewayUnavailable {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string | undefined,
  ) {
    const said = `HTTP ${httpStatus}${errorCode ? ` ${errorCode}` : ''}`;
    super('btcpay', httpStatus === 401 || httpStatus === 403 ? `it refused Souk's API key (${said})` : `it answered ${said}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The Greenfield API of one store. */
export class GreenfieldClient {
  constructor(
    private readonly settings: BtcPaySettings,
    private readonly timeoutMs: number,
  ) {}

  private get store(): string {
    return `/api/v1/stores/${encodeURIComponent(this.settings.storeId)}`;
  }

  /** One call; its JSON answer, or GatewayUnavailable (GreenfieldRefusal for a non-2xx answer). */
  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `token ${this.settings.apiKey}`,
          'user-agent': 'Souk-BTCPay/1',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
        signal,
      });
      text = await readCapped(response.body, MAX_ANSWER_BYTES, () => new GatewayUnavailable('btcpay', 'its answer is too large'));
    } catch (error) {
      if (error instanceof GatewayUnavailable) throw error;
      throw new GatewayUnavailable('btcpay', signal.aborted ? `no answer within ${this.timeoutMs} ms` : `${new URL(this.settings.url).host} could not be reached`);
    }
    let json: unknown;
    try {
      json = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    if (response.status < 200 || response.status > 299) {
      const code = isObject(json) && typeof json.code === 'string' ? json.code.slice(0, 60).replace(/[^A-Za-z0-9_-]/g, '') : undefined;
      throw new GreenfieldRefusal(response.status, code);
    }
    if (json === undefined) throw new GatewayUnavailable('btcpay', 'it answered something that is not JSON');
    return json;
  }

  private static invoice(value: unknown): BtcPayInvoice {
    if (!isObject(value) || typeof value.id !== 'string' || typeof value.status !== 'string' || typeof value.currency !== 'string' || (typeof value.amount !== 'string' && typeof value.amount !== 'number')) {
      throw new GatewayUnavailable('btcpay', 'it answered something that is not an invoice');
    }
    return { ...(value as unknown as BtcPayInvoice), amount: String(value.amount) };
  }

  /** POST /api/v1/stores/{storeId}/invoices. */
  async createInvoice(request: Record<string, unknown>): Promise<BtcPayInvoice> {
    return GreenfieldClient.invoice(await this.call('POST', `${this.store}/invoices`, request));
  }

  /** GET /api/v1/stores/{storeId}/invoices?orderId=…: the store's invoices whose metadata.orderId is `orderId`. */
  async invoicesOfOrder(orderId: string): Promise<BtcPayInvoice[]> {
    const answer = await this.call('GET', `${this.store}/invoices?orderId=${encodeURIComponent(orderId)}&includeArchived=true`);
    if (!Array.isArray(answer)) throw new GatewayUnavailable('btcpay', 'it answered something that is not a list of invoices');
    return answer.map((item) => GreenfieldClient.invoice(item)).filter((invoice) => invoice.metadata?.orderId === orderId);
  }

  /** GET /api/v1/stores/{storeId}/invoices/{invoiceId}; undefined when BTCPay has no such invoice (404 invoice-not-found). */
  async invoice(invoiceId: string): Promise<BtcPayInvoice | undefined> {
    try {
      return GreenfieldClient.invoice(await this.call('GET', `${this.store}/invoices/${encodeURIComponent(invoiceId)}`));
    } catch (error) {
      if (error instanceof GreenfieldRefusal && error.httpStatus === 404 && error.errorCode === 'invoice-not-found') return undefined;
      throw error;
    }
  }

  /** GET /api/v1/stores/{storeId}/invoices/{invoiceId}/payment-methods. */
  async paymentMethods(invoiceId: string): Promise<BtcPayPaymentMethod[]> {
    const answer = await this.call('GET', `${this.store}/invoices/${encodeURIComponent(invoiceId)}/payment-methods`);
    if (!Array.isArray(answer)) throw new GatewayUnavailable('btcpay', 'it answered something that is not a list of payment methods');
    return answer.filter((item): item is BtcPayPaymentMethod => isObject(item) && typeof item.paymentMethodId === 'string');
  }

  /** POST /api/v1/stores/{storeId}/invoices/{invoiceId}/refund: a pull payment the buyer claims. */
  async refundInvoice(invoiceId: string, request: Record<string, unknown>): Promise<BtcPayPullPayment> {
    const answer = await this.call('POST', `${this.store}/invoices/${encodeURIComponent(invoiceId)}/refund`, request);
    if (!isObject(answer) || typeof answer.id !== 'string') throw new GatewayUnavailable('btcpay', 'it answered something that is not a pull payment');
    return answer as unknown as BtcPayPullPayment;
  }

  /** GET /api/v1/stores/{storeId}/pull-payments?includeArchived=true. */
  async pullPayments(): Promise<BtcPayPullPayment[]> {
    const answer = await this.call('GET', `${this.store}/pull-payments?includeArchived=true`);
    if (!Array.isArray(answer)) throw new GatewayUnavailable('btcpay', 'it answered something that is not a list of pull payments');
    return answer.filter((item): item is BtcPayPullPayment => isObject(item) && typeof item.id === 'string');
  }

  /** GET /api/v1/stores/{storeId}: the store, if the key may see it. */
  async checkStore(): Promise<void> {
    const answer = await this.call('GET', this.store);
    if (!isObject(answer)) throw new GatewayUnavailable('btcpay', 'it answered something that is not a store');
  }
}

// A BTCPay Server fake (one store), written from BTCPay's Greenfield API documents (the swagger
// templates under BTCPayServer/wwwroot/swagger/v1: invoices, pull-payments, stores, webhooks) and
// its controllers where the documents are silent (GreenfieldInvoiceController, InvoiceWatcher,
// WebhookSender). Its quirks, as BTCPay has them:
// - `Authorization: token <key>`; no or a wrong key is 401 `unauthenticated`, another store 403.
// - Amounts are decimal strings; checkout.expirationMinutes a whole number (BTCPay's TimeSpan
//   converter takes only an integer token) of at least one; payment method ids it knows only.
//   Validation errors are 422 with [{path, message}]; API errors 400 with {code, message}.
// - GET /invoices?orderId= finds invoices by metadata.orderId; invoices at /stores/{id}/invoices/{id}
//   and /invoices/{id}; an unknown one is 404 `invoice-not-found`.
// - Statuses move as InvoiceWatcher moves them: New → Processing when paid in full (PaidOver when
//   more), New + PaidPartial when less, Processing → Settled when confirmed, New → Expired (keeping
//   PaidPartial), Expired + PaidLate when paid in full after. paidAmount is rounded to the currency.
// - A refund is a pull payment (name given, or "Refund <invoiceId>"): only a Settled or Invalid
//   invoice, or an Expired one paid late, over or in part, can be refunded (400 `non-refundable`).
// - Webhooks are posted as BTCPay's WebhookSender does: JSON, `BTCPay-Sig: sha256=<hex HMAC-SHA256
//   of the body with the secret>`; any 2xx is success.
// What Souk sends that BTCPay would refuse, or that Souk should not send, is noted in `problems`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const base58Id = (length: number) => Array.from(randomBytes(length), (b) => BASE58[b % 58]).join('');

export type FakeInvoiceStatus = 'New' | 'Processing' | 'Expired' | 'Invalid' | 'Settled';

export interface FakeInvoice {
  id: string;
  storeId: string;
  /** The invoice's amount and what was paid, in minor units of its currency (cents). */
  amountMinor: number;
  paidMinor: number;
  currency: string;
  status: FakeInvoiceStatus;
  additionalStatus: 'None' | 'PaidLate' | 'PaidPartial' | 'Marked' | 'Invalid' | 'PaidOver';
  metadata: Record<string, unknown>;
  checkout: Record<string, unknown>;
  paymentMethods: string[];
  /** Per payment method: the address generated for this invoice. */
  destinations: Record<string, string>;
  createdTime: number;
  expirationTime: number;
}

export interface FakePullPayment {
  id: string;
  name: string;
  description: string;
  currency: string;
  amount: string;
  invoiceId: string;
  archived: boolean;
}

export interface FakeBtcPayOptions {
  apiKey?: string;
  storeId?: string;
  webhookSecret?: string;
  /** The store's default currency. */
  currency?: string;
  /** The payment methods the store has, with the rate of their coin in the store currency (whole numbers). */
  rates?: Record<string, number>;
}

const DECIMAL = /^\d{1,20}(\.\d{1,20})?$/;
const REFUND_VARIANTS = ['RateThen', 'CurrentRate', 'OverpaidAmount', 'Fiat', 'Custom'];

export class FakeBtcPay {
  readonly apiKey: string;
  readonly storeId: string;
  readonly webhookSecret: string;
  readonly currency: string;
  readonly rates: Record<string, number>;
  readonly invoices = new Map<string, FakeInvoice>();
  readonly pullPayments: FakePullPayment[] = [];
  /** Every request: method, path (with query) and the Authorization header it came with. */
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined }> = [];
  readonly problems: string[] = [];
  /** up · error500: every answer 500 · hang: never answers · down: drops every connection. */
  mode: 'up' | 'error500' | 'hang' | 'down' = 'up';
  /** Where the store's webhook posts (Souk's /hooks/payments/btcpay). */
  webhookUrl: string | undefined;
  url = '';
  private server!: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(options: FakeBtcPayOptions) {
    this.apiKey = options.apiKey ?? `key${randomBytes(16).toString('hex')}`;
    this.storeId = options.storeId ?? base58Id(44);
    this.webhookSecret = options.webhookSecret ?? randomBytes(24).toString('base64url');
    this.currency = options.currency ?? 'USD';
    this.rates = options.rates ?? { 'BTC-CHAIN': 50_000 };
  }

  static async start(options: FakeBtcPayOptions = {}): Promise<FakeBtcPay> {
    const fake = new FakeBtcPay(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- What the test makes happen at BTCPay -------------------------------------------------

  private must(invoiceId: string): FakeInvoice {
    const invoice = this.invoices.get(invoiceId);
    if (!invoice) throw new Error(`the fake has no invoice ${invoiceId}`);
    return invoice;
  }

  /** The invoice opened with Souk's reference (metadata.orderId). */
  invoiceOf(orderId: string): FakeInvoice | undefined {
    return [...this.invoices.values()].find((i) => i.metadata.orderId === orderId);
  }

  /** The buyer pays `minor` (store currency) more; the invoice moves as InvoiceWatcher moves it. */
  pay(invoiceId: string, minor: number): FakeInvoice {
    const invoice = this.must(invoiceId);
    invoice.paidMinor += minor;
    const full = invoice.paidMinor >= invoice.amountMinor;
    if (invoice.status === 'New') {
      if (full) {
        invoice.status = 'Processing';
        invoice.additionalStatus = invoice.paidMinor > invoice.amountMinor ? 'PaidOver' : 'None';
      } else invoice.additionalStatus = 'PaidPartial';
    } else if (invoice.status === 'Expired') {
      invoice.additionalStatus = full ? 'PaidLate' : 'PaidPartial';
    } else if (invoice.status === 'Processing' || invoice.status === 'Settled') {
      if (invoice.paidMinor > invoice.amountMinor) invoice.additionalStatus = 'PaidOver';
    }
    return invoice;
  }

  /** The payments confirm: Processing → Settled. */
  confirm(invoiceId: string): FakeInvoice {
    const invoice = this.must(invoiceId);
    if (invoice.status === 'Processing') invoice.status = 'Settled';
    return invoice;
  }

  /** Pays in full and confirms at once. */
  settle(invoiceId: string, minor?: number): FakeInvoice {
    const invoice = this.must(invoiceId);
    this.pay(invoiceId, minor ?? invoice.amountMinor - invoice.paidMinor);
    return this.confirm(invoiceId);
  }

  /** The invoice's time runs out unpaid (or paid in part: it keeps PaidPartial). */
  expire(invoiceId: string): FakeInvoice {
    const invoice = this.must(invoiceId);
    if (invoice.status === 'New') invoice.status = 'Expired';
    return invoice;
  }

  /** The webhook event BTCPay sends for the invoice, as its WebhookSender writes it. */
  event(type: string, invoiceId: string, extra: Record<string, unknown> = {}): string {
    const invoice = this.invoices.get(invoiceId);
    const deliveryId = base58Id(22);
    return JSON.stringify({
      deliveryId,
      webhookId: 'Wh' + base58Id(20),
      originalDeliveryId: deliveryId,
      isRedelivery: false,
      type,
      timestamp: Math.floor(Date.now() / 1000),
      storeId: invoice?.storeId ?? this.storeId,
      invoiceId,
      metadata: invoice?.metadata ?? {},
      ...extra,
    });
  }

  /** BTCPay-Sig of `body` (with the store's secret unless another is given). */
  sign(body: string, secret = this.webhookSecret): string {
    return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex')}`;
  }

  /** Posts a body to the webhook URL as BTCPay does; the signature is the genuine one unless given. */
  async post(body: string, signature = this.sign(body)): Promise<{ status: number; body: string }> {
    if (!this.webhookUrl) throw new Error('the fake has no webhook URL');
    const response = await fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'btcpay-sig': signature, 'user-agent': 'BTCPayServer' }, body });
    return { status: response.status, body: await response.text() };
  }

  /** Sends the webhook `type` for the invoice, signed. */
  deliver(type: string, invoiceId: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: string }> {
    return this.post(this.event(type, invoiceId, extra));
  }

  // ---- The Greenfield API --------------------------------------------------------------------

  private decimals(currency: string): number {
    return ['JPY', 'KRW', 'VND'].includes(currency) ? 0 : 2;
  }

  private format(minor: number, currency: string): string {
    const d = this.decimals(currency);
    if (d === 0) return String(minor);
    const sign = minor < 0 ? '-' : '';
    const digits = String(Math.abs(minor)).padStart(d + 1, '0');
    return `${sign}${digits.slice(0, -d)}.${digits.slice(-d)}`;
  }

  private toMinor(amount: string, currency: string): number {
    const [whole = '0', fraction = ''] = amount.split('.');
    const d = this.decimals(currency);
    return Number(whole) * 10 ** d + Number(fraction.padEnd(d, '0').slice(0, d) || '0');
  }

  /** The coin amount for `minor` of the store currency at the method's rate, 8 decimals, rounded up. */
  private coinAmount(minor: number, paymentMethodId: string): string {
    const rate = BigInt(this.rates[paymentMethodId]!);
    const sats = (BigInt(minor) * 10n ** 8n + rate * 100n - 1n) / (rate * 100n);
    return `${sats / 10n ** 8n}.${String(sats % 10n ** 8n).padStart(8, '0')}`;
  }

  private invoiceData(invoice: FakeInvoice): Record<string, unknown> {
    return {
      id: invoice.id,
      storeId: invoice.storeId,
      amount: this.format(invoice.amountMinor, invoice.currency),
      paidAmount: this.format(invoice.paidMinor, invoice.currency),
      currency: invoice.currency,
      type: 'Standard',
      checkoutLink: `${this.url}/i/${invoice.id}`,
      createdTime: invoice.createdTime,
      expirationTime: invoice.expirationTime,
      monitoringExpiration: invoice.expirationTime + 86_400,
      status: invoice.status,
      additionalStatus: invoice.additionalStatus,
      availableStatusesForManualMarking: invoice.status === 'Settled' ? ['Invalid'] : ['Settled', 'Invalid'],
      archived: false,
      metadata: invoice.metadata,
      checkout: invoice.checkout,
      receipt: { enabled: null, showQR: null, showPayments: null },
    };
  }

  private paymentMethodData(invoice: FakeInvoice): Array<Record<string, unknown>> {
    return invoice.paymentMethods.map((id) => {
      const amount = this.coinAmount(invoice.amountMinor, id);
      const destination = invoice.destinations[id]!;
      return {
        paymentMethodId: id,
        currency: id.split('-')[0],
        destination,
        paymentLink: `bitcoin:${destination}?amount=${amount}`,
        rate: `${this.rates[id]}.00`,
        paymentMethodPaid: this.coinAmount(invoice.paidMinor, id),
        totalPaid: this.coinAmount(invoice.paidMinor, id),
        due: this.coinAmount(Math.max(0, invoice.amountMinor - invoice.paidMinor), id),
        amount,
        paymentMethodFee: '0.00000000',
        payments: [],
        activated: true,
        additionalData: { keyPath: '0/1', payjoinEnabled: false },
      };
    });
  }

  private pullPaymentData(pull: FakePullPayment): Record<string, unknown> {
    return { id: pull.id, name: pull.name, description: pull.description, currency: pull.currency, amount: pull.amount, BOLT11Expiration: '30', autoApproveClaims: false, archived: pull.archived, viewLink: `${this.url}/pull-payments/${pull.id}` };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const authorization = req.headers.authorization;
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', authorization });
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (this.mode === 'error500') return send(500, { code: 'internal-error', message: 'Something went wrong' });
    const url = new URL(req.url ?? '/', this.url);
    if (!url.pathname.startsWith('/api/v1/')) return send(404, { code: 'not-found', message: 'Not found' });
    if (authorization !== `token ${this.apiKey}`) {
      if (authorization && !authorization.startsWith('token ')) this.problems.push(`the Authorization header is not "token <key>"`);
      return send(401, { code: 'unauthenticated', message: 'Authentication is required for accessing this endpoint' });
    }
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) this.problems.push(`${url.pathname}: the body is not sent as application/json`);
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(422, [{ path: '', message: 'Invalid JSON' }]);
      }
    }
    const storeMatch = /^\/api\/v1\/stores\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (storeMatch && decodeURIComponent(storeMatch[1]!) !== this.storeId) return send(403, { code: 'missing-permission', message: 'Insufficient API Permissions. Please use an API key with permission: btcpay.store.canviewinvoices' });
    const rest = storeMatch ? (storeMatch[2] ?? '') : url.pathname.replace(/^\/api\/v1/, '');
    const invoiceMatch = /^\/invoices\/([^/]+)(\/.*)?$/.exec(rest);
    const invoice = invoiceMatch ? this.invoices.get(decodeURIComponent(invoiceMatch[1]!)) : undefined;

    if (storeMatch && rest === '' && req.method === 'GET') {
      return send(200, { id: this.storeId, name: 'Fake store', website: null, defaultCurrency: this.currency, invoiceExpiration: 900, monitoringExpiration: 1440, speedPolicy: 'MediumSpeed', archived: false });
    }
    if (storeMatch && rest === '/invoices' && req.method === 'POST') return this.createInvoice(body, send);
    if (storeMatch && rest === '/invoices' && req.method === 'GET') {
      const orderIds = url.searchParams.getAll('orderId');
      const list = [...this.invoices.values()].filter((i) => orderIds.length === 0 || orderIds.includes(String(i.metadata.orderId)));
      return send(200, list.map((i) => this.invoiceData(i)));
    }
    if (storeMatch && rest === '/pull-payments' && req.method === 'GET') {
      const archived = url.searchParams.get('includeArchived') === 'true';
      return send(200, this.pullPayments.filter((p) => archived || !p.archived).map((p) => this.pullPaymentData(p)));
    }
    if (invoiceMatch) {
      if (!invoice) return send(404, { code: 'invoice-not-found', message: 'The invoice was not found' });
      const tail = invoiceMatch[2] ?? '';
      if (tail === '' && req.method === 'GET') return send(200, this.invoiceData(invoice));
      if (tail === '/payment-methods' && req.method === 'GET') return send(200, this.paymentMethodData(invoice));
      if (tail === '/refund' && req.method === 'POST') return this.refund(invoice, body, send);
    }
    return send(404, { code: 'not-found', message: 'Not found' });
  }

  private createInvoice(body: Record<string, unknown>, send: (status: number, body: unknown) => void): void {
    const errors: Array<{ path: string; message: string }> = [];
    const { amount, currency, metadata, checkout, ...others } = body as { amount?: unknown; currency?: unknown; metadata?: unknown; checkout?: unknown };
    for (const key of Object.keys(others)) if (!['receipt', 'additionalSearchTerms'].includes(key)) this.problems.push(`CreateInvoiceRequest has no property ${key}`);
    if (typeof amount !== 'string') {
      this.problems.push('amount is not a decimal string');
      errors.push({ path: 'amount', message: 'The amount should be a decimal string' });
    } else if (!DECIMAL.test(amount)) errors.push({ path: 'amount', message: 'The amount should be 0 or more.' });
    const invoiceCurrency = typeof currency === 'string' && currency ? currency.toUpperCase() : this.currency;
    if (typeof amount === 'string' && DECIMAL.test(amount) && (amount.split('.')[1] ?? '').length > this.decimals(invoiceCurrency)) this.problems.push(`amount ${amount} has more decimals than ${invoiceCurrency}`);
    const meta = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<string, unknown>;
    if (typeof meta.orderId !== 'string') this.problems.push('metadata.orderId is missing');
    const options = (typeof checkout === 'object' && checkout !== null ? checkout : {}) as Record<string, unknown>;
    const known = ['speedPolicy', 'paymentMethods', 'defaultPaymentMethod', 'lazyPaymentMethods', 'expirationMinutes', 'monitoringMinutes', 'paymentTolerance', 'redirectURL', 'redirectAutomatically', 'defaultLanguage'];
    for (const key of Object.keys(options)) if (!known.includes(key)) this.problems.push(`CheckoutOptions has no property ${key}`);
    let methods = Object.keys(this.rates);
    if (options.paymentMethods !== undefined && options.paymentMethods !== null) {
      if (!Array.isArray(options.paymentMethods)) errors.push({ path: 'checkout.paymentMethods', message: 'Invalid PaymentMethodId' });
      else {
        options.paymentMethods.forEach((pm, i) => {
          if (typeof pm !== 'string' || !(pm in this.rates)) errors.push({ path: `checkout.paymentMethods[${i}]`, message: 'Invalid PaymentMethodId' });
        });
        methods = options.paymentMethods.filter((pm): pm is string => typeof pm === 'string');
      }
    }
    let minutes = 15;
    if (options.expirationMinutes !== undefined && options.expirationMinutes !== null) {
      if (typeof options.expirationMinutes !== 'number' || !Number.isInteger(options.expirationMinutes)) {
        this.problems.push('checkout.expirationMinutes is not a whole number');
        errors.push({ path: 'checkout.expirationMinutes', message: 'Invalid minutes' });
      } else if (options.expirationMinutes * 60 < 30) errors.push({ path: 'checkout.expirationMinutes', message: 'Expiration time must be at least 30 seconds' });
      else minutes = options.expirationMinutes;
    }
    if (options.redirectURL !== undefined && typeof options.redirectURL !== 'string') errors.push({ path: 'checkout.redirectURL', message: 'Invalid URL' });
    if (errors.length > 0) return send(422, errors);
    const now = Math.floor(Date.now() / 1000);
    const invoice: FakeInvoice = {
      id: base58Id(22),
      storeId: this.storeId,
      amountMinor: this.toMinor(amount as string, invoiceCurrency),
      paidMinor: 0,
      currency: invoiceCurrency,
      status: 'New',
      additionalStatus: 'None',
      metadata: meta,
      checkout: options,
      paymentMethods: methods,
      destinations: Object.fromEntries(methods.map((m) => [m, `bc1q${randomBytes(19).toString('hex').slice(0, 38)}`])),
      createdTime: now,
      expirationTime: now + minutes * 60,
    };
    this.invoices.set(invoice.id, invoice);
    send(200, this.invoiceData(invoice));
  }

  private refund(invoice: FakeInvoice, body: Record<string, unknown>, send: (status: number, body: unknown) => void): void {
    const refundable = invoice.status === 'Settled' || invoice.status === 'Invalid' || (invoice.status === 'Expired' && ['PaidLate', 'PaidOver', 'PaidPartial'].includes(invoice.additionalStatus));
    if (!refundable) return send(400, { code: 'non-refundable', message: 'Cannot refund this invoice' });
    const errors: Array<{ path: string; message: string }> = [];
    const variant = body.refundVariant;
    if (typeof variant !== 'string' || !REFUND_VARIANTS.includes(variant)) errors.push({ path: 'refundVariant', message: '`refundVariant` is mandatory' });
    if (variant !== 'Custom' && (body.customAmount !== undefined || body.customCurrency !== undefined)) errors.push({ path: 'customAmount', message: 'CustomAmount should only be set if the refundVariant is Custom' });
    if (variant === 'Custom') {
      if (typeof body.customAmount !== 'string' || !DECIMAL.test(body.customAmount) || Number(body.customAmount) <= 0) errors.push({ path: 'customAmount', message: 'Amount must be greater than 0' });
      if (typeof body.customCurrency !== 'string' || !/^[A-Z]{3,5}$/.test(body.customCurrency)) errors.push({ path: 'customCurrency', message: 'Invalid currency' });
    }
    if (errors.length > 0) return send(422, errors);
    const method = invoice.paymentMethods[0]!;
    const pull: FakePullPayment = {
      id: base58Id(22),
      name: typeof body.name === 'string' && body.name ? body.name : `Refund ${invoice.id}`,
      description: typeof body.description === 'string' ? body.description : '',
      currency: variant === 'Custom' ? (body.customCurrency as string) : variant === 'Fiat' ? invoice.currency : method.split('-')[0]!,
      amount: variant === 'Custom' ? (body.customAmount as string) : variant === 'Fiat' ? this.format(invoice.paidMinor, invoice.currency) : this.coinAmount(invoice.paidMinor, method),
      invoiceId: invoice.id,
      archived: false,
    };
    this.pullPayments.push(pull);
    send(200, this.pullPaymentData(pull));
  }
}

// Alipay (支付宝) as a payment gateway: a charge is a trade whose out_trade_no is Souk's reference,
// paid by scanning a QR code (alipay.trade.precreate, 当面付) or on Alipay's checkout page
// (alipay.trade.page.pay, 电脑网站支付), in CNY. Alipay tells of a payment by an asynchronous
// notification (a signed form, answered with the text `success`), and answers alipay.trade.query;
// a refund (alipay.trade.refund) is keyed by Souk's refund reference, so asking twice refunds once.
import { GatewayUnavailable, NotificationRefused } from '../errors.js';
import type { ChargeState, GatewayCharge, GatewayNotice, GatewayRefund, NoticeAnswer, OpenedCharge, PaymentGateway, RefundOutcome, VerifiedNotice } from '../gateway.js';
import { AlipayClient, SUCCESS, type AlipayAnswer } from './client.js';
import type { AlipaySettings } from './settings.js';
import { beijingTime, fenOf, isTradeNumber, outcomeOf, timeoutExpress, yuanOf } from './wire.js';

const FORM = 'application/x-www-form-urlencoded';
/** Alipay's trade notifications carry a few dozen fields; a body far larger is not one. */
const MAX_NOTICE_BYTES = 16_384;

/** The trade of a charge as a lookup or notification reports it. */
function stateOf(reference: string, fields: Record<string, unknown>, refunded: boolean): ChargeState | undefined {
  const outcome = outcomeOf(typeof fields.trade_status === 'string' ? fields.trade_status : undefined, refunded);
  if (!outcome) return undefined;
  if (outcome !== 'paid') return { externalId: reference, outcome };
  const tradeNo = typeof fields.trade_no === 'string' ? fields.trade_no : undefined;
  // total_amount is what the trade charged (Alipay has no part payments); receipt_amount and
  // buyer_pay_amount differ from it only by Alipay's or the shop's own promotions.
  const paidMinor = fenOf(typeof fields.total_amount === 'string' ? fields.total_amount : undefined);
  if (!tradeNo || paidMinor === undefined) return undefined;
  return { externalId: reference, outcome, paymentId: tradeNo, paidMinor, currency: 'CNY' };
}

export class AlipayGateway implements PaymentGateway {
  readonly name = 'alipay' as const;
  readonly method = 'alipay' as const;
  readonly currency = 'CNY';
  readonly coins = [] as const;
  readonly #client: AlipayClient;
  readonly #appId: string;
  readonly #mode: AlipaySettings['mode'];

  constructor(settings: AlipaySettings, timeoutMs: number) {
    this.#client = new AlipayClient(settings, timeoutMs);
    this.#appId = settings.appId;
    this.#mode = settings.mode;
  }

  /** Opens the trade; opening the same reference again finds the same trade (Alipay keys it by out_trade_no). */
  async open(charge: GatewayCharge): Promise<OpenedCharge> {
    if (charge.currency !== this.currency) throw new GatewayUnavailable('alipay', `it charges in CNY, not ${charge.currency.slice(0, 8)}`);
    const trade = { out_trade_no: charge.reference, total_amount: yuanOf(charge.amountMinor), subject: charge.subject.slice(0, 256) };
    const common: Record<string, string> = { notify_url: charge.notifyUrl };
    if (this.#mode === 'page') {
      if (charge.returnUrl) common.return_url = charge.returnUrl;
      // The checkout page's own timeout restarts each time the buyer opens it: an absolute end instead.
      const page = { ...trade, product_code: 'FAST_INSTANT_TRADE_PAY', time_expire: beijingTime(charge.expiresAt) };
      return { externalId: charge.reference, checkoutUrl: this.#client.pageUrl(page, common) };
    }
    const answer = await this.#client.call('alipay.trade.precreate', { ...trade, timeout_express: timeoutExpress(charge.expiresAt) }, common);
    if (answer.code === SUCCESS && typeof answer.qr_code === 'string' && answer.qr_code) return { externalId: charge.reference, qrCode: answer.qr_code };
    // The trade was opened before (a retry after a lost answer) and has been paid meanwhile: the
    // payment reaches Souk by its notification or the lookup sweep; there is nothing left to scan.
    if (answer.sub_code === 'ACQ.TRADE_HAS_SUCCESS') return { externalId: charge.reference };
    throw new GatewayUnavailable('alipay', `it refused the charge (${refusal(answer)})`);
  }

  /** Checks the notification's RSA2 signature with Alipay's public key, that it is for this app, and reads its trade. */
  async verify(notice: GatewayNotice): Promise<VerifiedNotice> {
    if (!notice.contentType.toLowerCase().startsWith(FORM)) throw new NotificationRefused('alipay', 'it is not a form');
    if (notice.body.length > MAX_NOTICE_BYTES) throw new NotificationRefused('alipay', 'it is larger than any Alipay notification');
    const form = new URLSearchParams(notice.body);
    // No prototype: a field named like an object's own (constructor, __proto__) is just a field.
    const fields = Object.create(null) as Record<string, string>;
    for (const [name, value] of form) {
      if (Object.hasOwn(fields, name)) throw new NotificationRefused('alipay', `it repeats the field ${name.slice(0, 40)}`);
      fields[name] = value;
    }
    if (!fields.sign || !this.#client.checkNotice(fields)) throw new NotificationRefused('alipay', 'its signature does not check with SOUK_ALIPAY_PUBLIC_KEY');
    if (fields.app_id !== this.#appId) throw new NotificationRefused('alipay', 'it is for another Alipay app');
    if (!isTradeNumber(fields.out_trade_no)) throw new NotificationRefused('alipay', 'it names no trade of this shop');
    // A full refund closes the trade; Alipay's notification of it carries the refunded amount.
    const state = stateOf(fields.out_trade_no, fields, fenOf(fields.refund_fee) !== undefined && fields.refund_fee !== '0.00');
    if (!state) throw new NotificationRefused('alipay', 'its trade status or amount is not one Alipay sends');
    return state;
  }

  /** Alipay stops re-sending when the answer is the text `success`; anything else makes it try again later. */
  answer(accepted: boolean): NoticeAnswer {
    return accepted ? { status: 200, contentType: 'text/plain', body: 'success' } : { status: 400, contentType: 'text/plain', body: 'fail' };
  }

  /** Asks alipay.trade.query; a trade no buyer has scanned yet is unknown to Alipay (ACQ.TRADE_NOT_EXIST), so waiting. */
  async lookUp(externalId: string): Promise<ChargeState> {
    const answer = await this.#client.call('alipay.trade.query', { out_trade_no: externalId });
    if (answer.code !== SUCCESS) {
      if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return { externalId, outcome: 'waiting' };
      throw new GatewayUnavailable('alipay', `it refused the query (${refusal(answer)})`);
    }
    const state = stateOf(externalId, answer, false);
    if (!state) throw new GatewayUnavailable('alipay', 'its answer named no trade status Souk knows');
    return state;
  }

  /**
   * Asks alipay.trade.refund with out_request_no = the refund's reference: Alipay refunds once per
   * reference, and answers a repeat with fund_change N (no money moved by this call), when the
   * refund query says whether the first one went through.
   */
  async refund(externalId: string, refund: GatewayRefund): Promise<RefundOutcome> {
    const answer = await this.#client.call('alipay.trade.refund', {
      out_trade_no: externalId,
      refund_amount: yuanOf(refund.amountMinor),
      out_request_no: refund.reference,
      refund_reason: refund.reason.slice(0, 256),
    });
    if (answer.code !== SUCCESS) {
      // Other refusals will not change by asking again (not paid, refunded in full already, too old
      // to refund): the money is owed, for the shop to send back another way.
      // A system error, or a merchant balance too low to refund from, may pass: the job asks again later.
      if (answer.sub_code === 'ACQ.SYSTEM_ERROR' || answer.sub_code === 'ACQ.SELLER_BALANCE_NOT_ENOUGH') throw new GatewayUnavailable('alipay', `it could not refund just now (${refusal(answer)})`);
      return 'owed';
    }
    if (answer.fund_change === 'Y') return 'refunded';
    const asked = await this.#client.call('alipay.trade.fastpay.refund.query', { out_trade_no: externalId, out_request_no: refund.reference });
    // Alipay's documents: a refund query that returns the refund, with refund_status REFUND_SUCCESS or none, means it is done.
    const done = asked.code === SUCCESS && asked.out_request_no === refund.reference && typeof asked.refund_amount === 'string' && (asked.refund_status === undefined || asked.refund_status === 'REFUND_SUCCESS');
    return done ? 'refunded' : 'pending';
  }

  /** A signed query of a trade that cannot exist: ACQ.TRADE_NOT_EXIST proves Alipay took Souk's signature and app id. */
  async ping(): Promise<void> {
    const answer = await this.#client.call('alipay.trade.query', { out_trade_no: `SOUKPING${Date.now()}` });
    if (answer.code !== SUCCESS && answer.sub_code !== 'ACQ.TRADE_NOT_EXIST') throw new GatewayUnavailable('alipay', `it refused the check (${refusal(answer)})`);
  }
}

/** Alipay's refusal code, short, quoting nothing else it sent. */
const refusal = (answer: AlipayAnswer) => `${String(answer.code).slice(0, 10)} ${String(answer.sub_code ?? '').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 60)}`.trim();

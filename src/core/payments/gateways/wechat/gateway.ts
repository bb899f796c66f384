// WeChat Pay (API v3, Native pay) as a PaymentGateway: a charge is a Native order whose
// out_trade_no is Souk's reference and whose code_url the buyer scans; WeChat Pay says it was paid
// in a signed notification whose resource is sealed with the API v3 key (TRANSACTION.SUCCESS), or
// when Souk queries the order by out_trade_no. Amounts are fen (CNY minor units) on both sides.
import { GatewayUnavailable, NotificationRefused } from '../errors.js';
import type { ChargeState, GatewayCharge, GatewayNotice, GatewayRefund, NoticeAnswer, OpenedCharge, PaymentGateway, RefundOutcome, VerifiedNotice } from '../gateway.js';
import { WechatClient, type WechatAnswer } from './client.js';
import type { WechatSettings } from './settings.js';
import { beijingTime, NOTICE_MAX_SKEW_SECONDS, openResource, signatureHeaders, signatureProblem, type SealedResource } from './signing.js';

/** A transaction as WeChat Pay reports it (a query's answer, or a TRANSACTION.SUCCESS resource). */
interface Transaction {
  appid?: unknown;
  mchid?: unknown;
  out_trade_no?: unknown;
  transaction_id?: unknown;
  trade_state?: unknown;
  amount?: { total?: unknown; payer_total?: unknown; currency?: unknown };
}

/** What each trade_state means for a charge. NOTPAY and USERPAYING (and ACCEPT) may still be paid; the others are final. */
const TRADE_STATES: Record<string, ChargeState['outcome']> = {
  SUCCESS: 'paid',
  NOTPAY: 'waiting',
  USERPAYING: 'waiting',
  ACCEPT: 'waiting',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'closed',
  REFUND: 'refunded',
};

/** Souk's refund reference of a charge (refunds.ts): the charge's reference followed by R. */
const refundReferenceOf = (reference: string) => `${reference}R`;

const unavailable = (why: string) => new GatewayUnavailable('wechat', why);
const refused = (why: string) => new NotificationRefused('wechat', why);

export class WechatGateway implements PaymentGateway {
  readonly name = 'wechat' as const;
  readonly method = 'wechat' as const;
  readonly currency = 'CNY';
  readonly coins = [] as const;
  private readonly client: WechatClient;

  constructor(
    private readonly settings: WechatSettings,
    timeoutMs: number,
  ) {
    this.client = new WechatClient({ ...settings, timeoutMs });
  }

  async open(charge: GatewayCharge): Promise<OpenedCharge> {
    if (charge.currency !== 'CNY') throw unavailable(`it charges CNY only, not ${charge.currency}`);
    const answer = await this.client.request('POST', '/v3/pay/transactions/native', {
      appid: this.settings.appid,
      mchid: this.settings.mchid,
      description: [...charge.subject].slice(0, 127).join(''),
      out_trade_no: charge.reference,
      time_expire: beijingTime(charge.expiresAt),
      notify_url: charge.notifyUrl,
      amount: { total: charge.amountMinor, currency: 'CNY' },
    });
    // Opening the same out_trade_no again with the same fields before it expires gives its code_url again.
    if (answer.status === 200 && typeof answer.body.code_url === 'string' && answer.body.code_url !== '') {
      return { externalId: charge.reference, qrCode: answer.body.code_url };
    }
    // Paid already (a charge opened before a crash, then paid): nothing to scan; the lookup sweep credits it.
    if (answer.code === 'ORDERPAID') return { externalId: charge.reference };
    throw unavailable(refusal(answer));
  }

  async verify(notice: GatewayNotice): Promise<VerifiedNotice> {
    const sig = signatureHeaders((name) => notice.headers[name]);
    const problem = signatureProblem(sig, notice.body, this.settings.platformKey, this.settings.platformSerial);
    if (problem) throw refused(problem);
    if (Math.abs(Date.now() / 1000 - Number(sig.timestamp)) > NOTICE_MAX_SKEW_SECONDS) throw refused('its timestamp is more than 5 minutes from now (a replay?)');
    let envelope: { event_type?: unknown; resource?: Partial<SealedResource> };
    try {
      envelope = JSON.parse(notice.body) as typeof envelope;
    } catch {
      throw refused('its body is not JSON');
    }
    const resource = envelope.resource;
    if (!resource || typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string' || typeof resource.algorithm !== 'string') throw refused('it has no sealed resource');
    const plain = openResource(resource as SealedResource, this.settings.apiV3Key);
    if (plain === undefined) throw refused('its resource does not open with the API v3 key');
    let data: Transaction & { refund_status?: unknown };
    try {
      data = JSON.parse(plain) as typeof data;
    } catch {
      throw refused('its resource is not JSON');
    }
    if (data.mchid !== this.settings.mchid) throw refused('it is for another merchant');
    if (typeof data.out_trade_no !== 'string' || data.out_trade_no === '') throw refused('it names no out_trade_no');
    if (envelope.event_type === 'TRANSACTION.SUCCESS') return this.stateOf(data, refused);
    // A refund finished: a pending refund of this charge is done.
    if (envelope.event_type === 'REFUND.SUCCESS' && data.refund_status === 'SUCCESS') return { externalId: data.out_trade_no, outcome: 'refunded' };
    return null;
  }

  answer(accepted: boolean): NoticeAnswer {
    // WeChat Pay takes 200 or 204 as received; a 4xx/5xx with {code: FAIL} makes it send again (15 s, 15 s, 30 s, 3 min, … for about a day).
    return accepted
      ? { status: 204, contentType: 'application/json', body: '' }
      : { status: 400, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: 'notification refused' }) };
  }

  async lookUp(externalId: string): Promise<ChargeState> {
    const answer = await this.query(externalId);
    // Never opened there (a crash before the call reached it): nothing can be paid yet; the order's hold ends it.
    if (answer.code === 'ORDER_NOT_EXIST') return { externalId, outcome: 'waiting' };
    if (answer.status !== 200) throw unavailable(refusal(answer));
    const state = this.stateOf(answer.body as Transaction, unavailable);
    if (state.externalId !== externalId) throw unavailable('it answered about another order');
    if (state.outcome !== 'refunded') return state;
    // REFUND means a refund was asked; the charge is refunded once Souk's refund is done there.
    const refund = await this.client.request('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(refundReferenceOf(externalId))}`);
    if (refund.code === 'RESOURCE_NOT_EXISTS') return state; // refunded from the merchant platform, not by Souk
    if (refund.status !== 200) throw unavailable(refusal(refund));
    return refund.body.status === 'SUCCESS' ? state : { externalId, outcome: 'waiting' };
  }

  async refund(externalId: string, refund: GatewayRefund): Promise<RefundOutcome> {
    if (refund.currency !== 'CNY') throw unavailable(`it refunds CNY only, not ${refund.currency}`);
    const answer = await this.client.request('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: externalId,
      out_refund_no: refund.reference,
      reason: [...refund.reason].slice(0, 80).join(''),
      amount: { refund: refund.amountMinor, total: refund.totalMinor, currency: 'CNY' },
    });
    if (answer.status !== 200) throw unavailable(refusal(answer));
    // The same out_refund_no answers the refund already made, so asking again never refunds twice.
    switch (answer.body.status) {
      case 'SUCCESS':
        return 'refunded';
      case 'PROCESSING':
        return 'pending';
      // ABNORMAL (the buyer's account cannot take it) and CLOSED need the merchant's hand at WeChat Pay.
      case 'ABNORMAL':
      case 'CLOSED':
        return 'owed';
      default:
        throw unavailable('it answered a refund status Souk does not know');
    }
  }

  async ping(): Promise<void> {
    // A query of an order that cannot exist: a signed ORDER_NOT_EXIST proves the credentials and the platform key.
    const answer = await this.query('SOUKPING0000');
    if (answer.code !== 'ORDER_NOT_EXIST' && answer.status !== 200) throw unavailable(refusal(answer));
  }

  private query(outTradeNo: string): Promise<WechatAnswer> {
    return this.client.request('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.settings.mchid)}`);
  }

  /** A transaction's state as Souk's ChargeState; `fail` makes the error for one that is not ours or not well formed. */
  private stateOf(data: Transaction, fail: (why: string) => Error): ChargeState {
    if (data.mchid !== this.settings.mchid) throw fail('it is for another merchant');
    if (data.appid !== this.settings.appid) throw fail('it is for another app');
    if (typeof data.out_trade_no !== 'string' || data.out_trade_no === '') throw fail('it names no out_trade_no');
    const outcome = typeof data.trade_state === 'string' ? TRADE_STATES[data.trade_state] : undefined;
    if (!outcome) throw fail('its trade_state is not one Souk knows');
    if (outcome !== 'paid') return { externalId: data.out_trade_no, outcome };
    // amount.total is what the order asked and the merchant is settled; payer_total is less only by
    // a coupon the buyer used, which WeChat Pay or its issuer funds, not the shop.
    const total = data.amount?.total;
    if (typeof data.transaction_id !== 'string' || data.transaction_id === '' || typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) {
      throw fail('it reports a payment without its id or amount');
    }
    return { externalId: data.out_trade_no, outcome, paymentId: data.transaction_id, paidMinor: total, currency: typeof data.amount?.currency === 'string' ? data.amount.currency : 'CNY' };
  }
}

/** Why WeChat Pay did not do it, in its own error code (never its message, which may echo a field). */
function refusal(answer: WechatAnswer): string {
  return answer.code ? `it refused: ${answer.code} (HTTP ${answer.status})` : `it answered HTTP ${answer.status}`;
}

// A WeChat Pay API v3 fake (a direct merchant, Native pay), written from WeChat Pay's API v3
// documents (pay.weixin.qq.com "Native下单", "商户订单号查询订单", "申请退款", "查询单笔退款",
// "支付成功回调通知", "退款结果回调通知", "签名认证" / "验证签名"), with their quirks:
// - every request must carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
//   timestamp="…",serial_no="…",signature="…"`, the signature SHA256-with-RSA by the merchant's API
//   private key over "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n" (an empty body an empty line);
//   otherwise 401 SIGN_ERROR, unsigned (WeChat Pay signs no answer to a request it cannot trust);
// - every other answer is signed by the platform key over "TIMESTAMP\nNONCE\nBODY\n" with the
//   Wechatpay-Timestamp/-Nonce/-Signature/-Serial headers; errors are {code, message};
// - amounts in fen integers, currency CNY only, out_trade_no 6-32 of [0-9A-Za-z_-|*], description
//   at most 127 characters, time_expire RFC 3339 with an offset, notify_url absolute without a query;
// - opening the same out_trade_no again with the same fields gives the same code_url; different
//   fields are OUT_TRADE_NO_USED, a paid order ORDERPAID (403), a closed one ORDER_CLOSED;
// - a query of an order it does not have is 404 ORDER_NOT_EXIST; a refund with the same
//   out_refund_no answers the refund already made (it never refunds twice);
// - notifications are POSTed JSON whose `resource` is sealed with AEAD_AES_256_GCM under the API v3
//   key (associated_data, a 12-character nonce), signed like answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createCipheriv, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface WechatKeys {
  mchid: string;
  appid: string;
  apiV3Key: string;
  merchantPrivateKeyPem: string;
  merchantPublicKey: KeyObject;
  merchantSerial: string;
  platformPrivateKey: KeyObject;
  platformPublicKeyPem: string;
  platformSerial: string;
}

/** Fresh merchant and platform keys, as a merchant has them once registered with WeChat Pay. */
export function wechatKeys(): WechatKeys {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    mchid: '1900009191',
    appid: 'wxd678efh567hg6787',
    apiV3Key: randomBytes(16).toString('hex'),
    merchantPrivateKeyPem: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    merchantPublicKey: merchant.publicKey,
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    platformPrivateKey: platform.privateKey,
    platformPublicKeyPem: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    platformSerial: `PUB_KEY_ID_0119000091912025${randomBytes(6).toString('hex').toUpperCase()}`,
  };
}

/** Souk's settings for this merchant, WeChat Pay being at `apiUrl`. */
export function wechatEnv(keys: WechatKeys, apiUrl: string): Record<string, string> {
  return {
    SOUK_WECHAT_MCHID: keys.mchid,
    SOUK_WECHAT_APPID: keys.appid,
    SOUK_WECHAT_API_V3_KEY: keys.apiV3Key,
    SOUK_WECHAT_PRIVATE_KEY: keys.merchantPrivateKeyPem,
    SOUK_WECHAT_CERT_SERIAL: keys.merchantSerial,
    SOUK_WECHAT_PLATFORM_CERT: keys.platformPublicKeyPem,
    SOUK_WECHAT_PLATFORM_SERIAL: keys.platformSerial,
    SOUK_WECHAT_API_URL: apiUrl,
  };
}

export interface FakeOrder {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  time_expire: string;
  notify_url: string;
  total: number;
  code_url: string;
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transaction_id?: string;
  payer_total?: number;
  /** What the buyer paid as WeChat Pay reports it (`amount.total`); the asked total unless a test says otherwise. */
  paid_total?: number;
  success_time?: string;
}

export interface FakeRefund {
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  transaction_id: string;
  refund: number;
  total: number;
  status: 'SUCCESS' | 'PROCESSING' | 'ABNORMAL' | 'CLOSED';
}

export interface Notification {
  headers: Record<string, string>;
  body: string;
}

/** How the fake misbehaves: 500 SYSTEM_ERROR, or never answering (past Souk's deadline). */
export type Down = '500' | 'hang' | undefined;

const CODE_URL = 'weixin://wxpay/bizpayurl?pr=';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;

export class FakeWechatPay {
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  /** Every request, as `METHOD path`, and every refusal's code. */
  readonly calls: string[] = [];
  readonly refusals: string[] = [];
  down: Down;
  /** What a new refund's status is. */
  refundStatus: FakeRefund['status'] = 'SUCCESS';
  url = '';
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  private nextTransaction = 4200000000;

  constructor(readonly keys: WechatKeys) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The buyer pays the order in WeChat; `total` is what WeChat Pay then reports (a test's under- or overpayment). */
  pay(outTradeNo: string, options: { total?: number; payerTotal?: number } = {}): FakeOrder {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`the fake has no order ${outTradeNo}`);
    order.trade_state = 'SUCCESS';
    order.transaction_id ??= String(this.nextTransaction++).padEnd(28, '0');
    order.paid_total = options.total ?? order.total;
    order.payer_total = options.payerTotal ?? order.paid_total;
    order.success_time = new Date().toISOString().slice(0, 19) + '+00:00';
    return order;
  }

  /** The order's time ran out unpaid (or the merchant closed it). */
  expire(outTradeNo: string): void {
    const order = this.orders.get(outTradeNo);
    if (order) order.trade_state = 'CLOSED';
  }

  /** A TRANSACTION.SUCCESS notification of a paid order, sealed and signed as WeChat Pay sends it. */
  paidNotification(outTradeNo: string, options: { at?: Date; keys?: Partial<WechatKeys> } = {}): Notification {
    const order = this.orders.get(outTradeNo);
    if (!order?.transaction_id) throw new Error(`the fake's order ${outTradeNo} is not paid`);
    return this.notification('TRANSACTION.SUCCESS', 'transaction', this.transactionView(order), options);
  }

  /** A REFUND.SUCCESS notification of a refund. */
  refundNotification(outRefundNo: string, options: { at?: Date } = {}): Notification {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) throw new Error(`the fake has no refund ${outRefundNo}`);
    refund.status = 'SUCCESS';
    const plain = {
      mchid: this.keys.mchid,
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: refund.refund_id,
      refund_status: 'SUCCESS',
      success_time: new Date().toISOString().slice(0, 19) + '+08:00',
      user_received_account: '招商银行信用卡0403',
      amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
    };
    return this.notification('REFUND.SUCCESS', 'refund', plain, options);
  }

  /** Any notification: its resource sealed with the API v3 key (or `keys.apiV3Key`), its body signed with the platform key (or `keys.platformPrivateKey`). */
  notification(eventType: string, originalType: string, plain: unknown, options: { at?: Date; keys?: Partial<WechatKeys> } = {}): Notification {
    const keys = { ...this.keys, ...options.keys };
    const nonce = randomBytes(6).toString('hex');
    const associatedData = originalType;
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const body = JSON.stringify({
      id: `EV-${randomBytes(8).toString('hex')}`,
      create_time: new Date().toISOString().slice(0, 19) + '+00:00',
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: eventType === 'TRANSACTION.SUCCESS' ? '支付成功' : '退款成功',
      resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), associated_data: associatedData, nonce },
    });
    return { body, headers: { 'content-type': 'application/json', ...this.signatureHeaders(body, options.at, keys) } };
  }

  /** Posts a notification to `url` as WeChat Pay does; its answer's status and body. */
  async deliver(notification: Notification, url: string): Promise<{ status: number; body: string }> {
    const response = await fetch(url, { method: 'POST', headers: notification.headers, body: notification.body });
    return { status: response.status, body: await response.text() };
  }

  private signatureHeaders(body: string, at = new Date(), keys: Pick<WechatKeys, 'platformPrivateKey' | 'platformSerial'> = this.keys): Record<string, string> {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = sign('RSA-SHA256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), keys.platformPrivateKey).toString('base64');
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': keys.platformSerial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'request-id': randomBytes(8).toString('hex'),
    };
  }

  private transactionView(order: FakeOrder): Record<string, unknown> {
    const paid = order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND';
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.out_trade_no,
      ...(order.transaction_id ? { transaction_id: order.transaction_id } : {}),
      trade_type: 'NATIVE',
      trade_state: order.trade_state,
      trade_state_desc: { NOTPAY: '订单未支付', SUCCESS: '支付成功', CLOSED: '订单已关闭', REFUND: '转入退款' }[order.trade_state],
      ...(paid ? { bank_type: 'OTHERS', success_time: order.success_time, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } : {}),
      amount: paid ? { total: order.paid_total, payer_total: order.payer_total, currency: 'CNY', payer_currency: 'CNY' } : { total: order.total, currency: 'CNY' },
    };
  }

  private refundView(refund: FakeRefund): Record<string, unknown> {
    return {
      refund_id: refund.refund_id,
      out_refund_no: refund.out_refund_no,
      transaction_id: refund.transaction_id,
      out_trade_no: refund.out_trade_no,
      channel: 'ORIGINAL',
      user_received_account: '招商银行信用卡0403',
      create_time: new Date().toISOString().slice(0, 19) + '+08:00',
      status: refund.status,
      amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund, settlement_refund: refund.refund, settlement_total: refund.total, discount_refund: 0, currency: 'CNY' },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.url ?? '/';
    const url = new URL(target, 'http://fake');
    this.calls.push(`${req.method} ${url.pathname}`);
    if (this.down === 'hang') {
      this.hanging.add(res);
      return;
    }
    const authProblem = this.checkAuthorization(req, target, body);
    if (authProblem) {
      this.refusals.push(`SIGN_ERROR: ${authProblem}`);
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误' }));
      return;
    }
    if (this.down === '500') return this.answer(res, 500, { code: 'SYSTEM_ERROR', message: '系统错误' });
    const path = url.pathname;
    if (req.method === 'POST' && path === '/v3/pay/transactions/native') return this.native(res, body);
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && query) {
      if (url.searchParams.get('mchid') !== this.keys.mchid) return this.refuse(res, 400, 'PARAM_ERROR', 'mchid 与请求商户号不一致');
      const order = this.orders.get(decodeURIComponent(query[1]!));
      return order ? this.answer(res, 200, this.transactionView(order)) : this.refuse(res, 404, 'ORDER_NOT_EXIST', '订单不存在');
    }
    if (req.method === 'POST' && path === '/v3/refund/domestic/refunds') return this.refund(res, body);
    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && refundQuery) {
      const refund = this.refunds.get(decodeURIComponent(refundQuery[1]!));
      return refund ? this.answer(res, 200, this.refundView(refund)) : this.refuse(res, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    }
    return this.refuse(res, 404, 'NOT_FOUND', '请求的资源不存在');
  }

  /** Why the merchant's Authorization does not check, or undefined. */
  private checkAuthorization(req: IncomingMessage, target: string, body: string): string | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header);
    if (!match) return 'no WECHATPAY2-SHA256-RSA2048 authorization';
    const fields = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (fields.mchid !== this.keys.mchid) return 'mchid is not this merchant';
    if (fields.serial_no !== this.keys.merchantSerial) return 'serial_no is not the merchant certificate';
    if (!fields.nonce_str || !fields.signature || !/^\d+$/.test(fields.timestamp ?? '')) return 'a field is missing';
    if (Math.abs(Date.now() / 1000 - Number(fields.timestamp)) > 300) return 'the timestamp is stale';
    if (body !== '' && !/^application\/json/.test(req.headers['content-type'] ?? '')) return 'the body is not application/json';
    const message = `${req.method}\n${target}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
    return verify('RSA-SHA256', Buffer.from(message), this.keys.merchantPublicKey, Buffer.from(fields.signature, 'base64')) ? undefined : 'the signature does not check';
  }

  private native(res: ServerResponse, text: string): void {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return this.refuse(res, 400, 'PARAM_ERROR', '请求体不是JSON');
    }
    const amount = input.amount as { total?: unknown; currency?: unknown } | undefined;
    const problem =
      input.appid !== this.keys.appid || input.mchid !== this.keys.mchid
        ? 'APPID_MCHID_NOT_MATCH'
        : typeof input.description !== 'string' || input.description === '' || [...input.description].length > 127
          ? 'description'
          : typeof input.out_trade_no !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(input.out_trade_no)
            ? 'out_trade_no'
            : typeof input.time_expire !== 'string' || !RFC3339.test(input.time_expire)
              ? 'time_expire'
              : typeof input.notify_url !== 'string' || !/^https?:\/\/[^?#]+$/.test(input.notify_url) || input.notify_url.length > 255
                ? 'notify_url'
                : typeof amount?.total !== 'number' || !Number.isSafeInteger(amount.total) || amount.total <= 0
                  ? 'amount.total'
                  : amount.currency !== 'CNY'
                    ? 'amount.currency'
                    : undefined;
    if (problem === 'APPID_MCHID_NOT_MATCH') return this.refuse(res, 400, problem, 'appid和mch_id不匹配');
    if (problem) return this.refuse(res, 400, 'PARAM_ERROR', `${problem}参数错误`);
    const fields = { appid: input.appid as string, mchid: input.mchid as string, description: input.description as string, out_trade_no: input.out_trade_no as string, time_expire: input.time_expire as string, notify_url: input.notify_url as string, total: amount!.total as number };
    const existing = this.orders.get(fields.out_trade_no);
    if (existing) {
      if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND') return this.refuse(res, 403, 'ORDERPAID', '该订单已支付');
      if (existing.trade_state === 'CLOSED') return this.refuse(res, 400, 'ORDER_CLOSED', '订单已关闭');
      const same = (Object.keys(fields) as (keyof typeof fields)[]).every((key) => existing[key] === fields[key]);
      return same ? this.answer(res, 200, { code_url: existing.code_url }) : this.refuse(res, 400, 'OUT_TRADE_NO_USED', '商户订单号重复');
    }
    const order: FakeOrder = { ...fields, code_url: `${CODE_URL}${randomBytes(8).toString('base64url')}`, trade_state: 'NOTPAY' };
    this.orders.set(order.out_trade_no, order);
    return this.answer(res, 200, { code_url: order.code_url });
  }

  private refund(res: ServerResponse, text: string): void {
    let input: { out_trade_no?: unknown; transaction_id?: unknown; out_refund_no?: unknown; reason?: unknown; amount?: { refund?: unknown; total?: unknown; currency?: unknown } };
    try {
      input = JSON.parse(text) as typeof input;
    } catch {
      return this.refuse(res, 400, 'PARAM_ERROR', '请求体不是JSON');
    }
    if (typeof input.out_refund_no !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(input.out_refund_no)) return this.refuse(res, 400, 'PARAM_ERROR', 'out_refund_no参数错误');
    if (input.reason !== undefined && (typeof input.reason !== 'string' || [...input.reason].length > 80)) return this.refuse(res, 400, 'PARAM_ERROR', 'reason参数错误');
    const made = this.refunds.get(input.out_refund_no);
    if (made) return this.answer(res, 200, this.refundView(made));
    const order = typeof input.out_trade_no === 'string' ? this.orders.get(input.out_trade_no) : undefined;
    if (!order) return this.refuse(res, 404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    if (!order.transaction_id) return this.refuse(res, 400, 'INVALID_REQUEST', '订单未支付');
    const amount = input.amount;
    if (!amount || amount.currency !== 'CNY' || typeof amount.refund !== 'number' || !Number.isSafeInteger(amount.refund) || amount.refund <= 0) return this.refuse(res, 400, 'PARAM_ERROR', 'amount参数错误');
    if (amount.total !== order.paid_total) return this.refuse(res, 400, 'PARAM_ERROR', '订单金额与原订单不一致');
    const refunded = [...this.refunds.values()].filter((r) => r.out_trade_no === order.out_trade_no).reduce((sum, r) => sum + r.refund, 0);
    if (refunded + amount.refund > order.paid_total!) return this.refuse(res, 400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const refund: FakeRefund = { refund_id: `50300${randomBytes(8).toString('hex')}`, out_refund_no: input.out_refund_no, out_trade_no: order.out_trade_no, transaction_id: order.transaction_id, refund: amount.refund, total: order.paid_total!, status: this.refundStatus };
    this.refunds.set(refund.out_refund_no, refund);
    order.trade_state = 'REFUND';
    return this.answer(res, 200, this.refundView(refund));
  }

  private refuse(res: ServerResponse, status: number, code: string, message: string): void {
    this.refusals.push(code);
    this.answer(res, status, { code, message });
  }

  private answer(res: ServerResponse, status: number, json: unknown): void {
    const body = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', ...this.signatureHeaders(body) }).end(body);
  }
}

/** A fake WeChat Pay on 127.0.0.1 with fresh keys. */
export async function startFakeWechatPay(keys = wechatKeys()): Promise<FakeWechatPay> {
  return new FakeWechatPay(keys).start();
}

/** The platform public key's PEM, for a test that wants another platform key than the fake's. */
export const publicPem = (key: KeyObject) => (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'pem' }).toString();

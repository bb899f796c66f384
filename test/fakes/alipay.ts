// An Alipay OpenAPI gateway fake (`gateway.do`), written from Alipay's open-platform documents:
// 公共请求参数 (app_id, method, charset, sign_type, sign, timestamp "yyyy-MM-dd HH:mm:ss", version
// 1.0, notify_url, biz_content; time_expire in the same Beijing-time form), 签名 (every parameter but `sign` and empty ones, sorted by name,
// `k=v` joined by `&`, raw values, SHA256withRSA with the app's key, base64), 同步响应 (a JSON object
// `{"<method with _>_response": {...}, "sign": "..."}` whose sign is Alipay's over the exact text of
// the `_response` value, slashes written `\/`), 异步通知 (a form POSTed to notify_url, signed over its
// sorted fields without `sign` and `sign_type`, answered with the text `success` or sent again), and
// the APIs alipay.trade.precreate, alipay.trade.page.pay (the buyer's browser GETs the signed URL),
// alipay.trade.query, alipay.trade.refund and alipay.trade.fastpay.refund.query with their quirks:
// a precreated trade is unknown to the query (ACQ.TRADE_NOT_EXIST) until a buyer scans it; opening
// an out_trade_no again gives the same QR code, or ACQ.CONTEXT_INCONSISTENT with other details,
// ACQ.TRADE_HAS_SUCCESS once paid, ACQ.TRADE_HAS_CLOSE once closed; a refund repeated with the same
// out_request_no moves no money (fund_change N). What Souk sends wrong is refused as Alipay refuses
// it (40001/40002/40004) and noted in `problems`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { rsa2Check, rsa2Sign, rsaPair, signContent, type RsaPair } from './alipay-signing.js';

export { rsaPair, rsa2Sign, signContent, type RsaPair } from './alipay-signing.js';

export type TradeStatus = 'CREATED' | 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

export interface FakeTrade {
  outTradeNo: string;
  /** Set when a buyer scans or opens it (Alipay's trade number). */
  tradeNo?: string;
  totalAmount: string;
  subject: string;
  notifyUrl: string;
  productCode: string;
  timeoutExpress: string | undefined;
  /** Page pay's absolute end, Beijing time. */
  timeExpire: string | undefined;
  /** How it was opened. */
  via: 'precreate' | 'page';
  /** CREATED: precreated, no buyer has scanned it (unknown to the query). */
  status: TradeStatus;
  qrCode?: string;
  gmtCreate: string;
  gmtPayment?: string;
  /** Refunds by out_request_no, amounts in yuan. */
  refunds: Map<string, string>;
  /** Bodies of the notifications posted and what Souk answered. */
  notices: Array<{ status: number; answer: string }>;
}

export interface NoticeOptions {
  /** Fields to set (or, with undefined, drop) after the genuine ones are made. */
  fields?: Record<string, string | undefined>;
  /** Sign with this key instead of Alipay's (a forger's). */
  signWith?: KeyObject;
  /** Change a field after signing (a tampered body). */
  tamper?: Record<string, string>;
}

export interface FakeAlipay {
  url: string;
  /** The gateway URL Souk is given (SOUK_ALIPAY_GATEWAY). */
  gateway: string;
  appId: string;
  /** The app's key pair (Souk signs with its private half; the fake checks with the public one). */
  app: RsaPair;
  /** Alipay's key pair (the fake signs answers and notifications; Souk checks with the public half). */
  alipay: RsaPair;
  trades: Map<string, FakeTrade>;
  /** Every call: its method and biz_content. */
  calls: Array<{ method: string; biz: Record<string, unknown> }>;
  /** What Souk sent that Alipay would refuse. */
  problems: string[];
  /** ok: answers · reset: drops the connection · error: HTTP 500 · hang: never answers · unsigned: answers without `sign`. */
  mode: 'ok' | 'reset' | 'error' | 'hang' | 'unsigned';
  /** The settings that point Souk at this fake. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** A buyer scans the QR code (or opens the page): the trade becomes known, WAIT_BUYER_PAY. */
  scan(outTradeNo: string): FakeTrade;
  /** The buyer pays: TRADE_SUCCESS. */
  pay(outTradeNo: string): FakeTrade;
  /** The trade times out unpaid: TRADE_CLOSED. */
  expire(outTradeNo: string): FakeTrade;
  /** The form body of the notification Alipay would send now for the trade, signed. */
  notice(outTradeNo: string, options?: NoticeOptions): string;
  /** Posts a notification to the trade's notify_url (or `to`), as Alipay does. */
  notify(outTradeNo: string, options?: NoticeOptions & { to?: string; body?: string }): Promise<{ status: number; answer: string }>;
  close(): Promise<void>;
}

const RESPONSE_KEY = (method: string) => `${method.replaceAll('.', '_')}_response`;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const PRICE = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;
const TRADE_NO = /^[A-Za-z0-9_]{1,64}$/;
const KNOWN_METHODS = ['alipay.trade.precreate', 'alipay.trade.page.pay', 'alipay.trade.query', 'alipay.trade.refund', 'alipay.trade.fastpay.refund.query'];

const fen = (yuan: string) => Math.round(Number(yuan) * 100);
const yuan = (fenAmount: number) => (fenAmount / 100).toFixed(2);
const pad = (n: number) => String(n).padStart(2, '0');
/** Alipay's times: Beijing time, yyyy-MM-dd HH:mm:ss. */
function beijing(at = Date.now()): string {
  const d = new Date(at + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function validTimeout(text: unknown): boolean {
  if (text === undefined) return true;
  if (typeof text !== 'string') return false;
  if (text === '1c') return true;
  const match = /^([1-9]\d*)([mhd])$/.exec(text);
  if (!match) return false;
  const minutes = Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
  return minutes >= 1 && minutes <= 15 * 1440;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake on 127.0.0.1 with fresh keys for the app and for Alipay. */
export async function startFakeAlipay(options: { appId?: string } = {}): Promise<FakeAlipay> {
  const appId = options.appId ?? '2021000000000001';
  const app = rsaPair();
  const alipay = rsaPair();
  const trades = new Map<string, FakeTrade>();
  const calls: FakeAlipay['calls'] = [];
  const problems: string[] = [];
  const hanging = new Set<ServerResponse>();
  let tradeSeq = 0;

  const newTradeNo = () => `2026${Date.now()}${String(++tradeSeq).padStart(6, '0')}`;

  /** The signed JSON answer of `method`, written as Alipay writes it. */
  function signedAnswer(method: string, body: Record<string, unknown>, signed = true): string {
    const inner = JSON.stringify(body).replace(/\//g, '\\/');
    if (!signed) return `{"${RESPONSE_KEY(method)}":${inner}}`;
    return `{"${RESPONSE_KEY(method)}":${inner},"sign":"${rsa2Sign(inner, alipay.privateKey)}"}`;
  }
  const success = (extra: Record<string, unknown>) => ({ code: '10000', msg: 'Success', ...extra });
  const business = (subCode: string, subMsg: string) => ({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });

  /** Checks the common parameters and the app's signature; an error answer, or undefined when all is well. */
  function checkCall(params: Record<string, string>): Record<string, unknown> | undefined {
    if (!params.method) return { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-method', sub_msg: '缺少方法名参数' };
    if (!params.sign) return { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-signature', sub_msg: '缺少签名参数' };
    if (params.app_id !== appId) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-app-id', sub_msg: '无效的AppID参数' };
    if (params.sign_type !== 'RSA2') return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature-type', sub_msg: '无效的签名类型' };
    if (!TIMESTAMP.test(params.timestamp ?? '')) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-timestamp', sub_msg: '非法的时间戳参数' };
    if (params.version !== '1.0') return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: 'version' };
    if ((params.charset ?? '').toLowerCase() !== 'utf-8') return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-charset', sub_msg: '字符集错误' };
    if (!rsa2Check(signContent(params, ['sign']), params.sign, app.publicKey)) {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${signContent(params, ['sign'])}` };
    }
    if (!KNOWN_METHODS.includes(params.method)) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' };
    return undefined;
  }

  /** Opens (or finds) a trade for precreate or page pay. */
  function openTrade(method: string, biz: Record<string, unknown>, params: Record<string, string>): Record<string, unknown> {
    const outTradeNo = biz.out_trade_no;
    if (typeof outTradeNo !== 'string' || !TRADE_NO.test(outTradeNo)) return business('ACQ.INVALID_PARAMETER', '参数无效 out_trade_no');
    if (typeof biz.total_amount !== 'string' || !PRICE.test(biz.total_amount) || fen(biz.total_amount) < 1 || fen(biz.total_amount) > 100_000_000_00) {
      problems.push(`${method}: total_amount ${JSON.stringify(biz.total_amount)} is not a yuan amount with at most two places`);
      return business('ACQ.INVALID_PARAMETER', '参数无效 total_amount');
    }
    if (typeof biz.subject !== 'string' || !biz.subject || biz.subject.length > 256) return business('ACQ.INVALID_PARAMETER', '参数无效 subject');
    if (biz.time_expire !== undefined && (typeof biz.time_expire !== 'string' || !TIMESTAMP.test(biz.time_expire))) {
      problems.push(`${method}: time_expire ${JSON.stringify(biz.time_expire)} is not yyyy-MM-dd HH:mm:ss`);
      return business('ACQ.INVALID_PARAMETER', '参数无效 time_expire');
    }
    if (typeof biz.time_expire === 'string' && biz.time_expire <= beijing()) return business('ACQ.INVALID_PARAMETER', '参数无效 time_expire 已过期');
    if (!validTimeout(biz.timeout_express)) {
      problems.push(`${method}: timeout_express ${JSON.stringify(biz.timeout_express)} is not 1m to 15d`);
      return business('ACQ.INVALID_PARAMETER', '参数无效 timeout_express');
    }
    const productCode = method === 'alipay.trade.page.pay' ? 'FAST_INSTANT_TRADE_PAY' : 'FACE_TO_FACE_PAYMENT';
    if (method === 'alipay.trade.page.pay' && biz.product_code !== productCode) return business('ACQ.INVALID_PARAMETER', '参数无效 product_code');
    if (!params.notify_url) problems.push(`${method}: no notify_url: Alipay would notify nobody`);
    const existing = trades.get(outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') return business('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') return business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (existing.totalAmount !== biz.total_amount || existing.subject !== biz.subject) return business('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      return success({ out_trade_no: outTradeNo, ...(existing.qrCode ? { qr_code: existing.qrCode } : {}) });
    }
    const trade: FakeTrade = {
      outTradeNo,
      totalAmount: biz.total_amount,
      subject: biz.subject,
      notifyUrl: params.notify_url ?? '',
      productCode,
      timeoutExpress: typeof biz.timeout_express === 'string' ? biz.timeout_express : undefined,
      timeExpire: typeof biz.time_expire === 'string' ? biz.time_expire : undefined,
      via: method === 'alipay.trade.page.pay' ? 'page' : 'precreate',
      status: 'CREATED',
      gmtCreate: beijing(),
      refunds: new Map(),
      notices: [],
    };
    if (trade.via === 'precreate') trade.qrCode = `https://qr.alipay.com/bax${randomBytes(10).toString('hex')}`;
    trades.set(outTradeNo, trade);
    return success({ out_trade_no: outTradeNo, ...(trade.qrCode ? { qr_code: trade.qrCode } : {}) });
  }

  const refundedFen = (trade: FakeTrade) => [...trade.refunds.values()].reduce((sum, amount) => sum + fen(amount), 0);

  function tradeFields(trade: FakeTrade): Record<string, string> {
    const paid = trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED' || (trade.status === 'TRADE_CLOSED' && trade.gmtPayment !== undefined);
    return {
      trade_no: trade.tradeNo ?? '',
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: '159****5620',
      trade_status: trade.status,
      total_amount: trade.totalAmount,
      buyer_pay_amount: paid ? trade.totalAmount : '0.00',
      receipt_amount: paid ? trade.totalAmount : '0.00',
      invoice_amount: paid ? trade.totalAmount : '0.00',
      point_amount: '0.00',
      ...(trade.gmtPayment ? { send_pay_date: trade.gmtPayment } : {}),
      buyer_user_id: '2088102122524333',
    };
  }

  function handle(method: string, biz: Record<string, unknown>, params: Record<string, string>): Record<string, unknown> {
    calls.push({ method, biz });
    switch (method) {
      case 'alipay.trade.precreate':
        return openTrade(method, biz, params);
      case 'alipay.trade.query': {
        const trade = typeof biz.out_trade_no === 'string' ? trades.get(biz.out_trade_no) : [...trades.values()].find((t) => t.tradeNo === biz.trade_no);
        if (!biz.out_trade_no && !biz.trade_no) return business('ACQ.INVALID_PARAMETER', '参数无效');
        // A precreated trade exists at Alipay only once a buyer has scanned it.
        if (!trade || trade.status === 'CREATED') return business('ACQ.TRADE_NOT_EXIST', '交易不存在');
        const { trade_status, ...rest } = tradeFields(trade);
        return success({ ...rest, trade_status });
      }
      case 'alipay.trade.refund': {
        const trade = typeof biz.out_trade_no === 'string' ? trades.get(biz.out_trade_no) : undefined;
        if (!trade || trade.status === 'CREATED') return business('ACQ.TRADE_NOT_EXIST', '交易不存在');
        if (typeof biz.refund_amount !== 'string' || !PRICE.test(biz.refund_amount) || fen(biz.refund_amount) < 1) {
          problems.push(`alipay.trade.refund: refund_amount ${JSON.stringify(biz.refund_amount)} is not a yuan amount`);
          return business('ACQ.INVALID_PARAMETER', '参数无效 refund_amount');
        }
        const requestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : trade.outTradeNo;
        if (!TRADE_NO.test(requestNo)) return business('ACQ.INVALID_PARAMETER', '参数无效 out_request_no');
        const base = { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, buyer_logon_id: '159****5620', buyer_user_id: '2088102122524333' };
        const earlier = trade.refunds.get(requestNo);
        if (earlier !== undefined) {
          if (earlier !== biz.refund_amount) return business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额与原请求不一致');
          return success({ ...base, fund_change: 'N', refund_fee: yuan(refundedFen(trade)) });
        }
        if (trade.status === 'WAIT_BUYER_PAY') return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        if (trade.status === 'TRADE_FINISHED') return business('ACQ.TRADE_HAS_FINISHED', '交易已完结');
        if (trade.status === 'TRADE_CLOSED') return business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
        if (refundedFen(trade) + fen(biz.refund_amount) > fen(trade.totalAmount)) return business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        trade.refunds.set(requestNo, biz.refund_amount);
        if (refundedFen(trade) === fen(trade.totalAmount)) trade.status = 'TRADE_CLOSED';
        return success({ ...base, fund_change: 'Y', refund_fee: yuan(refundedFen(trade)), gmt_refund_pay: beijing() });
      }
      case 'alipay.trade.fastpay.refund.query': {
        const trade = typeof biz.out_trade_no === 'string' ? trades.get(biz.out_trade_no) : undefined;
        if (!trade || trade.status === 'CREATED') return business('ACQ.TRADE_NOT_EXIST', '交易不存在');
        const requestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : '';
        const amount = trade.refunds.get(requestNo);
        // Not found: a success that returns no refund (the document: then it has not been refunded).
        if (amount === undefined) return success({});
        return success({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, out_request_no: requestNo, total_amount: trade.totalAmount, refund_amount: amount, refund_status: 'REFUND_SUCCESS' });
      }
      default:
        return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' };
    }
  }

  function parseBiz(text: string | undefined, method: string): Record<string, unknown> | undefined {
    try {
      const biz = JSON.parse(text ?? '') as unknown;
      if (biz && typeof biz === 'object' && !Array.isArray(biz)) return biz as Record<string, unknown>;
    } catch {
      // refused below
    }
    problems.push(`${method}: biz_content is not a JSON object`);
    return undefined;
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/gateway.do') {
      res.writeHead(404).end();
      return;
    }
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    // The buyer's browser on the checkout page: everything is in the signed query.
    if (req.method === 'GET') {
      const refused = checkCall(params);
      const biz = refused ? undefined : parseBiz(params.biz_content, 'alipay.trade.page.pay');
      if (refused || !biz || params.method !== 'alipay.trade.page.pay') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><body>错误代码 ${String(refused?.sub_code ?? 'invalid-request')}</body></html>`);
        return;
      }
      calls.push({ method: params.method, biz });
      const opened = openTrade(params.method, biz, params);
      if (opened.code === '10000') {
        const trade = trades.get(String(biz.out_trade_no))!;
        if (trade.status === 'CREATED') {
          trade.status = 'WAIT_BUYER_PAY';
          trade.tradeNo = newTradeNo();
        }
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><body>支付宝收银台 ${opened.code === '10000' ? `trade ${String(biz.out_trade_no)}` : String(opened.sub_code)}</body></html>`);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const type = String(req.headers['content-type'] ?? '');
    const text = await readBody(req);
    if (!type.startsWith('application/x-www-form-urlencoded')) problems.push(`a call sent ${type || 'no content type'}, not a form`);
    for (const [name, value] of new URLSearchParams(text)) params[name] = value;
    const method = params.method ?? '';
    const refused = checkCall(params);
    if (refused) {
      problems.push(`${method}: ${String(refused.sub_code)}`);
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(signedAnswer(method || 'error', refused));
      return;
    }
    const biz = parseBiz(params.biz_content, method);
    const answer = biz ? handle(method, biz, params) : business('ACQ.INVALID_PARAMETER', '参数无效 biz_content');
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', trace_id: randomBytes(8).toString('hex') }).end(signedAnswer(method, answer, fake.mode !== 'unsigned'));
  }

  const server: Server = createServer((req, res) => {
    if (fake.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fake.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (fake.mode === 'error') {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<html>500 Internal Server Error</html>');
      return;
    }
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const tradeOf = (outTradeNo: string) => {
    const trade = trades.get(outTradeNo);
    if (!trade) throw new Error(`the fake Alipay has no trade ${outTradeNo}`);
    return trade;
  };

  function noticeFields(trade: FakeTrade): Record<string, string> {
    const refunded = refundedFen(trade);
    const last = [...trade.refunds.keys()].at(-1);
    return {
      gmt_create: trade.gmtCreate,
      charset: 'utf-8',
      ...(trade.gmtPayment ? { gmt_payment: trade.gmtPayment } : {}),
      notify_time: beijing(),
      subject: trade.subject,
      buyer_id: '2088102122524333',
      version: '1.0',
      notify_id: `2026${randomBytes(12).toString('hex')}`,
      notify_type: 'trade_status_sync',
      out_trade_no: trade.outTradeNo,
      trade_no: trade.tradeNo ?? '',
      trade_status: trade.status,
      total_amount: trade.totalAmount,
      ...(trade.gmtPayment ? { receipt_amount: trade.totalAmount, buyer_pay_amount: trade.totalAmount, invoice_amount: trade.totalAmount, point_amount: '0.00', fund_bill_list: JSON.stringify([{ amount: trade.totalAmount, fundChannel: 'ALIPAYACCOUNT' }]) } : {}),
      ...(refunded > 0 ? { refund_fee: yuan(refunded), gmt_refund: beijing(), out_biz_no: last ?? '' } : {}),
      auth_app_id: appId,
      app_id: appId,
      seller_id: '2088101106499364',
      sign_type: 'RSA2',
    };
  }

  const fake: FakeAlipay = {
    url: base,
    gateway: `${base}/gateway.do`,
    appId,
    app,
    alipay,
    trades,
    calls,
    problems,
    mode: 'ok',
    env: (extra = {}) => ({
      SOUK_ALIPAY_APP_ID: appId,
      SOUK_ALIPAY_PRIVATE_KEY: app.privatePem,
      SOUK_ALIPAY_PUBLIC_KEY: alipay.publicPem,
      SOUK_ALIPAY_GATEWAY: `${base}/gateway.do`,
      ...extra,
    }),
    scan(outTradeNo) {
      const trade = tradeOf(outTradeNo);
      if (trade.status === 'CREATED') {
        trade.status = 'WAIT_BUYER_PAY';
        trade.tradeNo = newTradeNo();
      }
      return trade;
    },
    pay(outTradeNo) {
      const trade = fake.scan(outTradeNo);
      if (trade.status !== 'WAIT_BUYER_PAY') throw new Error(`trade ${outTradeNo} is ${trade.status}: it cannot be paid`);
      trade.status = 'TRADE_SUCCESS';
      trade.gmtPayment = beijing();
      return trade;
    },
    expire(outTradeNo) {
      const trade = tradeOf(outTradeNo);
      if (trade.status !== 'CREATED' && trade.status !== 'WAIT_BUYER_PAY') throw new Error(`trade ${outTradeNo} is ${trade.status}: it does not time out`);
      trade.status = 'TRADE_CLOSED';
      trade.tradeNo ??= newTradeNo();
      return trade;
    },
    notice(outTradeNo, options = {}) {
      const fields = noticeFields(tradeOf(outTradeNo));
      for (const [name, value] of Object.entries(options.fields ?? {})) {
        if (value === undefined) delete fields[name];
        else fields[name] = value;
      }
      fields.sign = rsa2Sign(signContent(fields, ['sign', 'sign_type'], false), options.signWith ?? alipay.privateKey);
      Object.assign(fields, options.tamper ?? {});
      return new URLSearchParams(fields).toString();
    },
    async notify(outTradeNo, options = {}) {
      const trade = tradeOf(outTradeNo);
      const body = options.body ?? fake.notice(outTradeNo, options);
      const res = await fetch(options.to ?? trade.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
      const result = { status: res.status, answer: await res.text() };
      trade.notices.push(result);
      return result;
    },
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

// Souk's calls to Alipay's OpenAPI gateway (the `gateway.do` protocol: a signed form, a signed JSON
// answer), through the official alipay-sdk: it signs every call with the app's key (RSA2) and
// checks the signature of every answer with Alipay's public key. What can go wrong on the way (no
// answer, a timeout, an HTTP error, an answer whose signature does not check) is GatewayUnavailable,
// in words that name no key; an answer that checks is handed back as Alipay wrote it.
import { createRequire } from 'node:module';
import type { AlipaySdk } from 'alipay-sdk';
import { GatewayUnavailable } from '../errors.js';
import type { AlipaySettings } from './settings.js';

/** One answer of Alipay: `code` 10000 is success, 40004 a business refusal (its `sub_code` says which). */
export interface AlipayAnswer {
  code: string;
  msg?: string;
  sub_code?: string;
  sub_msg?: string;
  [field: string]: unknown;
}

export const SUCCESS = '10000';

// The SDK is loaded when a client is made (Alipay is configured), not when this module is: with its
// HTTP client it takes a few hundred milliseconds to load, which every `souk` command and every
// server start would otherwise pay.
const load = createRequire(import.meta.url);

export class AlipayClient {
  // A private field: the SDK holds the app's key, which nothing may print or serialise.
  readonly #sdk: AlipaySdk;

  constructor(settings: AlipaySettings, timeoutMs: number) {
    const { AlipaySdk: Sdk } = load('alipay-sdk') as typeof import('alipay-sdk');
    this.#sdk = new Sdk({
      appId: settings.appId,
      privateKey: settings.privateKey,
      keyType: 'PKCS8',
      alipayPublicKey: settings.alipayPublicKey,
      gateway: settings.gateway,
      timeout: timeoutMs,
      // Alipay's own field names (out_trade_no, trade_status), as its documents write them.
      camelcase: false,
    });
  }

  /** Calls `method` with its biz_content (and common parameters such as notify_url); the answer's signature is checked. */
  async call(method: string, bizContent: Record<string, unknown>, common: Record<string, string> = {}): Promise<AlipayAnswer> {
    let answer: Record<string, unknown>;
    try {
      answer = await this.#sdk.exec(method, { ...common, bizContent }, { validateSign: true });
    } catch (error) {
      throw new GatewayUnavailable('alipay', whyFailed(error));
    }
    if (typeof answer.code !== 'string') throw new GatewayUnavailable('alipay', 'its answer had no result code');
    // The gateway's own refusals (20000 unavailable, 40001/40002 missing or invalid parameters such as
    // Souk's signature, 40006 no permission) say Souk's call cannot work as configured.
    if (answer.code !== SUCCESS && answer.code !== '40004') {
      throw new GatewayUnavailable('alipay', `it refused the call (${String(answer.code).slice(0, 10)} ${String(answer.sub_code ?? '').slice(0, 60)})`.trim());
    }
    return answer as AlipayAnswer;
  }

  /** The signed URL of Alipay's checkout page for a trade (alipay.trade.page.pay): the buyer's browser opens it; nothing is sent now. */
  pageUrl(bizContent: Record<string, unknown>, common: Record<string, string>): string {
    return this.#sdk.pageExecute('alipay.trade.page.pay', 'GET', { ...common, bizContent });
  }

  /** Whether a notification's form fields carry Alipay's RSA2 signature (over the sorted fields, sign and sign_type left out). */
  checkNotice(fields: Record<string, string>): boolean {
    try {
      // V2: the fields are checked as they arrived, already form-decoded (no second decoding).
      return this.#sdk.checkNotifySignV2(fields);
    } catch {
      return false;
    }
  }
}

/** Why a call failed, in words that name no key and quote nothing Alipay sent. */
function whyFailed(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  if (text.startsWith('HttpClient Request error')) return /timeout/i.test(text) ? 'no answer in time' : 'it could not be reached';
  if (text.startsWith('HTTP 请求错误')) return 'it answered with an HTTP error';
  if (text.startsWith('验签失败')) return "its answer's signature does not check with SOUK_ALIPAY_PUBLIC_KEY";
  if (text.startsWith('Response 格式错误')) return 'its answer was not what Alipay answers';
  return 'its answer could not be read';
}

// Souk's transport to WeChat Pay API v3: each request signed by the merchant (signing.ts), sent to
// the configured API URL with a deadline, redirects never followed, the answer's size capped, and
// the answer's own signature checked with WeChat Pay's platform key before a word of it is believed.
// What goes wrong is a GatewayUnavailable whose message names only what happened: never a key, a
// signature or the body.
import type { KeyObject } from 'node:crypto';
import { GatewayUnavailable } from '../errors.js';
import { merchantAuthorizer, signatureHeaders, signatureProblem, type Authorize, type MerchantSigner } from './signing.js';
import { readCapped } from '../../../../platform/read-capped.js';

/** WeChat Pay's answers are small JSON objects; anything larger is not one. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface WechatClientOptions extends MerchantSigner {
  apiUrl: string;
  platformKey: KeyObject;
  platformSerial: string;
  timeoutMs: number;
}

/** A signed answer from WeChat Pay: its status and JSON body (an error's `code` among it). */
export interface WechatAnswer {
  status: number;
  body: Record<string, unknown>;
  /** The error code of a 4xx/5xx answer (`ORDER_NOT_EXIST`, `ORDERPAID`, `SIGN_ERROR`…). */
  code?: string;
}

const unavailable = (why: string) => new GatewayUnavailable('wechat', why);

export class WechatClient {
  private readonly authorize: Authorize;

  constructor(private readonly options: WechatClientOptions) {
    this.authorize = merchantAuthorizer(options);
  }

  /** Sends one signed request; the answer, once its signature checks. GatewayUnavailable when it cannot be reached, or its answer is not WeChat Pay's. */
  async request(method: 'GET' | 'POST', pathAndQuery: string, payload?: Record<string, unknown>): Promise<WechatAnswer> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let status: number;
    let text: string;
    let headers: Headers;
    try {
      const response = await fetch(`${this.options.apiUrl}${pathAndQuery}`, {
        method,
        headers: {
          accept: 'application/json',
          'user-agent': 'Souk-WeChatPay/1',
          authorization: this.authorize(method, pathAndQuery, body),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body }),
        redirect: 'manual',
        signal,
      });
      status = response.status;
      headers = response.headers;
      text = await readCapped(response.body, MAX_ANSWER_BYTES, () => unavailable('its answer is too large'));
    } catch (error) {
      if (error instanceof GatewayUnavailable) throw error;
      throw unavailable(signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : 'the connection failed');
    }
    const signed = signatureHeaders((name) => headers.get(name) ?? undefined);
    // WeChat Pay signs every answer to a request whose own signature checked (200s and business
    // errors alike); an unsigned answer is a refusal of Souk's signature, or not WeChat Pay at all.
    if (!signed.signature) throw unavailable(status >= 200 && status < 300 ? 'its answer was not signed' : `it answered HTTP ${status}${errorCode(text) ? ` ${errorCode(text)}` : ''}`);
    const problem = signatureProblem(signed, text, this.options.platformKey, this.options.platformSerial);
    if (problem) throw unavailable(`its answer was refused: ${problem}`);
    let json: unknown = {};
    if (text !== '') {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw unavailable('it answered something that is not JSON');
      }
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw unavailable('it answered something that is not a JSON object');
    const code = status >= 300 ? errorCode(text) : undefined;
    return { status, body: json as Record<string, unknown>, ...(code ? { code } : {}) };
  }
}

/** The `code` of a WeChat Pay error body, when it is one of its upper-case words. */
function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}


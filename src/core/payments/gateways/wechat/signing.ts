// The pure parts of WeChat Pay API v3's wire: the merchant's request signature (built by the
// wechatpay-node-v3 SDK), the check of WeChat Pay's signature on its answers and notifications, the
// opening of a notification's AEAD_AES_256_GCM resource, and RFC 3339 times in Beijing time.
import { createDecipheriv, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type Pay from 'wechatpay-node-v3';

/** Who signs Souk's requests: the merchant number, its API private key and its certificate's serial. */
export interface MerchantSigner {
  mchid: string;
  appid: string;
  privateKey: string;
  certSerial: string;
}

/** Makes the `Authorization` header value of one request (`WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,…`). */
export type Authorize = (method: string, pathAndQuery: string, body: string, now?: Date) => string;

/**
 * The request signer, from the SDK. Its own request methods are not used: they send every call to
 * https://api.mch.weixin.qq.com (written into each method, and stripped from the signed URL by a
 * string replace), through its own HTTP client without a deadline, and make nonces with
 * Math.random; Souk sends to SOUK_WECHAT_API_URL (a test's fake on 127.0.0.1, or WeChat Pay's backup
 * domain) with its own transport, and signs with the SDK's getSignature and getAuthorization.
 */
export function merchantAuthorizer(signer: MerchantSigner): Authorize {
  // Loaded here, when WeChat Pay is configured, rather than by every `souk` command and server start (it takes a few hundred milliseconds).
  const Sdk = createRequire(import.meta.url)('wechatpay-node-v3') as typeof Pay;
  // The SDK wants a certificate only to read its serial; given the serial, any non-empty value does.
  const pay = new Sdk({ appid: signer.appid, mchid: signer.mchid, publicKey: Buffer.from('unused'), privateKey: Buffer.from(signer.privateKey), serial_no: signer.certSerial });
  return (method, pathAndQuery, body, now = new Date()) => {
    const nonce = randomBytes(16).toString('hex').toUpperCase();
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = pay.getSignature(method, nonce, timestamp, pathAndQuery, body === '' ? undefined : body);
    return pay.getAuthorization(nonce, timestamp, signature);
  };
}

/** What WeChat Pay signs of an answer or a notification: timestamp, nonce and body, each followed by a line feed. */
export const signedMessage = (timestamp: string, nonce: string, body: string) => `${timestamp}\n${nonce}\n${body}\n`;

export interface WechatSignature {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

/** Reads the Wechatpay-* headers (lower-case names) of an answer or a notification. */
export function signatureHeaders(headers: (name: string) => string | undefined): WechatSignature {
  return { timestamp: headers('wechatpay-timestamp'), nonce: headers('wechatpay-nonce'), signature: headers('wechatpay-signature'), serial: headers('wechatpay-serial') };
}

/**
 * Why the signature does not check, or undefined when WeChat Pay (the platform key of `serial`)
 * signed exactly this body. Checked here rather than with the SDK's verifySign, which keeps keys in
 * a process-wide table and, for a serial it does not know, fetches certificates from the real host.
 */
export function signatureProblem(sig: WechatSignature, body: string, platformKey: KeyObject, platformSerial: string): string | undefined {
  if (!sig.timestamp || !sig.nonce || !sig.signature || !sig.serial) return 'its Wechatpay-* signature headers are missing';
  if (sig.serial !== platformSerial) return 'it is signed with a key this Souk does not know (Wechatpay-Serial)';
  if (!/^\d{1,12}$/.test(sig.timestamp)) return 'its timestamp is not a number';
  const good = verify('RSA-SHA256', Buffer.from(signedMessage(sig.timestamp, sig.nonce, body)), platformKey, Buffer.from(sig.signature, 'base64'));
  return good ? undefined : 'its signature does not check';
}

/** WeChat Pay's notifications are refused when their timestamp is further than this from now (a replay). */
export const NOTICE_MAX_SKEW_SECONDS = 300;

export interface SealedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/**
 * Opens a notification's resource with the API v3 key; undefined when it does not open. Done with
 * node:crypto rather than the SDK's decipher_gcm, which never calls final() and so never checks
 * the GCM tag: a forged ciphertext would "decrypt" to garbage instead of being refused.
 */
export function openResource(resource: SealedResource, apiV3Key: Buffer): string | undefined {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') return undefined;
  try {
    const sealed = Buffer.from(resource.ciphertext, 'base64');
    if (sealed.length <= 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** An instant as WeChat Pay writes times (RFC 3339, Beijing time, whole seconds): `2026-12-03T12:15:00+08:00`. */
export function beijingTime(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

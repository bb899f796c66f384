// Alipay's RSA2 signing as its documents define it (签名 and 异步通知验签), for the fake Alipay and
// the tests that sign as Alipay does: key pairs, the sign content, signing and checking.
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A key pair as a test hands it to Souk (PEM) and keeps it to sign with. */
export interface RsaPair {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh 2048-bit RSA pair (Alipay's RSA2 keys). */
export function rsaPair(): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
  };
}

/**
 * Alipay's sign content: the fields but `leaveOut`, sorted by name, `k=v` joined by `&`. A request's
 * leaves out empty values too (签名: 剔除值为空的参数); a notification's keeps every field it carries
 * (异步通知验签: 除去 sign、sign_type, 凡是通知返回回来的参数皆是待验签的参数).
 */
export function signContent(fields: Record<string, string>, leaveOut: readonly string[], dropEmpty = true): string {
  return Object.keys(fields)
    .filter((name) => !leaveOut.includes(name) && fields[name] !== undefined && (!dropEmpty || fields[name] !== ''))
    .sort()
    .map((name) => `${name}=${fields[name]}`)
    .join('&');
}

export const rsa2Sign = (content: string, key: KeyObject) => createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64');
export const rsa2Check = (content: string, signature: string, key: KeyObject) => {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(key, signature, 'base64');
  } catch {
    return false;
  }
};

// WeChat Pay's settings (API v3, a direct merchant): the merchant number and app id, the API v3 key
// that seals notifications, the merchant's API private key and its certificate serial (requests are
// signed with them), and WeChat Pay's platform certificate or public key with its serial (answers
// and notifications are checked with it). A key may be given in the setting or in a file named by
// `<SETTING>_FILE`. WeChat Pay is offered only when every one of them is set; some but not all is a
// mistake worth stopping for. No value is ever repeated in an error.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { baseUrl, ConfigError, type Env } from '../../../../config.js';

export const WECHAT_API_URL = 'https://api.mch.weixin.qq.com';

export interface WechatSettings {
  mchid: string;
  appid: string;
  /** The API v3 key: 32 bytes (AEAD_AES_256_GCM of notifications). */
  apiV3Key: Buffer;
  /** The merchant API private key (PEM), which signs every request. */
  privateKey: string;
  /** The serial of the merchant API certificate, sent as `serial_no`. */
  certSerial: string;
  /** WeChat Pay's platform certificate or public key, which signs its answers and notifications. */
  platformKey: KeyObject;
  /** Its serial (a platform certificate's serial, or a public key id `PUB_KEY_ID_…`): `Wechatpay-Serial`. */
  platformSerial: string;
  apiUrl: string;
}

const REQUIRED = ['SOUK_WECHAT_MCHID', 'SOUK_WECHAT_APPID', 'SOUK_WECHAT_API_V3_KEY', 'SOUK_WECHAT_PRIVATE_KEY', 'SOUK_WECHAT_CERT_SERIAL', 'SOUK_WECHAT_PLATFORM_CERT', 'SOUK_WECHAT_PLATFORM_SERIAL'] as const;
const FROM_FILE = new Set<string>(['SOUK_WECHAT_PRIVATE_KEY', 'SOUK_WECHAT_PLATFORM_CERT']);

/** The setting's value, or the text of the file `<name>_FILE` names (keys and certificates only). */
function valueOrFile(env: Env, name: string): string | undefined {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const file = FROM_FILE.has(name) ? env[`${name}_FILE`]?.trim() : undefined;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(`${name}_FILE`, 'names a file Souk cannot read');
  }
}

/** A PEM given inline may come with its line breaks written as `\n` (one-line environment files). */
const pem = (text: string) => text.replace(/\\n/g, '\n');

/** WeChat Pay's settings, or undefined when none of them is set; ConfigError when some are missing or wrong. */
export function readWechatSettings(env: Env): WechatSettings | undefined {
  const values = new Map(REQUIRED.map((name) => [name, valueOrFile(env, name)] as const));
  const missing = REQUIRED.filter((name) => !values.get(name));
  if (missing.length === REQUIRED.length) return undefined;
  if (missing.length > 0) throw new ConfigError(missing[0]!, `is needed for WeChat Pay (also missing: ${missing.slice(1).join(', ') || 'nothing else'})`);
  const get = (name: (typeof REQUIRED)[number]) => values.get(name)!;
  const apiV3Key = Buffer.from(get('SOUK_WECHAT_API_V3_KEY'), 'utf8');
  if (apiV3Key.length !== 32) throw new ConfigError('SOUK_WECHAT_API_V3_KEY', 'must be the 32-character API v3 key set in the WeChat Pay merchant platform');
  const privateKey = pem(get('SOUK_WECHAT_PRIVATE_KEY'));
  try {
    if (createPrivateKey(privateKey).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ConfigError('SOUK_WECHAT_PRIVATE_KEY', 'must be the merchant API private key (apiclient_key.pem, RSA, PEM)');
  }
  let platformKey: KeyObject;
  try {
    // A platform certificate and a platform public key both give the key that checks WeChat Pay's signatures.
    platformKey = createPublicKey(pem(get('SOUK_WECHAT_PLATFORM_CERT')));
    if (platformKey.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ConfigError('SOUK_WECHAT_PLATFORM_CERT', "must be WeChat Pay's platform certificate or platform public key (RSA, PEM)");
  }
  for (const name of ['SOUK_WECHAT_MCHID', 'SOUK_WECHAT_APPID', 'SOUK_WECHAT_CERT_SERIAL', 'SOUK_WECHAT_PLATFORM_SERIAL'] as const) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(get(name))) throw new ConfigError(name, 'must be letters, digits or _ (as the merchant platform shows it)');
  }
  return {
    mchid: get('SOUK_WECHAT_MCHID'),
    appid: get('SOUK_WECHAT_APPID'),
    apiV3Key,
    privateKey,
    certSerial: get('SOUK_WECHAT_CERT_SERIAL'),
    platformKey,
    platformSerial: get('SOUK_WECHAT_PLATFORM_SERIAL'),
    apiUrl: baseUrl(env, 'SOUK_WECHAT_API_URL', WECHAT_API_URL),
  };
}

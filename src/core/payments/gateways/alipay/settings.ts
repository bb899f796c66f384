// Alipay's settings (SOUK_ALIPAY_*): the app's id and RSA private key (it signs every call),
// Alipay's public key (it checks what Alipay answers and notifies), the gateway and the way the
// buyer pays. Keys come from a setting or from the file a `<SETTING>_FILE` names, in any of the
// forms Alipay's key tool writes (PEM, PKCS#1 or PKCS#8, or bare base64); they are read once,
// checked, and normalised to PEM. A ConfigError names the setting, never the key.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { baseUrl, ConfigError, type Env } from '../../../../config.js';

/** How the buyer pays: a QR code to scan (alipay.trade.precreate) or Alipay's checkout page (alipay.trade.page.pay). */
export type AlipayMode = 'qr' | 'page';

export interface AlipaySettings {
  appId: string;
  /** The app's private key, PKCS#8 PEM. */
  privateKey: string;
  /** Alipay's public key, SPKI PEM. */
  alipayPublicKey: string;
  /** Alipay's OpenAPI gateway (`…/gateway.do`). */
  gateway: string;
  mode: AlipayMode;
}

export const ALIPAY_PRODUCTION_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** A setting's text, or the content of the file `<name>_FILE` names; undefined when neither is set. */
function textOrFile(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  const file = env[`${name}_FILE`]?.trim();
  if (text && file) throw new ConfigError(name, `set either ${name} or ${name}_FILE, not both`);
  if (text) return text;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(`${name}_FILE`, 'names a file Souk cannot read');
  }
}

/** The key as a KeyObject, whichever of the key tool's forms it is in (PEM, or bare base64 DER). */
function parseKey(text: string, kind: 'private' | 'public'): KeyObject | undefined {
  const attempts: Array<() => KeyObject> = [];
  if (text.includes('-----BEGIN')) {
    attempts.push(() => (kind === 'private' ? createPrivateKey(text) : createPublicKey(text)));
  } else {
    const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
    if (kind === 'private') {
      attempts.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
    } else {
      attempts.push(() => createPublicKey({ key: der, format: 'der', type: 'spki' }), () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
    }
  }
  for (const attempt of attempts) {
    try {
      const key = attempt();
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // the next form
    }
  }
  return undefined;
}

function rsaKey(env: Env, name: string, kind: 'private' | 'public'): string | undefined {
  const text = textOrFile(env, name);
  if (text === undefined) return undefined;
  const key = parseKey(text, kind);
  if (!key) throw new ConfigError(name, `is not an RSA ${kind} key (PEM, or the base64 text Alipay's key tool writes)`);
  return kind === 'private' ? String(key.export({ type: 'pkcs8', format: 'pem' })) : String(key.export({ type: 'spki', format: 'pem' }));
}

/** Alipay's settings, or undefined unless the app id and both keys are set. */
export function readAlipaySettings(env: Env): AlipaySettings | undefined {
  const appId = env.SOUK_ALIPAY_APP_ID?.trim();
  const privateKey = rsaKey(env, 'SOUK_ALIPAY_PRIVATE_KEY', 'private');
  const alipayPublicKey = rsaKey(env, 'SOUK_ALIPAY_PUBLIC_KEY', 'public');
  const mode = (env.SOUK_ALIPAY_MODE?.trim().toLowerCase() || 'qr') as AlipayMode;
  if (mode !== 'qr' && mode !== 'page') throw new ConfigError('SOUK_ALIPAY_MODE', `must be qr or page, got "${env.SOUK_ALIPAY_MODE}"`);
  const gateway = baseUrl(env, 'SOUK_ALIPAY_GATEWAY', ALIPAY_PRODUCTION_GATEWAY);
  if (!appId || !privateKey || !alipayPublicKey) return undefined;
  if (!/^\d{1,32}$/.test(appId)) throw new ConfigError('SOUK_ALIPAY_APP_ID', 'must be the digits of your Alipay app id');
  return { appId, privateKey, alipayPublicKey, gateway, mode };
}

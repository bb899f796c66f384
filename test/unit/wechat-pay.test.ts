// The pure parts of the WeChat Pay gateway: the merchant's Authorization header and the exact
// message it signs (as WeChat Pay's "签名生成" document writes it), WeChat Pay's signature over
// answers and notifications, opening an AEAD_AES_256_GCM resource, RFC 3339 times in Beijing
// time, and reading the settings (all or none, keys from files, no value echoed in an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { readWechatSettings } from '../../src/core/payments/gateways/wechat/settings.js';
import { beijingTime, merchantAuthorizer, openResource, signatureProblem, signedMessage } from '../../src/core/payments/gateways/wechat/signing.js';
import { wechatEnv, wechatKeys } from '../fakes/wechat.js';

const keys = wechatKeys();

function authorizationFields(header: string): Record<string, string> {
  const match = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header);
  assert.ok(match, header);
  return Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

test('the Authorization header names the merchant and its certificate serial, and signs METHOD, path, timestamp, nonce and body, each on a line', () => {
  const authorize = merchantAuthorizer({ mchid: keys.mchid, appid: keys.appid, privateKey: keys.merchantPrivateKeyPem, certSerial: keys.merchantSerial });
  const at = new Date('2026-12-03T04:15:00Z');
  const get = authorizationFields(authorize('GET', '/v3/pay/transactions/out-trade-no/SK1234567?mchid=1900009191', '', at));
  assert.equal(get.mchid, keys.mchid);
  assert.equal(get.serial_no, keys.merchantSerial);
  assert.equal(get.timestamp, String(Date.parse('2026-12-03T04:15:00Z') / 1000));
  assert.match(get.nonce_str!, /^[0-9A-F]{32}$/);
  // A GET has an empty body: its line is empty.
  const getMessage = `GET\n/v3/pay/transactions/out-trade-no/SK1234567?mchid=1900009191\n${get.timestamp}\n${get.nonce_str}\n\n`;
  assert.equal(verify('RSA-SHA256', Buffer.from(getMessage), keys.merchantPublicKey, Buffer.from(get.signature!, 'base64')), true);
  const body = JSON.stringify({ mchid: keys.mchid, amount: { total: 1, currency: 'CNY' } });
  const post = authorizationFields(authorize('POST', '/v3/pay/transactions/native', body, at));
  const postMessage = `POST\n/v3/pay/transactions/native\n${post.timestamp}\n${post.nonce_str}\n${body}\n`;
  assert.equal(verify('RSA-SHA256', Buffer.from(postMessage), keys.merchantPublicKey, Buffer.from(post.signature!, 'base64')), true);
  assert.notEqual(post.nonce_str, get.nonce_str);
});

test("WeChat Pay's signature: over timestamp, nonce and body with its platform key and serial; anything else is named, not believed", () => {
  const platform = readWechatSettings(wechatEnv(keys, 'http://127.0.0.1:9'))!.platformKey;
  assert.equal(signedMessage('1554208460', 'abc', '{"a":1}'), '1554208460\nabc\n{"a":1}\n');
  const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}';
  const signature = sign('RSA-SHA256', Buffer.from(signedMessage('1554208460', 'N1', body)), keys.platformPrivateKey).toString('base64');
  const headers = { timestamp: '1554208460', nonce: 'N1', signature, serial: keys.platformSerial };
  assert.equal(signatureProblem(headers, body, platform, keys.platformSerial), undefined);
  assert.match(signatureProblem(headers, `${body} `, platform, keys.platformSerial)!, /does not check/);
  assert.match(signatureProblem({ ...headers, nonce: 'N2' }, body, platform, keys.platformSerial)!, /does not check/);
  assert.match(signatureProblem({ ...headers, serial: 'OTHER' }, body, platform, keys.platformSerial)!, /Wechatpay-Serial/);
  assert.match(signatureProblem({ ...headers, signature: undefined }, body, platform, keys.platformSerial)!, /missing/);
  assert.match(signatureProblem({ ...headers, timestamp: '12a' }, body, platform, keys.platformSerial)!, /not a number/);
});

test('a resource sealed with AEAD_AES_256_GCM opens with the API v3 key, its nonce and associated data; a changed byte, key or associated data does not', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
  const seal = (plain: string, nonce: string, aad: string) => {
    const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  };
  const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext: seal('{"trade_state":"SUCCESS"}', 'fdasflkja484', 'transaction'), nonce: 'fdasflkja484', associated_data: 'transaction' };
  assert.equal(openResource(resource, key), '{"trade_state":"SUCCESS"}');
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  assert.equal(openResource({ ...resource, ciphertext: bytes.toString('base64') }, key), undefined);
  assert.equal(openResource(resource, Buffer.from('x'.repeat(32))), undefined);
  assert.equal(openResource({ ...resource, associated_data: 'refund' }, key), undefined);
  assert.equal(openResource({ ...resource, algorithm: 'AES_128_CBC' }, key), undefined);
  assert.equal(openResource({ ...resource, ciphertext: 'AAAA' }, key), undefined);
});

test('times go to WeChat Pay in RFC 3339, Beijing time, whole seconds', () => {
  assert.equal(beijingTime('2026-12-03T04:15:00.789Z'), '2026-12-03T12:15:00+08:00');
  assert.equal(beijingTime('2026-12-31T20:00:00Z'), '2027-01-01T04:00:00+08:00');
});

test('settings: none set is no WeChat Pay; some set is an error naming what is missing, never a value', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-wechat-'));
  try {
    assert.equal(loadConfig({ SOUK_DATA_DIR: dir }).gateways.wechat, undefined);
    const full = wechatEnv(keys, 'http://127.0.0.1:9');
    const settings = loadConfig({ SOUK_DATA_DIR: dir, ...full }).gateways.wechat!;
    assert.equal(settings.mchid, keys.mchid);
    assert.equal(settings.apiUrl, 'http://127.0.0.1:9');
    assert.equal(readWechatSettings({ ...full, SOUK_WECHAT_API_URL: '' })!.apiUrl, 'https://api.mch.weixin.qq.com');
    const partial = { ...full, SOUK_WECHAT_CERT_SERIAL: '' };
    assert.throws(() => readWechatSettings(partial), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_WECHAT_CERT_SERIAL' && !e.message.includes(keys.apiV3Key));
    assert.throws(() => readWechatSettings({ ...full, SOUK_WECHAT_API_V3_KEY: 'short-key-value' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_WECHAT_API_V3_KEY' && !e.message.includes('short-key-value'));
    assert.throws(() => readWechatSettings({ ...full, SOUK_WECHAT_PRIVATE_KEY: 'not a key' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_WECHAT_PRIVATE_KEY' && !e.message.includes('not a key'));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => readWechatSettings({ ...full, SOUK_WECHAT_PLATFORM_CERT: ec }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_WECHAT_PLATFORM_CERT');
    // Keys from files named by _FILE, and a PEM written on one line with \n.
    const keyFile = path.join(dir, 'apiclient_key.pem');
    const platformFile = path.join(dir, 'wechatpay_pub.pem');
    writeFileSync(keyFile, keys.merchantPrivateKeyPem);
    writeFileSync(platformFile, keys.platformPublicKeyPem);
    const fromFiles = readWechatSettings({ ...full, SOUK_WECHAT_PRIVATE_KEY: '', SOUK_WECHAT_PRIVATE_KEY_FILE: keyFile, SOUK_WECHAT_PLATFORM_CERT: '', SOUK_WECHAT_PLATFORM_CERT_FILE: platformFile })!;
    assert.equal(fromFiles.privateKey.trim(), keys.merchantPrivateKeyPem.trim());
    const oneLine = readWechatSettings({ ...full, SOUK_WECHAT_PLATFORM_CERT: keys.platformPublicKeyPem.replace(/\n/g, '\\n') })!;
    assert.equal(oneLine.platformKey.asymmetricKeyType, 'rsa');
    assert.throws(() => readWechatSettings({ ...full, SOUK_WECHAT_PRIVATE_KEY: '', SOUK_WECHAT_PRIVATE_KEY_FILE: path.join(dir, 'missing.pem') }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_WECHAT_PRIVATE_KEY_FILE');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

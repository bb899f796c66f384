// The pure parts of the Alipay gateway: fen to Alipay's yuan strings and back (never a float),
// timeout_express, trade statuses, its settings (keys in every form Alipay's key tool writes, or
// from files; a bad key named, never shown), and its check of a notification's signature over the
// string Alipay's documents define (sorted fields, `sign` and `sign_type` left out, values as sent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '../../src/config.js';
import { AlipayGateway, beijingTime, fenOf, readAlipaySettings, timeoutExpress, yuanOf } from '../../src/core/payments/gateways/alipay/index.js';
import { outcomeOf } from '../../src/core/payments/gateways/alipay/wire.js';
import { NotificationRefused } from '../../src/core/payments/gateways/index.js';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

test('fen become the yuan strings Alipay takes, and Alipay yuan strings become fen, exactly', () => {
  assert.equal(yuanOf(10_000), '100.00');
  assert.equal(yuanOf(1), '0.01');
  assert.equal(yuanOf(8850), '88.50');
  assert.equal(yuanOf(0), '0.00');
  assert.throws(() => yuanOf(1.5), RangeError);
  assert.throws(() => yuanOf(-1), RangeError);
  assert.equal(fenOf('88.8'), 8880);
  assert.equal(fenOf('0.01'), 1);
  assert.equal(fenOf('100'), 10_000);
  for (const bad of ['', '1.234', '-1.00', '1e3', '01.00', ' ', 'NaN', '1,00', undefined]) assert.equal(fenOf(bad), undefined, String(bad));
  fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (fen) => fenOf(yuanOf(fen)) === fen));
});

test('timeout_express is whole minutes to the charge expiry, within Alipay 1m to 15d', () => {
  const now = Date.parse('2026-12-03T04:00:00Z');
  assert.equal(timeoutExpress('2026-12-03T04:15:00Z', now), '15m');
  assert.equal(timeoutExpress('2026-12-03T04:15:59Z', now), '15m');
  assert.equal(timeoutExpress('2026-12-03T04:00:20Z', now), '1m');
  assert.equal(timeoutExpress('2026-12-03T03:00:00Z', now), '1m');
  assert.equal(timeoutExpress('2027-12-03T04:00:00Z', now), `${15 * 24 * 60}m`);
});

test('time_expire is the same instant in Beijing time, yyyy-MM-dd HH:mm:ss', () => {
  assert.equal(beijingTime('2026-12-03T04:15:00Z'), '2026-12-03 12:15:00');
  assert.equal(beijingTime('2026-12-31T20:30:59.900Z'), '2027-01-01 04:30:59');
});

test('trade statuses: success and finished are paid, waiting waits, closed is closed or, with a refund, refunded', () => {
  assert.equal(outcomeOf('TRADE_SUCCESS', false), 'paid');
  assert.equal(outcomeOf('TRADE_FINISHED', false), 'paid');
  assert.equal(outcomeOf('WAIT_BUYER_PAY', false), 'waiting');
  assert.equal(outcomeOf('TRADE_CLOSED', false), 'closed');
  assert.equal(outcomeOf('TRADE_CLOSED', true), 'refunded');
  assert.equal(outcomeOf('PAID', false), undefined);
  assert.equal(outcomeOf(undefined, false), undefined);
});

test('settings: Alipay is configured only with the app id and both keys, in PEM, bare base64 or files', () => {
  const app = pair();
  const alipay = pair();
  const pkcs1Pem = String(app.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const pkcs8Bare = (app.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');
  const publicBare = (alipay.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const expectedPrivate = String(app.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const expectedPublic = String(alipay.publicKey.export({ type: 'spki', format: 'pem' }));

  assert.equal(readAlipaySettings({}), undefined);
  assert.equal(readAlipaySettings({ SOUK_ALIPAY_APP_ID: '2021000000000001', SOUK_ALIPAY_PRIVATE_KEY: pkcs1Pem }), undefined);
  for (const privateKey of [pkcs1Pem, pkcs8Bare, expectedPrivate]) {
    const settings = readAlipaySettings({ SOUK_ALIPAY_APP_ID: '2021000000000001', SOUK_ALIPAY_PRIVATE_KEY: privateKey, SOUK_ALIPAY_PUBLIC_KEY: publicBare });
    assert.deepEqual(settings, { appId: '2021000000000001', privateKey: expectedPrivate, alipayPublicKey: expectedPublic, gateway: 'https://openapi.alipay.com/gateway.do', mode: 'qr' });
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-alipay-'));
  try {
    writeFileSync(path.join(dir, 'app.pem'), pkcs1Pem);
    writeFileSync(path.join(dir, 'alipay.pub'), publicBare);
    const fromFiles = readAlipaySettings({ SOUK_ALIPAY_APP_ID: '2021000000000001', SOUK_ALIPAY_PRIVATE_KEY_FILE: path.join(dir, 'app.pem'), SOUK_ALIPAY_PUBLIC_KEY_FILE: path.join(dir, 'alipay.pub'), SOUK_ALIPAY_MODE: 'page', SOUK_ALIPAY_GATEWAY: 'https://openapi-sandbox.dl.alipaydev.com/gateway.do' });
    assert.equal(fromFiles?.privateKey, expectedPrivate);
    assert.equal(fromFiles?.mode, 'page');
    assert.equal(fromFiles?.gateway, 'https://openapi-sandbox.dl.alipaydev.com/gateway.do');
    assert.throws(() => readAlipaySettings({ SOUK_ALIPAY_PRIVATE_KEY_FILE: path.join(dir, 'missing.pem') }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_ALIPAY_PRIVATE_KEY_FILE');
    assert.throws(() => readAlipaySettings({ SOUK_ALIPAY_PRIVATE_KEY: pkcs1Pem, SOUK_ALIPAY_PRIVATE_KEY_FILE: path.join(dir, 'app.pem') }), ConfigError);
  } finally {
    rmSync(dir, { recursive: true });
  }
  const notAKey = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsecret';
  assert.throws(
    () => readAlipaySettings({ SOUK_ALIPAY_APP_ID: '2021000000000001', SOUK_ALIPAY_PRIVATE_KEY: notAKey, SOUK_ALIPAY_PUBLIC_KEY: publicBare }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_ALIPAY_PRIVATE_KEY' && !e.message.includes('secret') && !e.message.includes('MIIE'),
  );
  assert.throws(() => readAlipaySettings({ SOUK_ALIPAY_MODE: 'app' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_ALIPAY_MODE');
  assert.throws(() => readAlipaySettings({ SOUK_ALIPAY_APP_ID: 'app-1', SOUK_ALIPAY_PRIVATE_KEY: pkcs1Pem, SOUK_ALIPAY_PUBLIC_KEY: publicBare }), ConfigError);
});

test("a notification is believed only when Alipay's key signed its sorted fields without sign and sign_type, values as decoded from the form", async () => {
  const app = pair();
  const alipay = pair();
  const gateway = new AlipayGateway(
    { appId: '2021000000000001', privateKey: String(app.privateKey.export({ type: 'pkcs8', format: 'pem' })), alipayPublicKey: String(alipay.publicKey.export({ type: 'spki', format: 'pem' })), gateway: 'http://127.0.0.1:9/gateway.do', mode: 'qr' },
    1000,
  );
  const fields: Record<string, string> = {
    app_id: '2021000000000001',
    charset: 'utf-8',
    notify_type: 'trade_status_sync',
    out_trade_no: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    // Characters a form encodes: the signature is over the decoded text.
    subject: 'Order 100% + 礼品卡 & more=yes',
    total_amount: '100.00',
    trade_no: '2026120322001404330000121536',
    trade_status: 'TRADE_SUCCESS',
    version: '1.0',
  };
  // Alipay's documented sign string, built here by hand: sorted names, k=v joined with &.
  const content = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
  assert.ok(content.startsWith('app_id=2021000000000001&charset=utf-8&notify_type=trade_status_sync&out_trade_no='));
  const sign = createSign('RSA-SHA256').update(content, 'utf8').sign(alipay.privateKey, 'base64');
  const body = new URLSearchParams({ ...fields, sign, sign_type: 'RSA2' }).toString();
  const contentType = 'application/x-www-form-urlencoded; charset=utf-8';
  assert.deepEqual(await gateway.verify({ headers: {}, body, contentType }), {
    externalId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    outcome: 'paid',
    paymentId: '2026120322001404330000121536',
    paidMinor: 10_000,
    currency: 'CNY',
  });
  const signedByOther = createSign('RSA-SHA256').update(content, 'utf8').sign(app.privateKey, 'base64');
  const refused = async (text: string, type = contentType) => assert.rejects(gateway.verify({ headers: {}, body: text, contentType: type }), NotificationRefused);
  await refused(new URLSearchParams({ ...fields, sign: signedByOther, sign_type: 'RSA2' }).toString());
  await refused(new URLSearchParams({ ...fields, total_amount: '1.00', sign, sign_type: 'RSA2' }).toString());
  await refused(new URLSearchParams({ ...fields, sign_type: 'RSA2' }).toString());
  await refused(`${body}&total_amount=1.00`);
  await refused(`${body}&__proto__=x&constructor=y`);
  await refused(JSON.stringify({ ...fields, sign }), 'application/json');
  assert.deepEqual(gateway.answer(true), { status: 200, contentType: 'text/plain', body: 'success' });
  assert.notEqual(gateway.answer(false).body, 'success');
});

// The pure parts of the BTCPay gateway: amounts as BTCPay writes them, the BTCPay-Sig signature,
// what each invoice status means to Souk, and its settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { amountToMinor, expirationMinutes, minorToAmount } from '../../src/core/payments/gateways/btcpay/amounts.js';
import { btcPaySignature, isGenuineSignature } from '../../src/core/payments/gateways/btcpay/signature.js';
import { invoiceState } from '../../src/core/payments/gateways/btcpay/states.js';
import { readBtcPaySettings } from '../../src/core/payments/gateways/btcpay/settings.js';
import type { BtcPayInvoice } from '../../src/core/payments/gateways/btcpay/wire.js';
import { ConfigError } from '../../src/config.js';
import { COINS } from '../../src/core/payments/methods.js';

test('amounts: minor units are written as BTCPay decimal strings, and what it says was paid is read rounded down', () => {
  assert.equal(minorToAmount(1250, 'USD'), '12.50');
  assert.equal(minorToAmount(5, 'USD'), '0.05');
  assert.equal(minorToAmount(1200, 'JPY'), '1200');
  assert.equal(amountToMinor('12.50', 'USD'), 1250);
  assert.equal(amountToMinor('12.5', 'USD'), 1250);
  assert.equal(amountToMinor('12', 'USD'), 1200);
  assert.equal(amountToMinor('12.509', 'USD'), 1250);
  assert.equal(amountToMinor('0.00', 'USD'), 0);
  assert.equal(amountToMinor('1200', 'JPY'), 1200);
  assert.equal(amountToMinor('-1.00', 'USD'), undefined);
  assert.equal(amountToMinor('1e3', 'USD'), undefined);
  assert.equal(amountToMinor(undefined, 'USD'), undefined);
});

test('expirationMinutes: whole minutes, rounded down so the invoice ends no later than the order, at least one', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  assert.equal(expirationMinutes('2026-12-03T10:15:00Z', now), 15);
  assert.equal(expirationMinutes('2026-12-03T10:15:59Z', now), 15);
  assert.equal(expirationMinutes('2026-12-03T10:00:20Z', now), 1);
  assert.equal(expirationMinutes('2026-12-03T09:00:00Z', now), 1);
});

test('BTCPay-Sig is sha256= and the hex HMAC-SHA256 of the body with the webhook secret; anything else does not check', () => {
  const body = '{"type":"InvoiceSettled","invoiceId":"HMprBnL9BTXWuPvpoKBS6e"}';
  // Computed independently (Python's hmac module).
  const expected = 'sha256=3e2c2deddfe1b2bae96d83044dfc7a45e2d43a043eae11d4e80b34a0c588766b';
  assert.equal(btcPaySignature(body, 'my webhook secret'), expected);
  assert.equal(isGenuineSignature(expected, body, 'my webhook secret'), true);
  assert.equal(isGenuineSignature(expected.toUpperCase().replace('SHA256=', 'sha256='), body, 'my webhook secret'), true);
  assert.equal(isGenuineSignature(expected, body + ' ', 'my webhook secret'), false);
  assert.equal(isGenuineSignature(expected, body, 'another secret'), false);
  assert.equal(isGenuineSignature(expected.slice('sha256='.length), body, 'my webhook secret'), false);
  assert.equal(isGenuineSignature(undefined, body, 'my webhook secret'), false);
  assert.equal(isGenuineSignature('sha256=zz', body, 'my webhook secret'), false);
});

const invoice = (fields: Partial<BtcPayInvoice>): BtcPayInvoice => ({ id: 'Inv1', amount: '12.50', paidAmount: '0.00', currency: 'USD', status: 'New', additionalStatus: 'None', ...fields });

test('invoice states: Settled and paid-late are paid (never less than asked), New waits with what came, Processing waits, Expired and Invalid are closed', () => {
  assert.deepEqual(invoiceState(invoice({ status: 'Settled', paidAmount: '12.50' })), { externalId: 'Inv1', currency: 'USD', outcome: 'paid', paymentId: 'Inv1', paidMinor: 1250 });
  assert.deepEqual(invoiceState(invoice({ status: 'Settled', additionalStatus: 'PaidOver', paidAmount: '15.00' })).paidMinor, 1500);
  // Within the store's payment tolerance, or marked settled by a person: BTCPay judged it paid in full.
  assert.deepEqual(invoiceState(invoice({ status: 'Settled', additionalStatus: 'Marked', paidAmount: '0.00' })).paidMinor, 1250);
  assert.deepEqual(invoiceState(invoice({ status: 'Expired', additionalStatus: 'PaidLate', paidAmount: '12.50' })), { externalId: 'Inv1', currency: 'USD', outcome: 'paid', paymentId: 'Inv1', paidMinor: 1250 });
  assert.deepEqual(invoiceState(invoice({})), { externalId: 'Inv1', currency: 'USD', outcome: 'waiting' });
  assert.deepEqual(invoiceState(invoice({ additionalStatus: 'PaidPartial', paidAmount: '4.00' })), { externalId: 'Inv1', currency: 'USD', outcome: 'waiting', paidMinor: 400 });
  assert.deepEqual(invoiceState(invoice({ status: 'Processing', paidAmount: '12.50' })), { externalId: 'Inv1', currency: 'USD', outcome: 'waiting' });
  assert.deepEqual(invoiceState(invoice({ status: 'Expired' })), { externalId: 'Inv1', currency: 'USD', outcome: 'closed' });
  assert.deepEqual(invoiceState(invoice({ status: 'Expired', additionalStatus: 'PaidPartial', paidAmount: '4.00' })), { externalId: 'Inv1', currency: 'USD', outcome: 'closed', paidMinor: 400 });
  assert.deepEqual(invoiceState(invoice({ status: 'Invalid', paidAmount: '12.50' })), { externalId: 'Inv1', currency: 'USD', outcome: 'closed' });
});

test('settings: configured only with the URL, key, store and secret; key and secret from files; coins with their payment method ids', () => {
  const full = { SOUK_BTCPAY_URL: 'https://btcpay.example.com/', SOUK_BTCPAY_API_KEY: 'k', SOUK_BTCPAY_STORE_ID: 'Store1', SOUK_BTCPAY_WEBHOOK_SECRET: 's' };
  assert.deepEqual(readBtcPaySettings(full), { url: 'https://btcpay.example.com', apiKey: 'k', storeId: 'Store1', webhookSecret: 's', coins: [{ coin: 'btc', paymentMethodId: 'BTC-CHAIN' }], currency: 'USD' });
  for (const missing of Object.keys(full)) assert.equal(readBtcPaySettings({ ...full, [missing]: '' }), undefined, missing);
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-btcpay-'));
  try {
    writeFileSync(path.join(dir, 'key'), 'from-file\n');
    writeFileSync(path.join(dir, 'secret'), 'secret-from-file\n');
    const fromFiles = readBtcPaySettings({ ...full, SOUK_BTCPAY_API_KEY: '', SOUK_BTCPAY_API_KEY_FILE: path.join(dir, 'key'), SOUK_BTCPAY_WEBHOOK_SECRET: undefined, SOUK_BTCPAY_WEBHOOK_SECRET_FILE: path.join(dir, 'secret') });
    assert.equal(fromFiles?.apiKey, 'from-file');
    assert.equal(fromFiles?.webhookSecret, 'secret-from-file');
    assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_API_KEY: '', SOUK_BTCPAY_API_KEY_FILE: path.join(dir, 'absent') }), ConfigError);
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.deepEqual(readBtcPaySettings({ ...full, SOUK_BTCPAY_COINS: 'btc, eth=ETH-CHAIN', SOUK_BTCPAY_CURRENCY: 'eur' })?.coins, [
    { coin: 'btc', paymentMethodId: 'BTC-CHAIN' },
    { coin: 'eth', paymentMethodId: 'ETH-CHAIN' },
  ]);
  assert.equal(readBtcPaySettings({ ...full, SOUK_BTCPAY_CURRENCY: 'eur' })?.currency, 'EUR');
  // Every Souk coin may be named, with BTCPay's id for it.
  assert.deepEqual(readBtcPaySettings({ ...full, SOUK_BTCPAY_COINS: COINS.map((c) => `${c}=X-${c}`).join(',') })?.coins.map((c) => c.coin), [...COINS]);
  assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_COINS: 'eth' }), /ETH-CHAIN/);
  assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_COINS: 'doge' }), ConfigError);
  assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_COINS: 'btc,btc' }), ConfigError);
  assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_CURRENCY: 'dollars' }), ConfigError);
  assert.throws(() => readBtcPaySettings({ ...full, SOUK_BTCPAY_URL: 'ftp://btcpay' }), ConfigError);
});

// The BTCPay gateway object against a fake BTCPay Server (test/fakes/btcpay.ts, written from
// BTCPay's Greenfield documents): invoices opened once per reference, webhooks checked by
// BTCPay-Sig and answered from a lookup, invoice states, refunds as pull payments (once per
// reference), the health ping, and a server down, failing or hanging → GatewayUnavailable whose
// message names no secret. No database: the gateway alone.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeBtcPay } from '../fakes/btcpay.js';
import { BtcPayGateway, readBtcPaySettings } from '../../src/core/payments/gateways/btcpay/index.js';
import { GatewayUnavailable, NotificationRefused, type GatewayCharge, type GatewayNotice } from '../../src/core/payments/gateways/index.js';

describe('the BTCPay gateway against a fake BTCPay Server', () => {
  let fake: FakeBtcPay;
  let gateway: BtcPayGateway;
  let n = 0;

  const settingsFor = (overrides: Record<string, string> = {}) =>
    readBtcPaySettings({ SOUK_BTCPAY_URL: fake.url, SOUK_BTCPAY_API_KEY: fake.apiKey, SOUK_BTCPAY_STORE_ID: fake.storeId, SOUK_BTCPAY_WEBHOOK_SECRET: fake.webhookSecret, ...overrides })!;
  const charge = (fields: Partial<GatewayCharge> = {}): GatewayCharge => ({
    reference: `01JREF${String(++n).padStart(20, '0')}`,
    amountMinor: 1250,
    currency: 'USD',
    subject: 'Order SK-1',
    expiresAt: new Date(Date.now() + 15 * 60_000 + 30_000).toISOString(),
    notifyUrl: 'http://127.0.0.1:1/hooks/payments/btcpay',
    returnUrl: 'https://shop.example.com/orders/SK-1',
    coin: 'btc',
    ...fields,
  });
  const notice = (body: string, signature?: string): GatewayNotice => ({ headers: { 'btcpay-sig': signature ?? fake.sign(body), 'content-type': 'application/json' }, body, contentType: 'application/json' });
  const secrets = () => [fake.apiKey, fake.webhookSecret];
  async function refusal(promise: Promise<unknown>, kind: typeof GatewayUnavailable | typeof NotificationRefused): Promise<string> {
    const error = await promise.then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof kind, String(error));
    for (const secret of secrets()) assert.equal((error as Error).message.includes(secret), false, 'a secret in the message');
    return (error as Error).message;
  }

  before(async () => {
    fake = await FakeBtcPay.start({ rates: { 'BTC-CHAIN': 50_000 } });
    gateway = new BtcPayGateway(settingsFor(), 400);
  });
  beforeEach(() => {
    fake.mode = 'up';
  });
  after(async () => {
    assert.deepEqual(fake.problems, []);
    await fake.close();
  });

  test('open makes an invoice as BTCPay wants it and shows the checkout, address, coin amount and URI; the same reference again finds it', async () => {
    const asked = charge();
    const opened = await gateway.open(asked);
    const invoice = fake.invoiceOf(asked.reference)!;
    assert.ok(invoice, 'an invoice with metadata.orderId = the reference');
    assert.equal(opened.externalId, invoice.id);
    assert.equal(invoice.amountMinor, 1250);
    assert.equal(invoice.currency, 'USD');
    assert.deepEqual(invoice.paymentMethods, ['BTC-CHAIN']);
    assert.equal(invoice.checkout.expirationMinutes, 15);
    assert.equal(invoice.checkout.redirectURL, asked.returnUrl);
    assert.equal(opened.checkoutUrl, `${fake.url}/i/${invoice.id}`);
    assert.equal(opened.address, invoice.destinations['BTC-CHAIN']);
    assert.equal(opened.amount, '0.00025000');
    assert.equal(opened.uri, `bitcoin:${opened.address}?amount=0.00025000`);

    const again = await gateway.open(asked);
    assert.equal(again.externalId, opened.externalId);
    assert.equal([...fake.invoices.values()].filter((i) => i.metadata.orderId === asked.reference).length, 1);
    assert.ok(fake.requests.every((r) => r.authorization === `token ${fake.apiKey}`));
  });

  test('open refuses a coin the store does not take and a charge in another currency, asking BTCPay nothing', async () => {
    const before = fake.requests.length;
    await refusal(gateway.open(charge({ coin: 'eth' })), GatewayUnavailable);
    await refusal(gateway.open(charge({ currency: 'CNY' })), GatewayUnavailable);
    assert.equal(fake.requests.length, before);
  });

  test('verify: a genuine webhook is answered from the invoice as BTCPay has it; InvoiceCreated and other events say nothing', async () => {
    const opened = await gateway.open(charge());
    assert.equal(await gateway.verify(notice(fake.event('InvoiceCreated', opened.externalId))), null);
    assert.equal(await gateway.verify(notice(fake.event('PayoutCreated', opened.externalId))), null);
    assert.deepEqual(await gateway.verify(notice(fake.event('InvoiceReceivedPayment', opened.externalId))), { externalId: opened.externalId, currency: 'USD', outcome: 'waiting' });
    fake.settle(opened.externalId);
    // What a webhook claims is not believed: the state comes from the lookup.
    const settled = fake.event('InvoiceSettled', opened.externalId, { overPaid: true, manuallyMarked: false });
    const state = await gateway.verify(notice(settled));
    assert.deepEqual(state, { externalId: opened.externalId, currency: 'USD', outcome: 'paid', paymentId: opened.externalId, paidMinor: 1250 });
    // Replayed, it says the same again (the core credits a payment once).
    assert.deepEqual(await gateway.verify(notice(settled)), state);
  });

  test('verify refuses a forged signature, a tampered body, a missing signature, another store and a body that names no invoice', async () => {
    const opened = await gateway.open(charge());
    fake.settle(opened.externalId);
    const body = fake.event('InvoiceSettled', opened.externalId);
    await refusal(gateway.verify(notice(body, fake.sign(body, 'not the secret'))), NotificationRefused);
    await refusal(gateway.verify(notice(body.replace('"InvoiceSettled"', '"InvoiceSettled" '), fake.sign(body))), NotificationRefused);
    await refusal(gateway.verify({ headers: {}, body, contentType: 'application/json' }), NotificationRefused);
    const otherStore = fake.event('InvoiceSettled', opened.externalId, { storeId: 'AnotherStore' });
    assert.match(await refusal(gateway.verify(notice(otherStore)), NotificationRefused), /another store/);
    await refusal(gateway.verify(notice(fake.event('InvoiceSettled', '../../stores'))), NotificationRefused);
    await refusal(gateway.verify(notice('not json')), NotificationRefused);
  });

  test('verify of a genuine webhook while BTCPay cannot be asked is not accepted (BTCPay sends it again)', async () => {
    const opened = await gateway.open(charge());
    fake.mode = 'error500';
    assert.match(await refusal(gateway.verify(notice(fake.event('InvoiceSettled', opened.externalId))), NotificationRefused), /could not be looked up/);
  });

  test('lookUp follows the invoice: waiting, part paid, processing, settled, over, expired, expired part paid, paid late, unknown', async () => {
    const open = async () => (await gateway.open(charge())).externalId;
    const a = await open();
    assert.deepEqual(await gateway.lookUp(a), { externalId: a, currency: 'USD', outcome: 'waiting' });
    fake.pay(a, 400);
    assert.deepEqual(await gateway.lookUp(a), { externalId: a, currency: 'USD', outcome: 'waiting', paidMinor: 400 });
    fake.pay(a, 850);
    assert.deepEqual(await gateway.lookUp(a), { externalId: a, currency: 'USD', outcome: 'waiting' });
    fake.confirm(a);
    assert.deepEqual(await gateway.lookUp(a), { externalId: a, currency: 'USD', outcome: 'paid', paymentId: a, paidMinor: 1250 });

    const over = await open();
    fake.settle(over, 1500);
    assert.equal((await gateway.lookUp(over)).paidMinor, 1500);

    const expired = await open();
    fake.expire(expired);
    assert.deepEqual(await gateway.lookUp(expired), { externalId: expired, currency: 'USD', outcome: 'closed' });

    const short = await open();
    fake.pay(short, 300);
    fake.expire(short);
    assert.deepEqual(await gateway.lookUp(short), { externalId: short, currency: 'USD', outcome: 'closed', paidMinor: 300 });
    fake.pay(short, 950);
    assert.deepEqual(await gateway.lookUp(short), { externalId: short, currency: 'USD', outcome: 'paid', paymentId: short, paidMinor: 1250 });

    assert.deepEqual(await gateway.lookUp('NoSuchInvoice1'), { externalId: 'NoSuchInvoice1', outcome: 'closed' });
  });

  test('refund makes one pull payment per reference for the amount in the store currency, and says it is owed and where it is claimed', async () => {
    const opened = await gateway.open(charge());
    fake.settle(opened.externalId);
    const refund = { reference: `${opened.externalId}R`, amountMinor: 1250, totalMinor: 1250, currency: 'USD', reason: 'order refunded' };
    const first = await gateway.refund(opened.externalId, refund);
    const second = await gateway.refund(opened.externalId, refund);
    const pulls = fake.pullPayments.filter((p) => p.invoiceId === opened.externalId);
    assert.equal(pulls.length, 1);
    assert.deepEqual({ amount: pulls[0]!.amount, currency: pulls[0]!.currency }, { amount: '12.50', currency: 'USD' });
    assert.deepEqual(first, { outcome: 'owed', claimUrl: `${fake.url}/pull-payments/${pulls[0]!.id}` });
    assert.deepEqual(second, first);

    // An invoice BTCPay will not refund (not paid): still owed, to be paid back by hand.
    const unpaid = await gateway.open(charge());
    assert.deepEqual(await gateway.refund(unpaid.externalId, { ...refund, reference: `${unpaid.externalId}R` }), { outcome: 'owed' });
  });

  test('ping passes with the right key and store; a wrong key or store is GatewayUnavailable naming no secret', async () => {
    await gateway.ping();
    assert.equal(fake.requests.at(-1)?.path, `/api/v1/stores/${fake.storeId}`);
    const wrongKey = new BtcPayGateway(settingsFor({ SOUK_BTCPAY_API_KEY: 'wrong-key-123' }), 400);
    assert.match(await refusal(wrongKey.ping(), GatewayUnavailable), /refused Souk's API key \(HTTP 401/);
    const wrongStore = new BtcPayGateway(settingsFor({ SOUK_BTCPAY_STORE_ID: 'OtherStore' }), 400);
    assert.match(await refusal(wrongStore.ping(), GatewayUnavailable), /HTTP 403/);
  });

  test('a server that drops connections, answers 500 or hangs past the deadline is GatewayUnavailable, its message naming no secret', async () => {
    for (const mode of ['down', 'error500', 'hang'] as const) {
      fake.mode = mode;
      const messages = [await refusal(gateway.open(charge()), GatewayUnavailable), await refusal(gateway.lookUp('SomeInvoice1'), GatewayUnavailable), await refusal(gateway.ping(), GatewayUnavailable)];
      if (mode === 'hang') assert.ok(messages.every((m) => m.includes('no answer within 400 ms')), messages.join(' | '));
      if (mode === 'error500') assert.ok(messages.every((m) => m.includes('HTTP 500')), messages.join(' | '));
    }
  });

  test('the answer is 200 for accepted and a non-2xx for not accepted, so BTCPay redelivers', () => {
    assert.equal(gateway.answer(true).status, 200);
    assert.equal(gateway.answer(false).status >= 300, true);
  });
});

// The WeChat Pay gateway against a fake of WeChat Pay API v3 on 127.0.0.1 (test/fakes/wechat.ts),
// which checks the merchant's signature on every request and signs its answers and notifications
// with a platform key the test generates: opening a Native order (twice gives the same one),
// notifications (genuine, forged, tampered, for another merchant or app, replayed), lookups,
// refunds (once per reference, pending until done), the health check, and a WeChat Pay that cannot
// be reached, answers 500, hangs or is impersonated: GatewayUnavailable, no secret in any message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { GatewayUnavailable, NotificationRefused, type GatewayCharge } from '../../src/core/payments/gateways/index.js';
import { readWechatSettings, WechatGateway } from '../../src/core/payments/gateways/wechat/index.js';
import { FakeWechatPay, publicPem, startFakeWechatPay, wechatEnv, type Notification } from '../fakes/wechat.js';

const TIMEOUT_MS = 2000;

describe('the WeChat Pay gateway, against a fake WeChat Pay API v3', () => {
  let fake: FakeWechatPay;
  let gateway: WechatGateway;
  let seq = 0;
  const errors: string[] = [];

  const gatewayAt = (url: string, env: Record<string, string> = {}, timeoutMs = TIMEOUT_MS) => new WechatGateway(readWechatSettings({ ...wechatEnv(fake.keys, url), ...env })!, timeoutMs);
  const charge = (amountMinor = 5000): GatewayCharge => ({
    reference: `01JWECHAT${String(++seq).padStart(17, '0')}`,
    amountMinor,
    currency: 'CNY',
    subject: 'Order SK-1234',
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    notifyUrl: 'https://shop.example.com/hooks/payments/wechat',
  });
  const asNotice = (n: Notification) => ({ headers: n.headers, body: n.body, contentType: 'application/json' });
  async function fails<T extends Error>(promise: Promise<unknown>, kind: new (...args: never[]) => T): Promise<T> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
      errors.push((error as Error).message);
      return error as T;
    }
    assert.fail(`expected ${kind.name}`);
  }

  before(async () => {
    fake = await startFakeWechatPay();
    gateway = gatewayAt(fake.url);
  });
  after(async () => {
    await fake.close();
    // No message ever carries a secret: the API v3 key, a private key, or a signature.
    for (const message of errors) {
      assert.ok(!message.includes(fake.keys.apiV3Key), message);
      assert.ok(!message.includes('PRIVATE KEY') && !message.includes(fake.keys.merchantPrivateKeyPem.split('\n')[1]!), message);
      assert.ok(!/signature="/.test(message), message);
    }
  });

  test('open: a Native order for the charge in fen, expiring in Beijing time, answered with its code_url; opening it again gives the same one', async () => {
    const asked = charge(12_345);
    const opened = await gateway.open(asked);
    assert.equal(opened.externalId, asked.reference);
    assert.match(opened.qrCode ?? '', /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const order = fake.orders.get(asked.reference)!;
    assert.equal(order.total, 12_345);
    assert.equal(order.appid, fake.keys.appid);
    assert.equal(order.notify_url, asked.notifyUrl);
    assert.equal(order.description, 'Order SK-1234');
    assert.match(order.time_expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.equal(Date.parse(order.time_expire), Math.floor(Date.parse(asked.expiresAt) / 1000) * 1000);
    const again = await gateway.open(asked);
    assert.deepEqual(again, opened);
    assert.equal([...fake.orders.keys()].filter((ref) => ref === asked.reference).length, 1);
    assert.deepEqual(fake.refusals.filter((r) => r.startsWith('SIGN_ERROR')), []);
  });

  test('open: an order already paid at WeChat Pay is opened without a code to scan; other currencies are refused before any call', async () => {
    const asked = charge();
    await gateway.open(asked);
    fake.pay(asked.reference);
    const reopened = await gateway.open(asked);
    assert.deepEqual(reopened, { externalId: asked.reference });
    await fails(gateway.open({ ...charge(), currency: 'USD' }), GatewayUnavailable);
    const changed = charge();
    await gateway.open(changed);
    const used = await fails(gateway.open({ ...changed, amountMinor: changed.amountMinor + 1 }), GatewayUnavailable);
    assert.match(used.message, /OUT_TRADE_NO_USED/);
  });

  test('verify: a genuine TRANSACTION.SUCCESS is the payment, by transaction_id and amount.total in fen', async () => {
    const asked = charge(8850);
    await gateway.open(asked);
    const order = fake.pay(asked.reference, { payerTotal: 8000 });
    const state = await gateway.verify(asNotice(fake.paidNotification(asked.reference)));
    assert.deepEqual(state, { externalId: asked.reference, outcome: 'paid', paymentId: order.transaction_id, paidMinor: 8850, currency: 'CNY' });
  });

  test('verify: forged, tampered, resealed, unknown-serial, other-merchant, other-app and replayed notifications are refused', async () => {
    const asked = charge();
    await gateway.open(asked);
    fake.pay(asked.reference);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = fake.paidNotification(asked.reference, { keys: { platformPrivateKey: other.privateKey } });
    assert.match((await fails(gateway.verify(asNotice(forged)), NotificationRefused)).message, /signature does not check/);
    const genuine = fake.paidNotification(asked.reference);
    const tampered = { ...genuine, body: genuine.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ') };
    await fails(gateway.verify(asNotice(tampered)), NotificationRefused);
    const resealed = fake.paidNotification(asked.reference, { keys: { apiV3Key: 'x'.repeat(32) } });
    assert.match((await fails(gateway.verify(asNotice(resealed)), NotificationRefused)).message, /does not open/);
    const unknownSerial = { ...genuine, headers: { ...genuine.headers, 'wechatpay-serial': 'PUB_KEY_ID_SOMEONE_ELSE' } };
    await fails(gateway.verify(asNotice(unknownSerial)), NotificationRefused);
    const unsigned = { ...genuine, headers: { 'content-type': 'application/json' } };
    await fails(gateway.verify(asNotice(unsigned)), NotificationRefused);
    const view = { appid: fake.keys.appid, mchid: fake.keys.mchid, out_trade_no: asked.reference, transaction_id: '4200000000000000000000000001', trade_state: 'SUCCESS', amount: { total: asked.amountMinor, payer_total: asked.amountMinor, currency: 'CNY' } };
    const otherMerchant = fake.notification('TRANSACTION.SUCCESS', 'transaction', { ...view, mchid: '1230000109' });
    assert.match((await fails(gateway.verify(asNotice(otherMerchant)), NotificationRefused)).message, /another merchant/);
    const otherApp = fake.notification('TRANSACTION.SUCCESS', 'transaction', { ...view, appid: 'wx0000000000000000' });
    assert.match((await fails(gateway.verify(asNotice(otherApp)), NotificationRefused)).message, /another app/);
    const replayed = fake.paidNotification(asked.reference, { at: new Date(Date.now() - 10 * 60_000) });
    assert.match((await fails(gateway.verify(asNotice(replayed)), NotificationRefused)).message, /5 minutes/);
    const notJson = { ...genuine, body: 'not json' };
    await fails(gateway.verify(asNotice(notJson)), NotificationRefused);
    // The genuine one still checks.
    assert.equal((await gateway.verify(asNotice(genuine)))?.outcome, 'paid');
  });

  test('verify: REFUND.SUCCESS says the charge is refunded; another event speaks of no payment', async () => {
    const asked = charge();
    await gateway.open(asked);
    fake.pay(asked.reference);
    fake.refundStatus = 'PROCESSING';
    assert.equal(await gateway.refund(asked.reference, { reference: `${asked.reference}R`, amountMinor: asked.amountMinor, totalMinor: asked.amountMinor, currency: 'CNY', reason: 'order refunded' }), 'pending');
    fake.refundStatus = 'SUCCESS';
    assert.deepEqual(await gateway.verify(asNotice(fake.refundNotification(`${asked.reference}R`))), { externalId: asked.reference, outcome: 'refunded' });
    const other = fake.notification('REFUND.ABNORMAL', 'refund', { mchid: fake.keys.mchid, out_trade_no: asked.reference, refund_status: 'ABNORMAL' });
    assert.equal(await gateway.verify(asNotice(other)), null);
  });

  test('answer: 204 when accepted; 400 {code: FAIL} when refused, so WeChat Pay sends again', () => {
    assert.deepEqual(gateway.answer(true), { status: 204, contentType: 'application/json', body: '' });
    const refused = gateway.answer(false);
    assert.equal(refused.status, 400);
    assert.equal(JSON.parse(refused.body).code, 'FAIL');
  });

  test('lookUp: not opened and NOTPAY are waiting, SUCCESS is paid, CLOSED is closed', async () => {
    assert.deepEqual(await gateway.lookUp('01JNEVEROPENED000000000000'), { externalId: '01JNEVEROPENED000000000000', outcome: 'waiting' });
    const asked = charge(700);
    await gateway.open(asked);
    assert.deepEqual(await gateway.lookUp(asked.reference), { externalId: asked.reference, outcome: 'waiting' });
    const order = fake.pay(asked.reference);
    assert.deepEqual(await gateway.lookUp(asked.reference), { externalId: asked.reference, outcome: 'paid', paymentId: order.transaction_id, paidMinor: 700, currency: 'CNY' });
    const unpaid = charge();
    await gateway.open(unpaid);
    fake.expire(unpaid.reference);
    assert.equal((await gateway.lookUp(unpaid.reference)).outcome, 'closed');
  });

  test("refund: once per reference; a pending refund is looked up as refunded only once WeChat Pay finished it", async () => {
    const asked = charge(3000);
    await gateway.open(asked);
    fake.pay(asked.reference);
    const refund = { reference: `${asked.reference}R`, amountMinor: 3000, totalMinor: 3000, currency: 'CNY', reason: 'order refunded' };
    fake.refundStatus = 'PROCESSING';
    assert.equal(await gateway.refund(asked.reference, refund), 'pending');
    assert.equal(await gateway.refund(asked.reference, refund), 'pending');
    assert.equal([...fake.refunds.values()].filter((r) => r.out_trade_no === asked.reference).length, 1);
    // trade_state is REFUND as soon as it is asked, but Souk's refund is still processing.
    assert.equal((await gateway.lookUp(asked.reference)).outcome, 'waiting');
    fake.refunds.get(refund.reference)!.status = 'SUCCESS';
    assert.deepEqual(await gateway.lookUp(asked.reference), { externalId: asked.reference, outcome: 'refunded' });
    fake.refundStatus = 'SUCCESS';
    const second = charge(100);
    await gateway.open(second);
    fake.pay(second.reference);
    assert.equal(await gateway.refund(second.reference, { ...refund, reference: `${second.reference}R`, amountMinor: 100, totalMinor: 100 }), 'refunded');
    // An unpaid order cannot be refunded: WeChat Pay refuses, the refund job will try again.
    const unpaid = charge();
    await gateway.open(unpaid);
    await fails(gateway.refund(unpaid.reference, { ...refund, reference: `${unpaid.reference}R` }), GatewayUnavailable);
  });

  test('ping: a signed ORDER_NOT_EXIST proves the credentials; a merchant key WeChat Pay does not know is refused', async () => {
    await gateway.ping();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = await fails(gatewayAt(fake.url, { SOUK_WECHAT_PRIVATE_KEY: stranger }).ping(), GatewayUnavailable);
    assert.match(refused.message, /SIGN_ERROR|401/);
    assert.ok(fake.refusals.some((r) => r.startsWith('SIGN_ERROR: the signature does not check')));
  });

  test('an answer not signed by the platform key is not believed', async () => {
    const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const misled = gatewayAt(fake.url, { SOUK_WECHAT_PLATFORM_CERT: publicPem(impostor.publicKey) });
    assert.match((await fails(misled.ping(), GatewayUnavailable)).message, /signature does not check/);
    const wrongSerial = gatewayAt(fake.url, { SOUK_WECHAT_PLATFORM_SERIAL: 'PUB_KEY_ID_OTHER' });
    await fails(wrongSerial.lookUp('01JNEVEROPENED000000000000'), GatewayUnavailable);
  });

  test('unreachable, 500 and a hang past the deadline are GatewayUnavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.match((await fails(gatewayAt(`http://127.0.0.1:${port}`).open(charge()), GatewayUnavailable)).message, /connection failed/);
    fake.down = '500';
    await fails(gateway.open(charge()), GatewayUnavailable);
    await fails(gateway.lookUp('01JNEVEROPENED000000000000'), GatewayUnavailable);
    fake.down = 'hang';
    assert.match((await fails(gatewayAt(fake.url, {}, 300).ping(), GatewayUnavailable)).message, /no answer within 300 ms/);
    fake.down = undefined;
    await gateway.ping();
  });
});

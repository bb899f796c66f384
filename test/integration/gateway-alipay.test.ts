// The Alipay gateway object against a fake Alipay gateway.do (test/fakes/alipay.ts) that checks
// the RSA2 signature of every call with the app's public key and signs its answers and
// notifications with a key this test generates: opening a trade (QR code or checkout page, the
// same trade when opened again), notifications (genuine, forged, tampered, for another app,
// replayed), lookups, refunds once per reference, the health check, and an Alipay that cannot be
// reached, errs, hangs or answers unsigned: GatewayUnavailable, with no key in any message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { AlipayGateway, readAlipaySettings, type AlipaySettings } from '../../src/core/payments/gateways/alipay/index.js';
import { GatewayUnavailable, NotificationRefused, type GatewayCharge } from '../../src/core/payments/gateways/index.js';
import { rsaPair, startFakeAlipay, type FakeAlipay } from '../fakes/alipay.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const TIMEOUT_MS = 2000;
let sequence = 0;
const reference = () => `01JALIPAYTEST${String(Date.now()).slice(-8)}${String(++sequence).padStart(5, '0')}`;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the Alipay gateway against a fake Alipay', () => {
  let fake: FakeAlipay;
  let settings: AlipaySettings;
  let gateway: AlipayGateway;
  const charge = (overrides: Partial<GatewayCharge> = {}): GatewayCharge => ({
    reference: reference(),
    amountMinor: 10_000,
    currency: 'CNY',
    subject: 'Order SK-1001',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    notifyUrl: 'https://shop.example/hooks/payments/alipay',
    ...overrides,
  });
  const notice = (body: string) => ({ headers: { 'content-type': FORM }, body, contentType: FORM });
  /** Every piece of a key Souk holds: none may show in an error. */
  const secrets = () => [settings.privateKey, fake.app.privatePem].flatMap((pem) => pem.split('\n').filter((line) => line.length > 20));
  const assertUnavailable = async (call: Promise<unknown>, words?: RegExp) =>
    assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof GatewayUnavailable, String(error));
      if (words) assert.match(error.message, words);
      for (const secret of secrets()) assert.ok(!error.message.includes(secret), 'a key in an error message');
      return true;
    });

  before(async () => {
    fake = await startFakeAlipay();
    settings = readAlipaySettings(fake.env())!;
    gateway = new AlipayGateway(settings, TIMEOUT_MS);
  });
  after(async () => {
    assert.deepEqual(fake.problems, []);
    await fake.close();
  });

  test('open precreates a trade with yuan amounts and gives its QR code; opening the same reference again gives the same trade', async () => {
    const wanted = charge({ amountMinor: 8850 });
    const opened = await gateway.open(wanted);
    assert.equal(opened.externalId, wanted.reference);
    assert.match(opened.qrCode ?? '', /^https:\/\/qr\.alipay\.com\/bax/);
    const call = fake.calls.at(-1)!;
    assert.equal(call.method, 'alipay.trade.precreate');
    assert.deepEqual(call.biz, { out_trade_no: wanted.reference, total_amount: '88.50', subject: 'Order SK-1001', timeout_express: call.biz.timeout_express });
    assert.match(String(call.biz.timeout_express), /^1[45]m$/);
    assert.equal(fake.trades.get(wanted.reference)?.notifyUrl, 'https://shop.example/hooks/payments/alipay');
    const again = await gateway.open(wanted);
    assert.deepEqual(again, opened);
    assert.equal([...fake.trades.keys()].filter((k) => k === wanted.reference).length, 1);
  });

  test('reopening a trade already paid finds it paid (nothing to scan); other details or a closed trade are refused', async () => {
    const paid = charge();
    await gateway.open(paid);
    fake.pay(paid.reference);
    assert.deepEqual(await gateway.open(paid), { externalId: paid.reference });

    const changed = charge();
    await gateway.open(changed);
    await assertUnavailable(gateway.open({ ...changed, amountMinor: 1 }), /ACQ\.CONTEXT_INCONSISTENT/);

    const closed = charge();
    await gateway.open(closed);
    fake.expire(closed.reference);
    await assertUnavailable(gateway.open(closed), /ACQ\.TRADE_HAS_CLOSE/);
    await assertUnavailable(gateway.open({ ...charge(), currency: 'USD' }), /CNY/);
  });

  test("page mode gives a signed checkout URL on Alipay's gateway; the buyer's browser opens the trade there", async () => {
    const page = new AlipayGateway({ ...settings, mode: 'page' }, TIMEOUT_MS);
    const wanted = charge({ returnUrl: 'https://shop.example/orders/SK-1' });
    const opened = await page.open(wanted);
    assert.equal(opened.qrCode, undefined);
    const url = new URL(opened.checkoutUrl ?? '');
    assert.equal(`${url.origin}${url.pathname}`, fake.gateway);
    assert.equal(url.searchParams.get('method'), 'alipay.trade.page.pay');
    assert.equal(url.searchParams.get('notify_url'), wanted.notifyUrl);
    assert.equal(url.searchParams.get('return_url'), 'https://shop.example/orders/SK-1');
    // The order's end in Beijing time, absolute: the page's own timeout restarts whenever it is opened.
    const beijing = new Date(Date.parse(wanted.expiresAt) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.deepEqual(JSON.parse(url.searchParams.get('biz_content') ?? '{}'), { out_trade_no: wanted.reference, total_amount: '100.00', subject: 'Order SK-1001', product_code: 'FAST_INSTANT_TRADE_PAY', time_expire: beijing });
    assert.equal(fake.trades.has(wanted.reference), false, 'nothing is sent before the buyer opens it');
    const visit = await fetch(opened.checkoutUrl!);
    assert.equal(visit.status, 200);
    assert.match(await visit.text(), new RegExp(`trade ${wanted.reference}`));
    // Opened twice (the buyer reloads, or Souk retries): the same trade.
    await fetch((await page.open(wanted)).checkoutUrl!);
    assert.equal(fake.trades.get(wanted.reference)?.via, 'page');
    assert.deepEqual(await page.lookUp(wanted.reference), { externalId: wanted.reference, outcome: 'waiting' });
    // A URL changed after signing is refused by Alipay.
    url.searchParams.set('biz_content', url.searchParams.get('biz_content')!.replace('100.00', '1.00'));
    assert.match(await (await fetch(url)).text(), /isv\.invalid-signature/);
  });

  test('verify believes a genuine notification: paid with trade_no and total_amount in fen; waiting, closed and refunded too', async () => {
    const wanted = charge({ amountMinor: 12_345 });
    await gateway.open(wanted);
    fake.scan(wanted.reference);
    assert.deepEqual(await gateway.verify(notice(fake.notice(wanted.reference))), { externalId: wanted.reference, outcome: 'waiting' });
    const trade = fake.pay(wanted.reference);
    const paid = await gateway.verify(notice(fake.notice(wanted.reference)));
    assert.deepEqual(paid, { externalId: wanted.reference, outcome: 'paid', paymentId: trade.tradeNo, paidMinor: 12_345, currency: 'CNY' });
    // Replayed: the same notification again says the same (crediting it once is the core's rule).
    const body = fake.notice(wanted.reference);
    assert.deepEqual(await gateway.verify(notice(body)), paid);
    assert.deepEqual(await gateway.verify(notice(body)), paid);
    assert.equal(await gateway.refund(wanted.reference, { reference: `${wanted.reference}R`, amountMinor: 12_345, totalMinor: 12_345, currency: 'CNY', reason: 'buyer asked' }), 'refunded');
    assert.deepEqual(await gateway.verify(notice(fake.notice(wanted.reference))), { externalId: wanted.reference, outcome: 'refunded' });

    const unpaid = charge();
    await gateway.open(unpaid);
    fake.expire(unpaid.reference);
    assert.deepEqual(await gateway.verify(notice(fake.notice(unpaid.reference))), { externalId: unpaid.reference, outcome: 'closed' });
  });

  test('verify refuses a forged signature, a tampered body, another app, a missing signature and what is not a form', async () => {
    const wanted = charge();
    await gateway.open(wanted);
    fake.pay(wanted.reference);
    const refused = (body: string, contentType = FORM) => assert.rejects(gateway.verify({ headers: {}, body, contentType }), NotificationRefused);
    await refused(fake.notice(wanted.reference, { signWith: rsaPair().privateKey }));
    await refused(fake.notice(wanted.reference, { tamper: { total_amount: '1000.00' } }));
    await refused(fake.notice(wanted.reference, { tamper: { trade_status: 'TRADE_SUCCESS', out_trade_no: reference() } }));
    // Signed by Alipay's key, for another app of the same merchant.
    await refused(fake.notice(wanted.reference, { fields: { app_id: '2021000000000999', auth_app_id: '2021000000000999' } }));
    await refused(fake.notice(wanted.reference, { fields: { trade_status: 'TRADE_PAID' } }));
    await refused(fake.notice(wanted.reference, { fields: { total_amount: '12.345' } }));
    await refused(fake.notice(wanted.reference).replace(/&sign=[^&]*/, ''));
    await refused(fake.notice(wanted.reference), 'application/json');
    await refused('');
    await refused('%%%&&&==');
  });

  test('lookUp: a trade nobody has scanned is waiting (Alipay does not know it yet), then waiting, paid, closed', async () => {
    const wanted = charge({ amountMinor: 500 });
    await gateway.open(wanted);
    assert.deepEqual(await gateway.lookUp(wanted.reference), { externalId: wanted.reference, outcome: 'waiting' });
    fake.scan(wanted.reference);
    assert.deepEqual(await gateway.lookUp(wanted.reference), { externalId: wanted.reference, outcome: 'waiting' });
    const trade = fake.pay(wanted.reference);
    assert.deepEqual(await gateway.lookUp(wanted.reference), { externalId: wanted.reference, outcome: 'paid', paymentId: trade.tradeNo, paidMinor: 500, currency: 'CNY' });
    const lost = charge();
    await gateway.open(lost);
    fake.expire(lost.reference);
    assert.deepEqual(await gateway.lookUp(lost.reference), { externalId: lost.reference, outcome: 'closed' });
    assert.equal(fake.calls.filter((c) => c.method === 'alipay.trade.query' && c.biz.out_trade_no === wanted.reference).length, 3);
  });

  test('refund asks once per reference: asked again, no money moves and it is still refunded; an unpaid trade is owed', async () => {
    const wanted = charge({ amountMinor: 10_000 });
    await gateway.open(wanted);
    fake.pay(wanted.reference);
    const refund = { reference: `${wanted.reference}R`, amountMinor: 4000, totalMinor: 10_000, currency: 'CNY', reason: 'order refunded' };
    assert.equal(await gateway.refund(wanted.reference, refund), 'refunded');
    assert.equal(await gateway.refund(wanted.reference, refund), 'refunded');
    assert.deepEqual([...fake.trades.get(wanted.reference)!.refunds], [[`${wanted.reference}R`, '40.00']]);
    const asked = fake.calls.filter((c) => c.method === 'alipay.trade.refund' && c.biz.out_trade_no === wanted.reference);
    assert.deepEqual(asked.map((c) => [c.biz.out_request_no, c.biz.refund_amount]), [[`${wanted.reference}R`, '40.00'], [`${wanted.reference}R`, '40.00']]);
    // The repeat was confirmed by the refund query, as Alipay's documents say to.
    assert.equal(fake.calls.filter((c) => c.method === 'alipay.trade.fastpay.refund.query' && c.biz.out_trade_no === wanted.reference).length, 1);

    const unpaid = charge();
    await gateway.open(unpaid);
    fake.scan(unpaid.reference);
    assert.equal(await gateway.refund(unpaid.reference, { ...refund, reference: `${unpaid.reference}R` }), 'owed');
  });

  test('ping passes with keys Alipay takes, and fails when Alipay refuses the signature or its answers do not check', async () => {
    await gateway.ping();
    // The gateway object shows no key, printed or serialised.
    for (const secret of secrets()) assert.ok(!inspect(gateway, { depth: 10, showHidden: true }).includes(secret) && !JSON.stringify(gateway).includes(secret));
    assert.equal(fake.calls.at(-1)?.method, 'alipay.trade.query');

    const wrongKey = readAlipaySettings({ ...fake.env(), SOUK_ALIPAY_PRIVATE_KEY: rsaPair().privatePem })!;
    await assertUnavailable(new AlipayGateway(wrongKey, TIMEOUT_MS).ping(), /isv\.invalid-signature/);
    assert.ok(fake.problems.some((p) => p.includes('isv.invalid-signature')));
    fake.problems.length = 0;

    const wrongApp = readAlipaySettings({ ...fake.env(), SOUK_ALIPAY_APP_ID: '2021000000000777' })!;
    await assertUnavailable(new AlipayGateway(wrongApp, TIMEOUT_MS).ping(), /isv\.invalid-app-id/);
    fake.problems.length = 0;

    const wrongAlipayKey = readAlipaySettings({ ...fake.env(), SOUK_ALIPAY_PUBLIC_KEY: rsaPair().publicPem })!;
    await assertUnavailable(new AlipayGateway(wrongAlipayKey, TIMEOUT_MS).ping(), /signature does not check/);
    await assertUnavailable(new AlipayGateway(wrongAlipayKey, TIMEOUT_MS).lookUp(reference()), /signature does not check/);
  });

  test('an Alipay that cannot be reached, drops the call, errs, hangs past the deadline or answers unsigned is unavailable', async () => {
    const nowhere = new AlipayGateway({ ...settings, gateway: `http://127.0.0.1:${await closedPort()}/gateway.do` }, TIMEOUT_MS);
    await assertUnavailable(nowhere.ping(), /could not be reached/);
    await assertUnavailable(nowhere.open(charge()));
    const quick = new AlipayGateway(settings, 300);
    try {
      for (const mode of ['reset', 'error', 'hang', 'unsigned'] as const) {
        fake.mode = mode;
        await assertUnavailable(gateway.open(charge()), undefined);
        await assertUnavailable(quick.lookUp(reference()), mode === 'hang' ? /no answer in time/ : undefined);
        await assertUnavailable(gateway.refund(reference(), { reference: 'R1', amountMinor: 1, totalMinor: 1, currency: 'CNY', reason: 'x' }));
        await assertUnavailable(quick.ping());
      }
    } finally {
      fake.mode = 'ok';
    }
    await gateway.ping();
  });
});

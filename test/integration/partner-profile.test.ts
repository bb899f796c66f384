// Conformance with seed 000 (the partner API document): every request of the document replayed
// against /v1 with our host and keys, and every documented field, status and error checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { startMailCatcher, type MailCatcher } from '../helpers/smtp.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { createCategory, createProduct } from '../../src/core/catalog/index.js';
import { expireUnpaidOrders, placeOrder } from '../../src/core/orders/index.js';
import { fanOutEvents } from '../../src/core/webhooks/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { startMailWorker, type MailWorker } from '../../src/worker/mail.js';
import { until } from '../helpers/until.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';
import { assertError } from '../helpers/envelope.js';

const now = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

/** Seed 000's POST /v1/orders body, exactly as the document shows it. */
const DOCUMENT_ORDER = {
  partner_order_id: 'WS-983442',
  flow_type: 'buy_direct_id',
  product_code: 'FF-MAX-70-LEGEND',
  buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
  delivery_channel: 'gmail_transfer',
  callback_url: 'https://partner-site.com/webhooks/idzone',
};

/** The same, without the document's callback_url (a real domain: the suite never calls out). */
const { callback_url: _documentCallback, ...WITHOUT_CALLBACK } = DOCUMENT_ORDER;

interface SignOptions {
  timestamp?: number | string;
  signature?: string;
  /** Leave a header out. */
  omit?: Array<'x-api-key' | 'x-signature' | 'x-timestamp'>;
}

/** Seed 000's headers: X-API-Key, X-Signature = hex HMAC-SHA256(secret, raw body), X-Timestamp. */
function partnerHeaders(key: TestReseller, raw: string, options: SignOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'x-api-key': key.apiKey,
    'x-timestamp': String(options.timestamp ?? now()),
    'x-signature': options.signature ?? hmac(key.signingSecret ?? 'none', raw),
  };
  if (raw !== '') headers['content-type'] = 'application/json';
  for (const name of options.omit ?? []) delete headers[name];
  return headers;
}

function logCollector() {
  const stream = new PassThrough();
  const lines: string[] = [];
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.trim() !== ''));
  });
  return { stream, lines };
}


for (const kind of DATABASE_KINDS) {
  describe(`partner profile, seed 000 (${kind})`, () => {
    let t: TestSouk;
    let smtp: MailCatcher;
    let webhooks: WebhookWorker;
    let mail: MailWorker;
    let partner: TestReseller;
    let rival: TestReseller;
    const receivers: Receiver[] = [];
    const logs = logCollector();

    const get = (key: TestReseller, url: string, options?: SignOptions) => t.app.inject({ method: 'GET', url, headers: partnerHeaders(key, '', options) });
    function post(key: TestReseller, url: string, body: object | string, options?: SignOptions) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return t.app.inject({ method: 'POST', url, headers: partnerHeaders(key, raw, options), payload: raw });
    }
    /** The worker (dispatcher and mailer), as `souk serve` runs it embedded. */
    async function startWorkers() {
      webhooks = await startWebhookWorker(t.souk, { onError: (error) => t.app.log.error({ err: error }, 'webhook dispatch failed') });
      mail = startMailWorker(t.souk, { onError: (error) => t.app.log.error({ err: error }, 'order mail failed'), log: (message, fields) => t.app.log.info(fields, message) });
    }
    const admin = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });

    before(async () => {
      smtp = await startMailCatcher();
      t = await startTestSouk(kind, { logStream: logs.stream, env: { SOUK_SMTP_URL: smtp.url, SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,60' } });
      partner = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'ID Zone partner' });
      rival = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Another partner' });
      await fund(t.souk, partner.accountId, 100_000);
      await fund(t.souk, rival.accountId, 100_000);
      await createCategory(stockDeps(t.souk), { slug: 'ff-id', name: 'Free Fire IDs' });
      await createCategory(stockDeps(t.souk), { slug: 'gift-cards', name: 'Gift cards' });
      await stockedProduct(t.souk, { code: 'FF-MAX-70-LEGEND', name: { en: 'FF Max level 70 legend ID' }, price: '7.00', category: 'ff-id' }, 20);
      await stockedProduct(t.souk, { code: 'FF-MAX-50', price: '5.50', category: 'ff-id' }, 3);
      await stockedProduct(t.souk, { code: 'FF-MAX-30', price: '3.00', category: 'ff-id', min_quantity: 2 }, 1);
      await stockedProduct(t.souk, { code: 'GC-10', price: '10.00', category: 'gift-cards' }, 5);
      await createProduct(stockDeps(t.souk), { code: 'FF-HANDOVER', name: 'Hand-delivered ID', price: '2.00', category: 'ff-id', fulfillment: 'manual' });
    });
    after(async () => {
      await mail?.stop();
      await webhooks?.stop();
      for (const r of receivers) await r.close();
      await t?.close();
      await smtp?.close();
    });

    test("the document's curl: GET /v1/products?category=ff-id&limit=20 over HTTP, signed over the empty body", async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/products?category=ff-id&limit=20`, { headers: partnerHeaders(partner, '') });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { ok: boolean; products: Array<Record<string, unknown>>; next_cursor: string | null };
      assert.equal(body.ok, true);
      assert.deepEqual(body.products.map((p) => p.product_code), ['FF-MAX-70-LEGEND', 'FF-MAX-50', 'FF-MAX-30', 'FF-HANDOVER']);
      assert.equal(body.next_cursor, null);
      const legend = body.products[0]!;
      assert.deepEqual(legend, {
        product_code: 'FF-MAX-70-LEGEND',
        name: 'FF Max level 70 legend ID',
        category: 'ff-id',
        category_name: 'Free Fire IDs',
        price: '7.00',
        currency: 'USD',
        in_stock: true,
        stock_available: 20,
        min_quantity: 1,
        max_quantity: 200,
        fields: [],
      });
      const [, , short, manual] = body.products;
      assert.equal(short!.in_stock, false, 'one code left, two is the minimum');
      assert.equal(manual!.in_stock, true, 'manual products are not counted in stock');
    });

    test('limit pages the list; out-of-range limits are 400; without category every active product is listed', async () => {
      const first = await get(partner, '/v1/products?category=ff-id&limit=2');
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().products.map((p: { product_code: string }) => p.product_code), ['FF-MAX-70-LEGEND', 'FF-MAX-50']);
      const cursor = first.json().next_cursor as string;
      assert.ok(cursor);
      const second = await get(partner, `/v1/products?category=ff-id&limit=2&cursor=${cursor}`);
      assert.deepEqual(second.json().products.map((p: { product_code: string }) => p.product_code), ['FF-MAX-30', 'FF-HANDOVER']);
      const all = await get(partner, '/v1/products');
      assert.equal(all.json().products.length, 5);
      for (const limit of ['0', '201', '-1', 'many']) {
        const res = await get(partner, `/v1/products?limit=${limit}`);
        const body = assertError(res, 400, 'validation_error');
        assert.equal(body.fields[0].field, 'limit');
      }
      assert.equal((await get(partner, '/v1/products?limit=200')).statusCode, 200);
      assert.deepEqual((await get(partner, '/v1/products?category=no-such-category')).json().products, []);
    });

    test("the document's POST /v1/orders body: a fulfilled order paid from the wallet, and gmail_transfer mails the codes to the buyer once", async () => {
      const before = await balanceOf(t.souk, partner.accountId);
      const res = await post(partner, '/v1/orders', DOCUMENT_ORDER);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.ok, true);
      assert.equal(body.replayed, false);
      const order = body.order;
      assert.match(order.order_id, /^[0-9A-Z]{26}$/);
      assert.equal(order.partner_order_id, 'WS-983442');
      assert.equal(order.status, 'fulfilled');
      assert.equal(order.internal_status, 'fulfilled');
      assert.equal(order.product_code, 'FF-MAX-70-LEGEND');
      assert.equal(order.quantity, 1);
      assert.equal(order.amount, '7.00');
      assert.equal(order.currency, 'USD');
      assert.deepEqual(order.buyer, { name: 'Rahim Uddin', email: 'rahim@example.com' });
      assert.equal(order.delivery_channel, 'email');
      assert.equal(order.callback_url, 'https://partner-site.com/webhooks/idzone');
      assert.equal(order.fulfillment.delivered_items.length, 1);
      const code = order.fulfillment.delivered_items[0].code as string;
      assert.match(code, /^FF-MAX-70-LEGEND-\d{4}$/);
      assert.match(order.fulfillment.fulfilled_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(await balanceOf(t.souk, partner.accountId), before - 700);
      const row = await t.souk.db.selectFrom('orders').select(['channel', 'client_order_id']).where('id', '=', order.order_id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { channel: 'partner', client_order_id: 'WS-983442' });

      // The document's callback_url is a real domain. Before any worker runs, publish the order's
      // events and close their deliveries with the documented ack, so the suite never calls out.
      while ((await fanOutEvents(t.souk.db)).events > 0);
      const events = await t.souk.db.selectFrom('outbox_events').select(['event_id', 'type']).where('order_id', '=', order.order_id).orderBy('id').execute();
      assert.deepEqual(events.map((e) => e.type), ['order.created', 'order.fulfilled']);
      for (const { event_id } of events) {
        const acked = await post(partner, '/v1/webhooks/ack', { event_id });
        assert.deepEqual(acked.json(), { ok: true, event_id, closed: 1 });
      }
      await startWorkers();

      await smtp.waitFor((mails) => mails.some((m) => m.to.includes('rahim@example.com')), 'the codes mail');
      // The server has the mail before Souk records it as sent.
      const sent = await until(() => t.souk.db.selectFrom('order_mails').selectAll().where('order_id', '=', order.order_id).executeTakeFirstOrThrow(), (row) => row.status === 'sent', 'the mail recorded as sent');
      assert.equal(sent.attempts, 1);
      const toBuyer = smtp.mails.filter((m) => m.to.includes('rahim@example.com'));
      assert.equal(toBuyer.length, 1, 'exactly one mail');
      assert.ok(toBuyer[0]!.raw.includes(code), 'the mail carries the code');
      assert.match(toBuyer[0]!.raw, /Subject: Your order \S+: FF Max level 70 legend ID/);
      await until(async () => logs.lines.filter((line) => line.includes('order mail sent')), (lines) => lines.length > 0, 'the send logged');
      assert.ok(!logs.lines.some((line) => line.includes(code)), 'no log line carries the code');
    });

    test('the same partner_order_id and body returns the original order; a different body is 422; the same signed request again gets the original answer', async () => {
      const original = await get(partner, '/v1/orders/WS-983442');
      assert.equal(original.statusCode, 200, original.body);
      // A second the first request (previous test) cannot have used.
      const timestamp = now() - 30;
      const retry = await post(partner, '/v1/orders', DOCUMENT_ORDER, { timestamp });
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().replayed, true);
      assert.equal(retry.json().order.order_id, original.json().order.order_id);
      assert.deepEqual(retry.json().order.fulfillment, original.json().order.fulfillment);
      // Byte for byte the same request again (same second): the original answer, not a refusal.
      const again = await post(partner, '/v1/orders', DOCUMENT_ORDER, { timestamp });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(again.json().order, retry.json().order);
      const changed = await post(partner, '/v1/orders', { ...DOCUMENT_ORDER, buyer: { name: 'Someone Else', email: 'else@example.com' } });
      assertError(changed, 422, 'idempotency_key_reused');
      // Fields that place the same order are still part of the request.
      assertError(await post(partner, '/v1/orders', { ...DOCUMENT_ORDER, flow_type: 'buy_bundle' }), 422, 'idempotency_key_reused');
      assertError(await post(partner, '/v1/orders', { ...DOCUMENT_ORDER, delivery_channel: 'email' }), 422, 'idempotency_key_reused');
      assert.equal(smtp.mails.filter((m) => m.to.includes('rahim@example.com')).length, 1, 'a retry sends no second mail');
    });

    test('GET /v1/orders/{order_id} by Souk id and by partner_order_id; unknown and other partners’ orders are 404', async () => {
      const byPartnerId = await get(partner, '/v1/orders/WS-983442');
      assert.equal(byPartnerId.statusCode, 200, byPartnerId.body);
      const order = byPartnerId.json().order;
      const byId = await get(partner, `/v1/orders/${order.order_id}`);
      assert.deepEqual(byId.json(), byPartnerId.json());
      assert.equal(order.status, 'fulfilled');
      assert.equal(order.fulfillment.delivered_items.length, 1);
      assertError(await get(partner, '/v1/orders/WS-000000'), 404, 'not_found');
      assertError(await get(partner, '/v1/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404, 'not_found');
      assertError(await get(rival, `/v1/orders/${order.order_id}`), 404, 'not_found');
      assertError(await get(rival, '/v1/orders/WS-983442'), 404, 'not_found');
    });

    test('401: no key, an unknown key, a bad signature, a stale or future timestamp, missing signature headers, a key without a signing secret', async () => {
      const body = JSON.stringify({ ...WITHOUT_CALLBACK, partner_order_id: 'WS-401' });
      assertError(await get(partner, '/v1/products', { omit: ['x-api-key'] }), 401, 'unauthorized');
      assertError(await post(partner, '/v1/orders', body, { omit: ['x-api-key'] }), 401, 'unauthorized');
      assertError(await get({ ...partner, apiKey: 'sk_live_' + 'x'.repeat(40) }, '/v1/products'), 401, 'unauthorized');
      assertError(await post(partner, '/v1/orders', body, { signature: hmac('not the secret', body) }), 401, 'unauthorized', /X-Signature does not match/);
      assertError(await post(partner, '/v1/orders', body, { signature: hmac(partner.signingSecret!, body + ' ') }), 401, 'unauthorized', /does not match/);
      assertError(await get(partner, '/v1/products', { signature: hmac(partner.signingSecret!, '{}') }), 401, 'unauthorized', /does not match/);
      assertError(await post(partner, '/v1/orders', body, { timestamp: now() - 121 }), 401, 'unauthorized', /old; the allowed drift is 120 s/);
      assertError(await get(partner, '/v1/orders/WS-983442', { timestamp: now() - 121 }), 401, 'unauthorized', /allowed drift is 120 s/);
      // Well past the window: the server's clock may tick between our now() and its own.
      assertError(await post(partner, '/v1/orders', body, { timestamp: now() + 125 }), 401, 'unauthorized', /in the future/);
      assertError(await get(partner, '/v1/products', { omit: ['x-signature', 'x-timestamp'] }), 401, 'unauthorized', /requires signed requests/);
      assertError(await post(partner, '/v1/orders', body, { omit: ['x-signature'] }), 401, 'unauthorized', /Missing X-Signature/);
      assertError(await post(partner, '/v1/orders', body, { omit: ['x-timestamp'] }), 401, 'unauthorized', /Missing X-Timestamp/);
      // The same key works on the canonical API unsigned; /v1 signs everything.
      const unsigned = await createReseller(t.souk, { kind: 'partner', name: 'Unsigned partner' });
      assertError(await get(unsigned, '/v1/products', { omit: ['x-signature', 'x-timestamp'] }), 401, 'unauthorized', /signing secret/);
      assertError(await get(unsigned, '/v1/products'), 401, 'unauthorized', /signing secret/);
      assert.equal((await t.app.inject({ url: '/api/v1/products', headers: bearer(unsigned.apiKey) })).statusCode, 200);
      assertError(await get(partner, '/v1/orders/WS-401'), 404, 'not_found');
    });

    test('400: missing required fields are named; an unsupported flow_type names the supported values', async () => {
      const base = { ...WITHOUT_CALLBACK, partner_order_id: 'WS-400' };
      for (const field of ['partner_order_id', 'flow_type', 'product_code', 'buyer'] as const) {
        const { [field]: _dropped, ...rest } = base;
        const body = assertError(await post(partner, '/v1/orders', rest), 400, 'validation_error');
        assert.ok(body.fields.some((f: { field: string }) => f.field === field), `${field} is named: ${JSON.stringify(body.fields)}`);
      }
      const noEmail = assertError(await post(partner, '/v1/orders', { ...base, buyer: { name: 'Rahim Uddin' } }), 400, 'validation_error');
      assert.ok(noEmail.fields.some((f: { field: string }) => f.field === 'buyer.email'));
      assertError(await post(partner, '/v1/orders', { ...base, delivery_channel: 'pigeon' }), 400, 'validation_error');
      assertError(await post(partner, '/v1/orders', '{"partner_order_id": '), 400, 'validation_error');
      for (const flow of ['swap_codes', 'hybrid', 'BUY_DIRECT_ID']) {
        const body = assertError(await post(partner, '/v1/orders', { ...base, flow_type: flow }), 400, 'validation_error', /buy_direct_id/);
        assert.match(body.message, /sell_direct_bag/);
        assert.deepEqual(body.fields.map((f: { field: string }) => f.field), ['flow_type']);
      }
      // Sell and hybrid flows are trade-ins (test/integration/trade-ins.test.ts): without the codes sold they name `items`.
      for (const flow of ['sell_direct_bag', 'hybrid_trade_in']) {
        const body = assertError(await post(partner, '/v1/orders', { ...base, flow_type: flow }), 400, 'validation_error');
        assert.deepEqual(body.fields.map((f: { field: string }) => f.field), ['items']);
      }
      const other = await post(partner, '/v1/orders', { ...base, flow_type: 'buy_bundle', delivery_channel: 'api' });
      assert.equal(other.statusCode, 200, 'any buy_ flow places an order');
      assert.equal(other.json().order.delivery_channel, 'api');
    });

    test('domain errors still apply: 404 unknown product_code, 409 out_of_stock, 402 insufficient_balance', async () => {
      const base = { ...WITHOUT_CALLBACK, delivery_channel: 'api' };
      assertError(await post(partner, '/v1/orders', { ...base, partner_order_id: 'WS-404', product_code: 'NO-SUCH-ID' }), 404, 'item_not_found');
      assertError(await post(partner, '/v1/orders', { ...base, partner_order_id: 'WS-409', product_code: 'FF-MAX-50', quantity: 4 }), 409, 'out_of_stock');
      const poor = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Poor partner' });
      await fund(t.souk, poor.accountId, 100);
      assertError(await post(poor, '/v1/orders', { ...base, partner_order_id: 'WS-402' }), 402, 'insufficient_balance');
      assert.equal(await balanceOf(t.souk, poor.accountId), 100);
    });

    test('lifecycle: every internal status reads as queued, verifying, fulfilled or rejected, with the internal status beside it', async () => {
      const place = async (partnerOrderId: string, productCode: string) => {
        const res = await post(partner, '/v1/orders', { ...WITHOUT_CALLBACK, partner_order_id: partnerOrderId, product_code: productCode, delivery_channel: 'api' });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().order as { order_id: string; status: string; internal_status: string };
      };
      const statusOf = async (ref: string) => {
        const res = await get(partner, `/v1/orders/${ref}`);
        assert.equal(res.statusCode, 200, res.body);
        const { status, internal_status, reason, fulfillment } = res.json().order;
        return { status, internal_status, reason, items: fulfillment.delivered_items.length };
      };

      // processing (manual fulfilment) → verifying; an admin rejects it → rejected.
      const handover = await place('WS-MANUAL-1', 'FF-HANDOVER');
      assert.deepEqual([handover.status, handover.internal_status], ['verifying', 'processing']);
      assert.equal((await admin(`/orders/${handover.order_id}/reject`, { reason: 'ID already transferred' })).statusCode, 200);
      assert.deepEqual(await statusOf('WS-MANUAL-1'), { status: 'rejected', internal_status: 'rejected', reason: 'ID already transferred', items: 0 });

      // processing, then fulfilled by hand → fulfilled, with the code delivered.
      const byHand = await place('WS-MANUAL-2', 'FF-HANDOVER');
      assert.equal((await admin(`/orders/${byHand.order_id}/fulfil`, { codes: ['HANDOVER-CODE-1'] })).statusCode, 200);
      assert.deepEqual(await statusOf('WS-MANUAL-2'), { status: 'fulfilled', internal_status: 'fulfilled', reason: 'fulfilled by hand', items: 1 });

      // Cancelled by the owner (canonical API) → rejected.
      const cancelled = await place('WS-MANUAL-3', 'FF-HANDOVER');
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/orders/${cancelled.order_id}/cancel`, headers: bearer(partner.apiKey) })).statusCode, 200);
      assert.deepEqual(await statusOf('WS-MANUAL-3'), { status: 'rejected', internal_status: 'cancelled', reason: 'cancelled by the buyer', items: 0 });

      // Fulfilled, then refunded by an admin → rejected (the partner was not charged); the codes stay visible.
      const refunded = await place('WS-REFUND', 'FF-MAX-70-LEGEND');
      assert.equal((await admin(`/orders/${refunded.order_id}/refund`, { reason: 'goodwill' })).statusCode, 200);
      assert.deepEqual(await statusOf('WS-REFUND'), { status: 'rejected', internal_status: 'refunded', reason: 'goodwill', items: 1 });

      // Waiting for payment → queued; expired unpaid → rejected. (The partner API itself pays at once;
      // these orders are placed through the core, the way a deferred-payment channel places them.)
      const unpaid = await placeOrder(orderDeps(t.souk), partner.accountId, { product: 'FF-MAX-70-LEGEND', clientOrderId: 'WS-UNPAID', payment: { kind: 'deferred', holdSeconds: 600 } }, 'test');
      assert.equal(unpaid.order.status, 'awaiting_payment');
      assert.deepEqual(await statusOf('WS-UNPAID'), { status: 'queued', internal_status: 'awaiting_payment', reason: null, items: 0 });
      await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 3_600_000).toISOString());
      assert.deepEqual(await statusOf('WS-UNPAID'), { status: 'rejected', internal_status: 'expired', reason: 'payment did not arrive in time', items: 0 });

      // queued is passed through inside one transaction, so no request can observe it; review is
      // observed end to end in risk-review.test.ts. The answer for each is read from a row set to it here.
      const held = await place('WS-MANUAL-4', 'FF-HANDOVER');
      for (const [internal, partnerStatus] of [['queued', 'queued'], ['review', 'verifying']] as const) {
        await t.souk.db.updateTable('orders').set({ status: internal }).where('id', '=', held.order_id).execute();
        assert.deepEqual(await statusOf('WS-MANUAL-4'), { status: partnerStatus, internal_status: internal, reason: null, items: 0 });
      }
      await t.souk.db.updateTable('orders').set({ status: 'processing' }).where('id', '=', held.order_id).execute();
    });

    test('POST /v1/webhooks/ack closes the retry cycle of an order callback; unsigned is 401, another partner’s event is 404', async () => {
      const hook = await startReceiver(() => 500);
      receivers.push(hook);
      const placed = await post(partner, '/v1/orders', { ...WITHOUT_CALLBACK, partner_order_id: 'WS-ACK', delivery_channel: 'api', callback_url: hook.url });
      assert.equal(placed.statusCode, 200, placed.body);
      // One order's events reach a target in order, so the receiver failing order.created holds the rest back.
      await hook.waitFor((r) => r.length >= 2, WAIT_CEILING_MS, 'order.created, tried again');
      const created = hook.receipts[0]!;
      assert.equal(created.event.type, 'order.created');
      const eventId = String(created.headers['webhook-id']);
      // Seed 000's own signature is on every webhook too.
      assert.match(String(created.headers['x-signature']), /^[0-9a-f]{64}$/);
      assertError(await post(partner, '/v1/webhooks/ack', { event_id: eventId }, { omit: ['x-signature', 'x-timestamp'] }), 401, 'unauthorized');
      assertError(await post(rival, '/v1/webhooks/ack', { event_id: eventId }), 404, 'not_found');
      const acked = await post(partner, '/v1/webhooks/ack', { event_id: eventId });
      assert.equal(acked.statusCode, 200, acked.body);
      assert.deepEqual(acked.json(), { ok: true, event_id: eventId, closed: 1 });
      const delivery = await t.souk.db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('outbox_events as e', 'e.id', 'd.event_id')
        .select('d.status')
        .where('e.event_id', '=', eventId)
        .executeTakeFirstOrThrow();
      assert.equal(delivery.status, 'acked');
      // The cycle is closed: the next event of the order goes out.
      await hook.waitFor((r) => r.some((x) => x.event.type === 'order.fulfilled'), WAIT_CEILING_MS, 'order.fulfilled after the ack');
      assertError(await post(partner, '/v1/webhooks/ack', {}), 400, 'validation_error');
      // The document order's deliveries, acked before they were due, were never attempted.
      const documentDeliveries = await t.souk.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('callback_url', '=', DOCUMENT_ORDER.callback_url).execute();
      assert.deepEqual(documentDeliveries, [{ status: 'acked', attempts: 0 }, { status: 'acked', attempts: 0 }]);
    });

    test('the OpenAPI document has the profile under its own tag, every operation requiring the three headers', async () => {
      const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
      assert.ok(doc.tags.some((tag: { name: string }) => tag.name === 'partner'));
      const schemes = doc.components.securitySchemes;
      assert.deepEqual([schemes.partnerKey.name, schemes.partnerSignature.name, schemes.partnerTimestamp.name], ['X-API-Key', 'X-Signature', 'X-Timestamp']);
      const operations = Object.entries(doc.paths as Record<string, Record<string, { tags: string[]; security: unknown }>>)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, ...op })));
      assert.deepEqual(operations.map((o) => o.at).sort(), ['GET /v1/orders/{order_id}', 'GET /v1/products', 'POST /v1/orders', 'POST /v1/webhooks/ack']);
      for (const op of operations) {
        assert.deepEqual(op.tags, ['partner'], op.at);
        assert.deepEqual(op.security, [{ partnerKey: [], partnerSignature: [], partnerTimestamp: [] }], op.at);
      }
    });

    describe('rate limit at the default 120 requests a minute per key', () => {
      let d: TestSouk;
      before(async () => {
        // SOUK_KEY_RATE_LIMIT empty: the built-in default, 120, as in production.
        d = await startTestSouk(kind, { env: { SOUK_KEY_RATE_LIMIT: '' } });
      });
      after(() => d?.close());

      test('the 121st request in a minute is 429 with retry_after_seconds and Retry-After; another key is not affected', async () => {
        const busy = await createReseller(d.souk, { kind: 'partner', signed: true, name: 'Busy partner' });
        const calm = await createReseller(d.souk, { kind: 'partner', signed: true, name: 'Calm partner' });
        const list = (key: TestReseller) => d.app.inject({ method: 'GET', url: '/v1/products?limit=1', headers: partnerHeaders(key, '') });
        for (let i = 1; i <= 120; i++) {
          const res = await list(busy);
          assert.equal(res.statusCode, 200, `request ${i}: ${res.body}`);
        }
        const limited = await list(busy);
        const body = assertError(limited, 429, 'rate_limited');
        assert.ok(Number.isInteger(body.retry_after_seconds) && body.retry_after_seconds >= 1 && body.retry_after_seconds <= 60, String(body.retry_after_seconds));
        assert.equal(limited.headers['retry-after'], String(body.retry_after_seconds));
        assert.match(String(limited.headers['ratelimit-policy']), /q=120;w=60/);
        assert.equal((await list(calm)).statusCode, 200);
      });
    });
  });
}

// Seed 000's callbacks speak seed 000: what a partner hears about an order it placed on /v1 is the
// order as GET /v1/orders/{order_id} shows it, and its X-Signature verifies with the signing secret
// the partner signs its requests with. Every receiver here is a real HTTP server on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { startReceiver, verifyReceipt, type Receipt, type Receiver } from '../helpers/receiver.js';
import { createApiKey, revokeApiKey } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { callbackSecret } from '../../src/core/webhooks/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

const FOUR = ['queued', 'verifying', 'fulfilled', 'rejected'];
// Quick retries, and no circuit breaker in the way.
const ENV = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05,0.2,0.2,0.2,0.2,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };

const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

interface PartnerKey {
  apiKey: string;
  signingSecret: string;
}

/** The order a partner body carries (the GET /v1/orders/{id} view). */
type PartnerOrder = Record<string, unknown> & { order_id: string; status: string; internal_status: string; fulfillment: { delivered_items: unknown[] } };
const orderOf = (receipt: Receipt) => (JSON.parse(receipt.body) as { data: { order: PartnerOrder } }).data.order;

for (const kind of DATABASE_KINDS) {
  describe(`partner callbacks speak seed 000 (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let partner: TestReseller & PartnerKey;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    };
    const startWorker = async () => {
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
    };
    const webhookDeps = () => ({ db: t.souk.db, box: t.souk.box, allowPrivate: true });

    /** Seed 000's request: X-API-Key, X-Timestamp, X-Signature = hex HMAC-SHA256(signing secret, raw body). */
    function signed(key: PartnerKey, method: 'GET' | 'POST', url: string, body?: object) {
      const raw = body ? JSON.stringify(body) : '';
      const headers: Record<string, string> = { 'x-api-key': key.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': hmacHex(key.signingSecret, raw) };
      if (body) headers['content-type'] = 'application/json';
      return t.app.inject({ method, url, headers, ...(body ? { payload: raw } : {}) });
    }
    async function placeOnV1(key: PartnerKey, partnerOrderId: string, productCode: string, callbackUrl?: string) {
      const res = await signed(key, 'POST', '/v1/orders', {
        partner_order_id: partnerOrderId,
        flow_type: 'buy_direct_id',
        product_code: productCode,
        buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
        delivery_channel: 'api',
        ...(callbackUrl ? { callback_url: callbackUrl } : {}),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().order as PartnerOrder;
    }
    async function getOnV1(key: PartnerKey, orderId: string): Promise<PartnerOrder> {
      const res = await signed(key, 'GET', `/v1/orders/${orderId}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().order as PartnerOrder;
    }
    const admin = (method: 'POST' | 'PATCH', url: string, payload: object) => t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });
    const hasType = (type: string, orderId: string) => (receipts: Receipt[]) => receipts.some((r) => r.status === 200 && r.event.type === type && orderOf(r).order_id === orderId);

    before(async () => {
      t = await startTestSouk(kind, { env: ENV });
      const created = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'ID Zone partner' });
      partner = { ...created, signingSecret: created.signingSecret! };
      await fund(t.souk, partner.accountId, 100_000);
      await stockedProduct(t.souk, { code: 'PX-10', price: '10.00' }, 20);
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'PX-HAND', name: 'Hand-delivered', price: '2.00', fulfillment: 'manual' });
      await startWorker();
    });
    after(async () => {
      await worker?.stop();
      for (const r of receivers) await r.close();
      await t?.close();
    });

    test("a /v1 order's callbacks carry the order exactly as GET /v1/orders/{id} answers, in one of the four statuses, X-Signature keyed with the partner's signing secret", async () => {
      const hook = await receiver();
      const placed = await placeOnV1(partner, 'WS-CB-1', 'PX-10', hook.url);
      await hook.waitFor(hasType('order.fulfilled', placed.order_id), WAIT_CEILING_MS, 'order.created and order.fulfilled');
      const answer = await getOnV1(partner, placed.order_id);
      assert.equal(answer.status, 'fulfilled');
      const secret = await callbackSecret(webhookDeps(), partner.accountId);
      assert.deepEqual(hook.receipts.map((r) => r.event.type), ['order.created', 'order.fulfilled']);
      for (const receipt of hook.receipts) {
        // Seed 000's X-Signature with the secret the partner already has; Standard Webhooks with the callback secret.
        assert.equal(receipt.headers['x-signature'], hmacHex(partner.signingSecret, receipt.body), `${receipt.event.type}: X-Signature`);
        verifyReceipt(receipt, secret, partner.signingSecret);
        const order = orderOf(receipt);
        assert.deepEqual(order, answer, `${receipt.event.type}: the body's order is the GET answer's`);
        assert.ok(FOUR.includes(order.status), order.status);
        assert.equal(order.partner_order_id, 'WS-CB-1');
        assert.equal('client_order_id' in order, false);
        assert.equal(order.amount, '10.00');
        assert.equal(order.fulfillment.delivered_items.length, 1);
      }
    });

    test('a cancelled and a refunded /v1 order call back with rejected (never cancelled, processing or refunded), the same view as the GET answer', async () => {
      const hook = await receiver();
      const manual = await placeOnV1(partner, 'WS-CB-CANCEL', 'PX-HAND', hook.url);
      assert.equal(manual.status, 'verifying');
      const cancel = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${manual.order_id}/cancel`, headers: bearer(partner.apiKey) });
      assert.equal(cancel.statusCode, 200, cancel.body);
      const stock = await placeOnV1(partner, 'WS-CB-REFUND', 'PX-10', hook.url);
      assert.equal((await admin('POST', `/orders/${stock.order_id}/refund`, { reason: 'goodwill' })).statusCode, 200);

      await hook.waitFor(hasType('order.cancelled', manual.order_id), WAIT_CEILING_MS, 'order.cancelled');
      await hook.waitFor((receipts) => receipts.some((r) => r.status === 200 && r.event.type === 'order.status_changed' && orderOf(r).order_id === stock.order_id), WAIT_CEILING_MS, 'the refund');
      for (const receipt of hook.receipts) {
        verifyReceipt(receipt, await callbackSecret(webhookDeps(), partner.accountId), partner.signingSecret);
        assert.ok(FOUR.includes(orderOf(receipt).status), `${receipt.event.type}: ${orderOf(receipt).status}`);
      }
      const cancelled = orderOf(hook.receipts.find((r) => r.event.type === 'order.cancelled')!);
      assert.deepEqual(cancelled, await getOnV1(partner, manual.order_id));
      assert.deepEqual([cancelled.status, cancelled.internal_status], ['rejected', 'cancelled']);
      const refunded = orderOf(hook.receipts.findLast((r) => orderOf(r).order_id === stock.order_id)!);
      assert.deepEqual(refunded, await getOnV1(partner, stock.order_id));
      assert.deepEqual([refunded.status, refunded.internal_status, refunded.fulfillment.delivered_items.length], ['rejected', 'refunded', 1]);
    });

    test("a partner's webhook endpoint hears of its /v1 orders in seed 000's view, and of its /api/v1 orders as before", async () => {
      const hook = await receiver();
      const res = await admin('POST', '/webhooks', { account_id: partner.accountId, url: hook.url, events: ['order.fulfilled'] });
      assert.equal(res.statusCode, 200, res.body);
      const { endpoint, secret } = res.json() as { endpoint: { id: string }; secret: string };
      const onV1 = await placeOnV1(partner, 'WS-EP-1', 'PX-10');
      const canonical = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(partner.apiKey), payload: { product: 'PX-10', client_order_id: 'API-EP-1' } });
      assert.equal(canonical.statusCode, 200, canonical.body);
      await hook.waitFor((receipts) => receipts.filter((r) => r.status === 200).length >= 2, WAIT_CEILING_MS, 'both orders');

      const partnerReceipt = hook.receipts.find((r) => r.event.data.order.order_id === onV1.order_id)!;
      verifyReceipt(partnerReceipt, secret, partner.signingSecret);
      assert.deepEqual(orderOf(partnerReceipt), await getOnV1(partner, onV1.order_id));

      const canonicalReceipt = hook.receipts.find((r) => r.event.data.order.order_id === canonical.json().order_id)!;
      verifyReceipt(canonicalReceipt, secret);
      assert.equal(canonicalReceipt.event.data.order.client_order_id, 'API-EP-1');
      assert.equal(canonicalReceipt.event.data.order.status, 'fulfilled');
      assert.deepEqual(canonicalReceipt.event.data.order.items, canonical.json().order.items);
      await admin('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
    });

    test('X-Signature is keyed with the key that placed the order; once it is revoked, with the newest live signed key; with none left, with the callback secret', async () => {
      const first = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Two-key partner' });
      await fund(t.souk, first.accountId, 100_000);
      const keyA = { ...first, signingSecret: first.signingSecret! };
      const second = await createApiKey(t.souk.db, t.souk.box, { accountId: first.accountId, signed: true });
      const keyB = { apiKey: second.apiKey, signingSecret: second.signingSecret! };
      const secret = await callbackSecret(webhookDeps(), first.accountId);
      const hook = await receiver();

      // Both keys live: each order is signed with the secret of the key that placed it.
      const byA = await placeOnV1(keyA, 'WS-KEY-A', 'PX-10', hook.url);
      const byB = await placeOnV1(keyB, 'WS-KEY-B', 'PX-10', hook.url);
      await hook.waitFor((receipts) => hasType('order.fulfilled', byA.order_id)(receipts) && hasType('order.fulfilled', byB.order_id)(receipts), WAIT_CEILING_MS, 'both orders');
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret, orderOf(receipt).order_id === byA.order_id ? keyA.signingSecret : keyB.signingSecret);

      // Placed with A, which is revoked before the callback goes: B (the account's only live signed key) signs.
      await worker.stop();
      const afterRevoke = await placeOnV1(keyA, 'WS-KEY-A-REVOKED', 'PX-10', hook.url);
      await revokeApiKey({ db: t.souk.db, bus: t.souk.bus }, keyA.keyId);
      await startWorker();
      await hook.waitFor(hasType('order.fulfilled', afterRevoke.order_id), WAIT_CEILING_MS, 'the order placed with the revoked key');
      for (const receipt of hook.receipts.filter((r) => orderOf(r).order_id === afterRevoke.order_id)) verifyReceipt(receipt, secret, keyB.signingSecret);

      // No live signed key left: X-Signature is keyed with the callback secret, like webhook-signature.
      await worker.stop();
      const orphan = await placeOnV1(keyB, 'WS-KEY-NONE', 'PX-10', hook.url);
      await revokeApiKey({ db: t.souk.db, bus: t.souk.bus }, second.keyId);
      await startWorker();
      await hook.waitFor(hasType('order.fulfilled', orphan.order_id), WAIT_CEILING_MS, 'the order whose keys are all revoked');
      for (const receipt of hook.receipts.filter((r) => orderOf(r).order_id === orphan.order_id)) {
        verifyReceipt(receipt, secret);
        assert.equal(orderOf(receipt).partner_order_id, 'WS-KEY-NONE');
      }
    });
  });
}

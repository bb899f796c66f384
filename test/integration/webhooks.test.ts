import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockedProduct } from '../helpers/orders.js';
import { placeOrder } from '../../src/core/orders/index.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { until } from '../helpers/until.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

// Quick retries, and no circuit breaker in the way (it has its own suite).
const FAST_RETRIES = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05,0.2,0.2,0.2,0.2,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };

for (const kind of DATABASE_KINDS) {
  describe(`webhooks to a real receiver (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let buyer: TestReseller;
    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload ? { payload } : {}) });
    const order = (key: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload });
    const receivers: Receiver[] = [];
    const receiver = async (...args: Parameters<typeof startReceiver>) => {
      const r = await startReceiver(...args);
      receivers.push(r);
      return r;
    };
    async function endpoint(accountId: number, url: string, extra: object = {}) {
      const res = await admin('POST', '/webhooks', { account_id: accountId, url, ...extra });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.json().secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      return { id: res.json().endpoint.id as string, secret: res.json().secret as string };
    }

    before(async () => {
      t = await startTestSouk(kind, { env: FAST_RETRIES });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      buyer = await createReseller(t.souk, { name: 'Hooked reseller' });
      await stockedProduct(t.souk, { code: 'HOOK-5', price: '5.00' }, 50);
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'HOOK-MANUAL', name: 'Manual', price: '1.00', fulfillment: 'manual' });
      await fund(t.souk, buyer.accountId, 100_000);
    });
    after(async () => {
      await worker.stop();
      for (const r of receivers) await r.close();
      await t.close();
    });

    test('a receiver that fails the first 3 tries gets the event on the 4th, verified by standardwebhooks and X-Signature, and never again', async () => {
      const hook = await receiver(({ attempt }) => (attempt <= 3 ? 500 : 200));
      const { id, secret } = await endpoint(buyer.accountId, hook.url, { events: ['order.fulfilled'] });
      const placed = await order(buyer.apiKey, { product: 'HOOK-5', client_order_id: 'retry-1' });
      assert.equal(placed.statusCode, 200, placed.body);
      await hook.waitFor((r) => r.some((x) => x.status === 200), WAIT_CEILING_MS, 'the 4th try');
      assert.equal(hook.receipts.length, 4);
      assert.deepEqual(hook.receipts.map((r) => r.status), [500, 500, 500, 200]);
      assert.equal(new Set(hook.receipts.map((r) => r.headers['webhook-id'])).size, 1, 'webhook-id is stable across retries');
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret);
      const event = hook.receipts[3]!.event;
      assert.equal(event.type, 'order.fulfilled');
      assert.equal(event.id, hook.receipts[3]!.headers['webhook-id']);
      assert.equal(event.data.order.order_id, placed.json().order_id);
      assert.equal(event.data.order.client_order_id, 'retry-1');
      assert.equal(event.data.order.status, 'fulfilled');
      assert.deepEqual(event.data.order.items, placed.json().order.items, 'include_items is on by default');
      // Closed for good: delivered after 4 attempts, each recorded with its status code.
      const listed = await until(async () => (await admin('GET', `/webhook-deliveries?endpoint=${id}`)).json().deliveries, (d) => d[0]?.status === 'delivered', 'delivered');
      assert.equal(listed.length, 1);
      assert.equal(listed[0].attempts, 4);
      assert.deepEqual(listed[0].attempt_log.map((a: { status_code: number }) => a.status_code), [500, 500, 500, 200]);
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('a receiver that stays down gets everything once it is back, in order per order', async () => {
      let down = true;
      const hook = await receiver(() => (down ? 503 : 200));
      const { id, secret } = await endpoint(buyer.accountId, hook.url, { events: ['order.created', 'order.status_changed', 'order.fulfilled', 'order.cancelled'] });
      const first = (await order(buyer.apiKey, { product: 'HOOK-MANUAL' })).json().order_id as string;
      const second = (await order(buyer.apiKey, { product: 'HOOK-5', quantity: 2 })).json().order_id as string;
      const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${first}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      await hook.waitFor((r) => r.length >= 4, WAIT_CEILING_MS, 'failed tries while down');
      down = false;
      await hook.waitFor((r) => r.filter((x) => x.status === 200).length >= 5, WAIT_CEILING_MS, 'all five events after coming back');
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret);
      const typesOf = (orderId: string) => hook.delivered().filter((r) => r.event.data.order?.order_id === orderId).map((r) => r.event.type);
      assert.deepEqual(typesOf(first), ['order.created', 'order.status_changed', 'order.cancelled']);
      assert.deepEqual(typesOf(second), ['order.created', 'order.fulfilled']);
      assert.equal(new Set(hook.delivered().map((r) => r.event.id)).size, 5, 'each event delivered once');
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test("an order's callback_url gets its events signed with the account's callback secret, codes included", async () => {
      const hook = await receiver();
      const placed = await order(buyer.apiKey, { product: 'HOOK-5', callback_url: hook.url });
      await hook.waitFor((r) => r.length >= 2, WAIT_CEILING_MS, 'order.created and order.fulfilled');
      const secret = (await admin('POST', `/accounts/${buyer.accountId}/callback-secret`)).json().secret;
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret);
      assert.deepEqual(hook.receipts.map((r) => r.event.type), ['order.created', 'order.fulfilled']);
      assert.deepEqual(hook.receipts[1]!.event.data.order.items, placed.json().order.items);
    });

    test('an endpoint without include_items gets order events without the codes', async () => {
      const hook = await receiver();
      const { id } = await endpoint(buyer.accountId, hook.url, { events: ['order.fulfilled'], include_items: false });
      await order(buyer.apiKey, { product: 'HOOK-5' });
      await hook.waitFor((r) => r.length >= 1);
      assert.equal(hook.receipts[0]!.event.data.order.items, undefined);
      assert.ok(!hook.receipts[0]!.body.includes('HOOK-5-0'), 'no code in the body');
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('an ack closes the cycle of a receiver that answers too slowly; acking another account’s event is 404', async () => {
      const hook = await receiver(() => 500);
      const acker = await createReseller(t.souk, { name: 'Acker', signed: true });
      await fund(t.souk, acker.accountId, 1000);
      const { id } = await endpoint(acker.accountId, hook.url, { events: ['order.fulfilled'] });
      await order(acker.apiKey, { product: 'HOOK-5' });
      await hook.waitFor((r) => r.length >= 1);
      const eventId = String(hook.receipts[0]!.headers['webhook-id']);
      const stranger = await createReseller(t.souk, { name: 'Stranger' });
      const theirs = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/ack', headers: bearer(stranger.apiKey), payload: { event_id: eventId } });
      assert.equal(theirs.statusCode, 404);
      // Seed 000's ack takes the partner profile's signed headers.
      const ackBody = JSON.stringify({ event_id: eventId });
      const ackHeaders = { 'x-api-key': acker.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': createHmac('sha256', acker.signingSecret!).update(ackBody).digest('hex'), 'content-type': 'application/json' };
      const acked = await t.app.inject({ method: 'POST', url: '/v1/webhooks/ack', headers: ackHeaders, payload: ackBody });
      assert.equal(acked.statusCode, 200, acked.body);
      assert.equal(acked.json().closed, 1);
      const listed = (await admin('GET', `/webhook-deliveries?endpoint=${id}`)).json().deliveries;
      assert.equal(listed[0].status, 'acked');
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/ack', headers: bearer(acker.apiKey), payload: { event_id: eventId } });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().closed, 0);
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('410 Gone switches the endpoint off; a test event and a re-send reach it once it is back on', async () => {
      let gone = true;
      const hook = await receiver(() => (gone ? 410 : 200));
      const { id, secret } = await endpoint(buyer.accountId, hook.url);
      const sent = await admin('POST', `/webhooks/${id}/test`);
      assert.equal(sent.statusCode, 200, sent.body);
      await hook.waitFor((r) => r.length >= 1);
      // The outcome is recorded just after the answer: wait for it (a loaded machine takes longer).
      await until(async () => (await admin('GET', `/webhooks/${id}`)).json().endpoint.enabled as boolean, (enabled) => enabled === false, 'the endpoint switched off');
      const [dead] = (await admin('GET', `/webhook-deliveries?endpoint=${id}&status=dead`)).json().deliveries;
      assert.equal(dead.last_status_code, 410);
      gone = false;
      await admin('PATCH', `/webhooks/${id}`, { enabled: true });
      const resent = await admin('POST', `/webhook-deliveries/${dead.id}/resend`);
      assert.equal(resent.statusCode, 200, resent.body);
      await hook.waitFor((r) => r.some((x) => x.status === 200));
      const ok = hook.delivered()[0]!;
      verifyReceipt(ok, secret);
      assert.equal(ok.event.type, 'webhook.test');
      assert.equal(ok.event.id, sent.json().event_id);
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('after a secret rotation deliveries carry both signatures, each verifying with its secret', async () => {
      const hook = await receiver();
      const { id, secret: old } = await endpoint(buyer.accountId, hook.url, { events: ['webhook.test'] });
      const rotated = await admin('POST', `/webhooks/${id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const fresh = rotated.json().secret as string;
      assert.notEqual(fresh, old);
      await admin('POST', `/webhooks/${id}/test`);
      await hook.waitFor((r) => r.length >= 1);
      const [receipt] = hook.receipts;
      assert.equal(String(receipt!.headers['webhook-signature']).split(' ').length, 2);
      verifyReceipt(receipt!, fresh);
      assert.throws(() => verifyReceipt(receipt!, old), /X-Signature/, 'seed 000 X-Signature carries the new secret only');
      const { Webhook } = await import('standardwebhooks');
      assert.equal((new Webhook(old).verify(receipt!.body, receipt!.headers as Record<string, string>) as { id: string }).id, receipt!.event.id);
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('dead deliveries are listed with every attempt and re-sent all at once', async () => {
      let up = false;
      const hook = await receiver(() => (up ? 200 : 500));
      const owner = await createReseller(t.souk, { name: 'Down for days' });
      const { id } = await endpoint(owner.accountId, hook.url, { events: ['wallet.credited'] });
      await fund(t.souk, owner.accountId, 100);
      await fund(t.souk, owner.accountId, 200);
      const dead = await until(async () => (await admin('GET', `/webhook-deliveries?endpoint=${id}&status=dead`)).json().deliveries, (d) => d.length === 2, 'both dead after the last try');
      for (const d of dead) {
        assert.equal(d.attempts, 10, 'one try and nine retries');
        assert.equal(d.attempt_log.length, 10);
        assert.ok(d.attempt_log.every((a: { status_code: number; error: string }) => a.status_code === 500 && /500/.test(a.error)));
      }
      up = true;
      const resent = await admin('POST', `/webhooks/${id}/resend-failed`);
      assert.equal(resent.json().queued, 2);
      await hook.waitFor((r) => r.filter((x) => x.status === 200).length === 2);
      assert.deepEqual(hook.delivered().map((r) => r.event.data.amount).sort(), [1, 2]);
      await admin('PATCH', `/webhooks/${id}`, { enabled: false });
    });

    test('the event feed pages through my events in order; another account sees none of them', async () => {
      const mine = (await order(buyer.apiKey, { product: 'HOOK-5', client_order_id: 'feed-1' })).json().order_id;
      const feed = async (key: string, query: string) => (await t.app.inject({ url: `/api/v1/events?${query}`, headers: bearer(key) })).json();
      let seen: Array<{ type: string; data: { order?: { order_id: string } } }> = [];
      for (let i = 0; i < 200 && !seen.some((e) => e.data.order?.order_id === mine && e.type === 'order.fulfilled'); i++) {
        const ids: typeof seen = [];
        let cursor = '';
        for (;;) {
          const page = await feed(buyer.apiKey, `limit=7${cursor ? `&after=${cursor}` : ''}`);
          ids.push(...page.events);
          if (!page.has_more) break;
          cursor = page.next_cursor;
        }
        seen = ids;
        await new Promise((r) => setTimeout(r, 20));
      }
      const cursors = seen.map((e) => Number((e as unknown as { cursor: string }).cursor));
      assert.deepEqual(cursors, [...cursors].sort((a, b) => a - b));
      assert.deepEqual(seen.filter((e) => e.data.order?.order_id === mine).map((e) => e.type), ['order.created', 'order.fulfilled']);
      assert.ok(seen.some((e) => e.type === 'wallet.credited'));
      const onlyFulfilled = await feed(buyer.apiKey, 'type=order.fulfilled&limit=500');
      assert.ok(onlyFulfilled.events.length > 0 && onlyFulfilled.events.every((e: { type: string }) => e.type === 'order.fulfilled'));
      const stranger = await createReseller(t.souk, { name: 'Nosy' });
      const theirs = await feed(stranger.apiKey, 'limit=500');
      assert.ok(theirs.events.every((e: { type: string }) => e.type === 'product.updated'), 'only product updates are shared');
    });
  });

  describe(`webhook safety (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let hook: Receiver;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      hook = await startReceiver();
    });
    after(async () => {
      await worker.stop();
      await hook.close();
      await t.close();
    });

    test('a private-address endpoint or callback_url is refused when given, and one stored before is refused at send time', async () => {
      const buyer = await createReseller(t.souk);
      await stockedProduct(t.souk, { code: 'SAFE-1' }, 5);
      await fund(t.souk, buyer.accountId, 1000);
      for (const url of [hook.url, 'http://localhost:9/x', 'http://[::1]:9/x', 'http://10.1.2.3/x', 'ftp://example.com/x']) {
        const res = await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: buyer.accountId, url } });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().fields[0].field, 'url');
      }
      const local = hook.url.replace('127.0.0.1', 'localhost');
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'SAFE-1', callback_url: local } });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().fields[0].field, 'callback_url');
      // Placed before the check existed, or while private addresses were allowed: still never sent.
      await placeOrder({ ...orderDeps(t.souk), allowPrivate: true }, buyer.accountId, { product: 'SAFE-1', callbackUrl: local }, 'test');
      let dead: Array<{ last_error: string }> = [];
      for (let i = 0; i < 300 && dead.length < 2; i++) {
        dead = (await t.app.inject({ url: `/admin/api/webhook-deliveries?account=${buyer.accountId}&status=dead`, headers: bearer(t.adminKey) })).json().deliveries;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(dead.length, 2);
      for (const d of dead) assert.match(d.last_error, /not a public address/);
      assert.equal(hook.receipts.length, 0);
    });
  });
}

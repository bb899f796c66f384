// Which events are written, with what, and when: product updates (price and status at once, stock
// coalesced), wallet credits, the admin's status changes; and the circuit breaker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { createProduct, updateProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { announceStockChanges } from '../../src/core/events/index.js';
import { placeOrder } from '../../src/core/orders/index.js';
import { until } from '../helpers/until.js';

for (const kind of DATABASE_KINDS) {
  describe(`what the outbox records (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    const outbox = (type: string) => t.souk.db.selectFrom('outbox_events').selectAll().where('type', '=', type).orderBy('id').execute();

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk, { name: 'Watcher' });
      await fund(t.souk, buyer.accountId, 50_000);
    });
    after(() => t.close());

    test('a price or status change writes one product.updated with the new values; other edits write none', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-1', price: '2.00' }, 3);
      const before = (await outbox('product.updated')).length;
      await updateProduct(stockDeps(t.souk), id, { description: { en: 'Nicer words' } });
      assert.equal((await outbox('product.updated')).length, before);
      const res = await t.app.inject({ method: 'PATCH', url: `/admin/api/products/${id}`, headers: bearer(t.adminKey), payload: { price: '2.50' } });
      assert.equal(res.statusCode, 200, res.body);
      await updateProduct(stockDeps(t.souk), id, { status: 'inactive' });
      const events = (await outbox('product.updated')).slice(before);
      assert.equal(events.length, 2);
      assert.equal(events[0]!.account_id, null, 'every account may hear of it');
      assert.deepEqual(JSON.parse(events[0]!.payload), { product: { id, item_id: id, code: 'PU-1', price: 2.5, currency: 'USD', status: 'active', stock: 3 }, changed: ['price'] });
      assert.deepEqual(JSON.parse(events[1]!.payload).changed, ['status']);
    });

    test('stock changes are coalesced: one product.updated per product per round, with the latest stock', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-2', price: '1.00' }, 5);
      await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 });
      const before = (await outbox('product.updated')).length;
      for (let i = 0; i < 3; i++) await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PU-2' }, 'test');
      await importStock(stockDeps(t.souk), id, ['PU-2-extra-1', 'PU-2-extra-2']);
      assert.equal((await outbox('product.updated')).length, before, 'nothing yet: placement writes no product event');
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 }), 1);
      const events = (await outbox('product.updated')).slice(before);
      assert.equal(events.length, 1);
      assert.deepEqual(JSON.parse(events[0]!.payload).product.stock, 4);
      assert.deepEqual(JSON.parse(events[0]!.payload).changed, ['stock']);
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 }), 0, 'nothing changed since');
    });

    test('wallet credits and admin status changes write their events in the same transaction', async () => {
      await fund(t.souk, buyer.accountId, 1234);
      const credits = await outbox('wallet.credited');
      const last = JSON.parse(credits.at(-1)!.payload);
      assert.equal(credits.at(-1)!.account_id, buyer.accountId);
      assert.equal(last.amount, 12.34);
      assert.equal(last.kind, 'topup');
      await createProduct(stockDeps(t.souk), { code: 'PU-MAN', name: 'Manual', price: '1.00', fulfillment: 'manual' });
      const rejected = (await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PU-MAN' }, 'test')).order.id;
      const res = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${rejected}/reject`, headers: bearer(t.adminKey), payload: { reason: 'no such player' } });
      assert.equal(res.statusCode, 200, res.body);
      const types = (await t.souk.db.selectFrom('outbox_events').select('type').where('order_id', '=', rejected).orderBy('id').execute()).map((e) => e.type);
      assert.deepEqual(types, ['order.created', 'order.status_changed', 'order.rejected']);
      const refund = (await outbox('wallet.credited')).at(-1)!;
      assert.equal(JSON.parse(refund.payload).reference, `order:${rejected}`);
      const failing = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${rejected}/refund`, headers: bearer(t.adminKey), payload: { reason: 'again' } });
      assert.equal(failing.statusCode, 409);
      assert.deepEqual((await t.souk.db.selectFrom('outbox_events').select('type').where('order_id', '=', rejected).execute()).length, 3, 'a refused change writes no event');
    });
  });

  describe(`circuit breaker (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let hook: Receiver;
    let down = true;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05', SOUK_WEBHOOK_BREAKER_THRESHOLD: '3', SOUK_WEBHOOK_BREAKER_PAUSE: '1' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      hook = await startReceiver(() => (down ? 500 : 200));
    });
    after(async () => {
      await worker.stop();
      await hook.close();
      await t.close();
    });

    test('an endpoint that keeps failing is paused, then one probe reopens it and the waiting deliveries go', async () => {
      const owner = await createReseller(t.souk, { name: 'Flaky' });
      const created = await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['wallet.credited'] } });
      const { endpoint, secret } = created.json();
      for (let i = 0; i < 3; i++) await fund(t.souk, owner.accountId, 100 + i);
      const paused = await until(async () => (await t.app.inject({ url: `/admin/api/webhooks/${endpoint.id}`, headers: bearer(t.adminKey) })).json().endpoint, (e) => e.paused_until !== null, 'paused');
      assert.ok(paused.failure_streak >= 3);
      assert.ok(hook.receipts.length >= 3);
      down = false;
      await hook.waitFor((r) => new Set(r.filter((x) => x.status === 200).map((x) => x.event.id)).size === 3, 15_000, 'all three after the pause');
      for (const receipt of hook.receipts) verifyReceipt(receipt, secret);
      const healed = await until(async () => (await t.app.inject({ url: `/admin/api/webhooks/${endpoint.id}`, headers: bearer(t.adminKey) })).json().endpoint, (e) => e.failure_streak === 0, 'closed again');
      assert.equal(healed.paused_until, null);
    });
  });

  describe(`delivery limits (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let hook: Receiver;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05' } });
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      hook = await startReceiver(({ event }) => (event.type === 'wallet.credited' ? { status: 429, headers: { 'retry-after': '30' } } : 200));
    });
    after(async () => {
      await worker.stop();
      await hook.close();
      await t.close();
    });
    const deliveries = async (accountId: number) => (await t.app.inject({ url: `/admin/api/webhook-deliveries?account=${accountId}`, headers: bearer(t.adminKey) })).json().deliveries;

    test('a 429 with Retry-After is believed: the next try is scheduled no sooner than it asks', async () => {
      const owner = await createReseller(t.souk, { name: 'Busy' });
      await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['wallet.credited'] } });
      await fund(t.souk, owner.accountId, 500);
      const [waiting] = await until(() => deliveries(owner.accountId), (d) => d[0]?.attempts === 1, 'the first try recorded');
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.last_status_code, 429);
      assert.ok(Date.parse(waiting.next_attempt_at) - Date.parse(waiting.attempt_log[0].attempted_at) >= 30_000, 'not before Retry-After');
    });

    test('a body over 256 KB is not sent: the delivery is dead and says why; without the codes it goes', async () => {
      const owner = await createReseller(t.souk, { name: 'Bulk buyer' });
      await fund(t.souk, owner.accountId, 1_000_000);
      const code = 'BULK';
      const product = await createProduct(stockDeps(t.souk), { code, name: 'Bulk', price: '0.01', max_quantity: 1000 });
      await importStock(stockDeps(t.souk), product.id, Array.from({ length: 600 }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(480)}`));
      const slim = await t.app.inject({ method: 'POST', url: '/admin/api/webhooks', headers: bearer(t.adminKey), payload: { account_id: owner.accountId, url: hook.url, events: ['order.fulfilled'], include_items: false } });
      const placed = await placeOrder(orderDeps(t.souk), owner.accountId, { product: code, quantity: 600, callbackUrl: hook.url }, 'test');
      const settled = await until(() => deliveries(owner.accountId), (d) => d.length === 3 && d.every((x: { status: string }) => x.status !== 'pending' && x.status !== 'sending'), 'all three settled');
      const byTarget = (endpointId: string | null, type: string) => settled.find((d: { endpoint_id: string | null; type: string }) => d.endpoint_id === endpointId && d.type === type);
      assert.equal(byTarget(null, 'order.fulfilled').status, 'dead');
      assert.match(byTarget(null, 'order.fulfilled').last_error, /over the 256 KB limit/);
      assert.equal(byTarget(null, 'order.created').status, 'delivered');
      assert.equal(byTarget(slim.json().endpoint.id, 'order.fulfilled').status, 'delivered');
      const received = hook.delivered().filter((r) => r.event.data.order?.order_id === placed.order.id);
      assert.deepEqual(received.map((r) => r.event.type).sort(), ['order.created', 'order.fulfilled']);
      assert.ok(received.every((r) => r.body.length < 256 * 1024));
    });
  });
}

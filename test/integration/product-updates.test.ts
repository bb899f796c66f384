// Stock changes become product.updated at most once per product per interval, with the latest
// stock: the interval is kept in the database, so it holds however many workers look.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { until } from '../helpers/until.js';
import { startWebhookWorker } from '../../src/worker/webhooks.js';
import { updateProduct } from '../../src/core/catalog/index.js';
import { announceStockChanges } from '../../src/core/events/index.js';
import { placeOrder } from '../../src/core/orders/index.js';

const INTERVAL_MS = 10_000;
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

for (const kind of DATABASE_KINDS) {
  describe(`product.updated for stock (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    /** A product's product.updated events, as `what changed:stock carried`. */
    const productEvents = async (productId: number) =>
      (await t.souk.db.selectFrom('outbox_events').select(['payload', 'created_at']).where('type', '=', 'product.updated').orderBy('id').execute())
        .map((e) => ({ ...(JSON.parse(e.payload) as { product: { id: number; stock: number }; changed: string[] }), created_at: e.created_at }))
        .filter((e) => e.product.id === productId)
        .map((e) => ({ said: `${e.changed.join(',')}:${e.product.stock}`, stock: e.product.stock, created_at: e.created_at }));
    const buy = (code: string) => placeOrder(orderDeps(t.souk), buyer.accountId, { product: code }, 'test');

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_PRODUCT_UPDATE_INTERVAL: '1' } });
      buyer = await createReseller(t.souk, { name: 'Stock watcher' });
      await fund(t.souk, buyer.accountId, 50_000);
    });
    after(() => t.close());

    test('a product changed again within its interval waits, however many workers look, then is announced once with the latest stock', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-INT' }, 6);
      const start = new Date();
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: start }), 1, 'first stock is announced at once');
      await buy('PU-INT');
      await buy('PU-INT');
      // Three workers' looks inside the interval: none announces.
      for (const ms of [1_000, 5_000, INTERVAL_MS - 1]) {
        assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: later(start, ms) }), 0, `${ms} ms after the last event`);
      }
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: later(start, INTERVAL_MS) }), 1);
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: later(start, INTERVAL_MS) }), 0, 'a second worker in the same moment');
      assert.deepEqual((await productEvents(id)).map((e) => e.said), ['stock:6', 'stock:4']);
    });

    test("a price change restarts the product's interval: the stock it carried is not announced again soon after", async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-PRICE' }, 4);
      await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: 0 });
      await buy('PU-PRICE');
      await updateProduct(stockDeps(t.souk), id, { price: '1.50' });
      const priced = new Date();
      await buy('PU-PRICE');
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: later(priced, 1_000) }), 0);
      assert.equal(await announceStockChanges(t.souk.db, t.souk.dialect, { intervalMs: INTERVAL_MS, now: later(priced, INTERVAL_MS + 1_000) }), 1);
      assert.deepEqual((await productEvents(id)).map((e) => e.said), ['stock:4', 'price:3', 'stock:2']);
    });

    test('the worker announces stock changes on its own at SOUK_PRODUCT_UPDATE_INTERVAL, one event per product per interval', async () => {
      const id = await stockedProduct(t.souk, { code: 'PU-WORKER' }, 10);
      const worker = await startWebhookWorker(t.souk, { onError: (error) => assert.fail(String(error)) });
      try {
        await until(() => productEvents(id), (events) => events.at(-1)?.stock === 10, 'the first stock announced');
        await buy('PU-WORKER');
        await until(() => productEvents(id), (events) => events.at(-1)?.stock === 9, 'the sale announced');
        await buy('PU-WORKER');
        await buy('PU-WORKER');
        const events = await until(() => productEvents(id), (e) => e.at(-1)?.stock === 7, 'the next two sales announced, coalesced');
        assert.deepEqual(events.map((e) => e.said), ['stock:10', 'stock:9', 'stock:7']);
        for (let i = 1; i < events.length; i++) {
          const gap = Date.parse(events[i]!.created_at) - Date.parse(events[i - 1]!.created_at);
          assert.ok(gap >= 1_000, `events ${i - 1} and ${i} are ${gap} ms apart, less than the 1 s interval`);
        }
      } finally {
        await worker.stop();
      }
    });
  });
}

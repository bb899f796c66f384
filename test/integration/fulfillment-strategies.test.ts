// Orders reach their goods only through the app's fulfilment registry: an empty slot (upstream,
// until its connector) refuses the order before anything is written, and a strategy registered in
// it decides what placement claims, where a paid order goes, what runs after commit, what a held
// order's payment does and what cancelling gives back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockDeps } from '../helpers/orders.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { checkInvariants, confirmOrderPayment, placeOrder } from '../../src/core/orders/index.js';
import type { FulfilledOrder, FulfillmentStrategy } from '../../src/core/fulfillment/index.js';

/** An upstream strategy that records what orders asked of it, as the upstream connector's will be called. */
function recordingUpstream() {
  const calls: Array<{ hook: 'afterPlacement' | 'paymentArrived' | 'undo'; order: FulfilledOrder; inTransaction: boolean }> = [];
  const strategy: FulfillmentStrategy = {
    kind: 'upstream',
    claim: () => 'none',
    whenPaid: { status: 'processing', reason: 'forwarded to the provider' },
    admit: async () => {},
    afterPlacement: async ({ db }, order) => {
      calls.push({ hook: 'afterPlacement', order, inTransaction: db.isTransaction });
      return false;
    },
    paymentArrived: async (tx, order) => {
      calls.push({ hook: 'paymentArrived', order, inTransaction: tx.isTransaction });
    },
    undo: async (tx, order) => {
      calls.push({ hook: 'undo', order, inTransaction: tx.isTransaction });
    },
  };
  return { strategy, calls };
}

for (const kind of DATABASE_KINDS) {
  describe(`fulfilment strategies (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk);
      await fund(t.souk, buyer.accountId, 100_000);
      await createProduct(stockDeps(t.souk), { code: 'UP-1', name: 'Upstream card', price: '5.00', fulfillment: 'upstream' });
    });
    after(() => t.close());

    test('an upstream product not imported from any provider is 503 provider_unavailable and writes nothing', async () => {
      const before = await balanceOf(t.souk, buyer.accountId);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'UP-1', client_order_id: 'up-refused' } });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().errorCode, 'provider_unavailable');
      assert.match(res.json().message, /^UP-1 is not linked to a provider/);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      assert.equal((await t.souk.db.selectFrom('orders').select('id').where('client_order_id', '=', 'up-refused').execute()).length, 0);
    });

    test('a strategy registered in the app decides the order: nothing claimed, its status and events, its hook after commit, its undo on cancel', async () => {
      const { strategy, calls } = recordingUpstream();
      t.souk.fulfillment.register(strategy);
      const before = await balanceOf(t.souk, buyer.accountId);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'UP-1', quantity: 2, client_order_id: 'up-placed' } });
      assert.equal(res.statusCode, 200, res.body);
      const order = res.json().order;
      assert.equal(order.status, 'processing');
      assert.deepEqual(order.items, []);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 1000, 'the wallet paid for it');
      assert.deepEqual(
        calls.map((c) => [c.hook, c.order.id, c.order.quantity, c.inTransaction]),
        [['afterPlacement', order.order_id, 2, false]],
        'called once, after the commit',
      );
      const events = await t.souk.db.selectFrom('order_events').select(['from_status', 'to_status', 'reason']).where('order_id', '=', order.order_id).orderBy('id').execute();
      assert.deepEqual(events, [
        { from_status: null, to_status: 'queued', reason: 'placed' },
        { from_status: 'queued', to_status: 'processing', reason: 'forwarded to the provider' },
      ]);

      // A replay is answered from the stored order: nothing runs after it again.
      const replay = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'UP-1', quantity: 2, client_order_id: 'up-placed' } });
      assert.equal(replay.statusCode, 200, replay.body);
      assert.equal(calls.length, 1);

      const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${order.order_id}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.deepEqual(calls.slice(1).map((c) => [c.hook, c.order.id, c.inTransaction]), [['undo', order.order_id, true]]);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before, 'the money went back');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test("a held order's payment goes through its strategy, which then decides where it goes", async () => {
      const { strategy, calls } = recordingUpstream();
      t.souk.fulfillment.register(strategy);
      const held = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'UP-1', payment: { kind: 'deferred', holdSeconds: 600 } }, 'test');
      assert.equal(held.order.status, 'awaiting_payment');
      assert.deepEqual(calls.map((c) => c.hook), ['afterPlacement']);
      const paid = await confirmOrderPayment(orderDeps(t.souk), held.order.id, 'test');
      assert.equal(paid.status, 'processing');
      assert.deepEqual(paid.events.map((e) => [e.from, e.to, e.reason]).slice(1), [
        ['awaiting_payment', 'queued', 'payment received'],
        ['queued', 'processing', 'forwarded to the provider'],
      ]);
      assert.deepEqual(calls.slice(1).map((c) => [c.hook, c.order.id, c.inTransaction]), [['paymentArrived', held.order.id, true]]);
    });
  });
}

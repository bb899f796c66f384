import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockedProduct } from '../helpers/orders.js';
import { checkInvariants, confirmOrderPayment, expireUnpaidOrders, placeOrder } from '../../src/core/orders/index.js';
import { countStock } from '../../src/core/inventory/index.js';
import { startSweeper } from '../../src/worker/sweeper.js';
import { until } from '../helpers/until.js';

for (const kind of DATABASE_KINDS) {
  describe(`stock modes and held codes (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk);
      await fund(t.souk, buyer.accountId, 100_000);
    });
    after(() => t.close());

    test('a shared code is delivered to every buyer and never counted down', async () => {
      await stockedProduct(t.souk, { code: 'SHARED-KEY', price: '1.00', stock_mode: 'shared' }, 1);
      const codes = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'SHARED-KEY', quantity: 2 } });
        assert.equal(res.statusCode, 200, res.body);
        for (const item of res.json().order.items) codes.add(item.code);
        assert.equal(res.json().order.items.length, 2);
      }
      assert.deepEqual([...codes], ['SHARED-KEY-0001']);
      assert.equal((await countStock(t.souk.db, 'SHARED-KEY')).available, 1);
      assert.equal((await t.app.inject({ url: '/admin/api/products/SHARED-KEY', headers: bearer(t.adminKey) })).json().product.stock_mode, 'shared');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('an unpaid order holds its codes; the sweeper expires it and puts them back', async () => {
      await stockedProduct(t.souk, { code: 'HELD', price: '3.00' }, 3);
      const held = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'HELD', quantity: 2, payment: { kind: 'deferred', holdSeconds: 60 } }, 'test');
      assert.equal(held.order.status, 'awaiting_payment');
      assert.deepEqual(held.order.items, [], 'held codes are not shown before payment');
      const counts = await countStock(t.souk.db, 'HELD');
      assert.equal(counts.available, 1);
      assert.equal(counts.reserved, 2);
      const before = await balanceOf(t.souk, buyer.accountId);

      assert.deepEqual(await expireUnpaidOrders(orderDeps(t.souk)), [], 'nothing is due yet');
      const later = new Date(Date.now() + 61_000).toISOString();
      assert.deepEqual(await expireUnpaidOrders(orderDeps(t.souk), later), [held.order.id]);
      const after = await t.app.inject({ url: `/api/v1/orders/${held.order.id}`, headers: bearer(buyer.apiKey) });
      assert.equal(after.json().order.status, 'expired');
      assert.equal((await countStock(t.souk.db, 'HELD')).available, 3);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before, 'nothing was charged, nothing refunded');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('cancelling a held order puts its codes back on sale at once and charges nothing', async () => {
      await stockedProduct(t.souk, { code: 'HELD-CANCEL', price: '2.00' }, 2);
      const before = await balanceOf(t.souk, buyer.accountId);
      const held = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'HELD-CANCEL', quantity: 2, payment: { kind: 'deferred', holdSeconds: 600 } }, 'test');
      assert.equal((await countStock(t.souk.db, 'HELD-CANCEL')).reserved, 2);
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${held.order.id}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().order.status, 'cancelled');
      const counts = await countStock(t.souk.db, 'HELD-CANCEL');
      assert.deepEqual([counts.available, counts.reserved, counts.sold], [2, 0, 0]);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      assert.deepEqual(await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 601_000).toISOString()), [], 'a cancelled order does not expire');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('the sweeper expires an order past its hold on its own', async () => {
      await stockedProduct(t.souk, { code: 'HELD-SWEPT', price: '1.00' }, 1);
      const held = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'HELD-SWEPT', payment: { kind: 'deferred', holdSeconds: 1 } }, 'test');
      const sweeper = startSweeper(t.souk, (error) => assert.fail(String(error)), 100);
      try {
        await until(
          () => t.souk.db.selectFrom('orders').select('status').where('id', '=', held.order.id).executeTakeFirstOrThrow(),
          (row) => row.status === 'expired',
          'the held order expired by the sweeper',
        );
      } finally {
        sweeper.stop();
      }
      assert.equal((await countStock(t.souk.db, 'HELD-SWEPT')).available, 1);
    });

    test('a held order that gets paid is delivered and cannot expire', async () => {
      const held = await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'HELD', quantity: 1, payment: { kind: 'deferred', holdSeconds: 1 } }, 'test');
      const paid = await confirmOrderPayment(orderDeps(t.souk), held.order.id, 'test');
      assert.equal(paid.status, 'fulfilled');
      assert.equal(paid.items.length, 1);
      assert.deepEqual(await expireUnpaidOrders(orderDeps(t.souk), new Date(Date.now() + 60_000).toISOString()), []);
      assert.equal((await countStock(t.souk.db, 'HELD')).sold, 1);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

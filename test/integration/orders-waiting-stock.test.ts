// An order paid outside Souk (a Zid customer has paid the store already) that stock cannot cover
// waits in processing instead of being refused, and is delivered when stock arrives: all of its
// quantity or none, the oldest first, never twice and never with a code given twice, however many
// sweeps race; a wallet order is refused as before; a waiting order can be cancelled; doctor
// knows a waiting order from a broken one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockDeps } from '../helpers/orders.js';
import { until } from '../helpers/until.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { DomainError } from '../../src/core/errors.js';
import {
  cancelOrder,
  checkInvariants,
  fulfilWaitingOrders,
  loadOrderDetail,
  ordersWaitingForStock,
  placeOrder,
  WAITING_FOR_STOCK_REASON,
  type OrderDeps,
  type PlaceOrderInput,
} from '../../src/core/orders/index.js';
import { LocalBus } from '../../src/platform/bus.js';
import { startBackgroundWork, type BackgroundWork } from '../../src/worker/background.js';

for (const kind of DATABASE_KINDS) {
  describe(`orders waiting for stock (${kind})`, () => {
    let t: TestSouk;
    /** A Zid store's merchant: never funded, its orders are paid outside Souk. */
    let merchant: TestReseller;
    let buyer: TestReseller;
    let background: BackgroundWork | undefined;
    const backgroundErrors: string[] = [];
    before(async () => {
      t = await startTestSouk(kind);
      merchant = await createReseller(t.souk, { name: 'Zid merchant' });
      buyer = await createReseller(t.souk);
      await fund(t.souk, buyer.accountId, 100_000);
    });
    after(async () => {
      await background?.stop();
      await t.close();
    });

    const product = (code: string) => createProduct(stockDeps(t.souk), { code, name: code, price: '2.00' });
    let serial = 0;
    /** Imports `n` new codes; `heard: false` tells no one (no worker in this process wakes for it). */
    const arrive = async (code: string, n: number, heard = true) => {
      const lines = Array.from({ length: n }, () => `${code}-${String(++serial).padStart(5, '0')}`);
      const deps = heard ? stockDeps(t.souk) : { ...stockDeps(t.souk), bus: new LocalBus() };
      assert.equal((await importStock(deps, code, lines)).imported, n);
    };
    const zidOrder = (code: string, quantity: number, ref: string, more: Partial<PlaceOrderInput> = {}, log?: OrderDeps['log']) =>
      placeOrder({ ...orderDeps(t.souk), ...(log ? { log } : {}) }, merchant.accountId, { product: code, quantity, channel: 'zid', payment: { kind: 'external' }, clientOrderId: ref, whenOutOfStock: 'wait', ...more }, 'zid:store-1');
    const waitRow = (orderId: string) => t.souk.db.selectFrom('order_stock_waits').selectAll().where('order_id', '=', orderId).executeTakeFirst();
    const detail = (orderId: string) => loadOrderDetail(t.souk.db, t.souk.vault, orderId);
    const outboxTypes = async (orderId: string) => (await t.souk.db.selectFrom('outbox_events').select('type').where('order_id', '=', orderId).orderBy('id').execute()).map((e) => e.type);
    const available = async (code: string) =>
      Number(
        (await t.souk.db.selectFrom('stock_items').innerJoin('products', 'products.id', 'stock_items.product_id').select((eb) => eb.fn.countAll().as('n')).where('products.code', '=', code).where('stock_items.status', '=', 'available').executeTakeFirstOrThrow()).n,
      );

    test('a short order paid outside Souk waits in processing, holding nothing, and its retry gets the same order', async () => {
      const productId = (await product('WAIT-A')).id;
      const logged: Array<{ message: string; fields: Record<string, unknown> }> = [];
      const placed = await zidOrder('WAIT-A', 2, 'zid-a-1', {}, (message, fields) => logged.push({ message, fields }));
      const order = placed.order;
      assert.deepEqual([order.status, order.payment_status, order.items, placed.replayed], ['processing', 'paid', [], false]);
      assert.deepEqual(
        order.events.map((e) => [e.from, e.to, e.reason]),
        [
          [null, 'queued', 'placed'],
          ['queued', 'processing', WAITING_FOR_STOCK_REASON],
        ],
      );
      assert.deepEqual(await outboxTypes(order.id), ['order.created'], 'what any order placed into processing emits');
      assert.equal((await waitRow(order.id))?.quantity, 2);
      assert.equal(await balanceOf(t.souk, merchant.accountId), 0, 'no wallet money moves');
      assert.deepEqual(logged, [{ message: 'order waits for stock', fields: { order: order.number, product: 'WAIT-A', quantity: 2, available: 0 } }]);
      assert.deepEqual(
        (await ordersWaitingForStock(t.souk.db)).filter((w) => w.product_id === productId),
        [{ product_id: productId, product_code: 'WAIT-A', orders: 1, units: 2, since: order.created_at }],
        'what the admin is shown',
      );

      const again = await zidOrder('WAIT-A', 2, 'zid-a-1');
      assert.deepEqual([again.order.id, again.replayed], [order.id, true]);
      assert.equal((await t.souk.db.selectFrom('orders').select('id').where('client_order_id', '=', 'zid-a-1').execute()).length, 1);

      const listed = await t.app.inject({ method: 'GET', url: `/admin/api/orders?status=processing&account=${merchant.accountId}`, headers: bearer(t.adminKey) });
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(
        listed.json().orders.filter((o: { order_id: string }) => o.order_id === order.id).map((o: { status: string }) => o.status),
        ['processing'],
        "the admin's order list shows it among the processing orders",
      );
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a short wallet order is still refused 409 out_of_stock, and only an order paid outside Souk may ask to wait', async () => {
      await product('WAIT-W');
      const before = await balanceOf(t.souk, buyer.accountId);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'WAIT-W', client_order_id: 'wallet-short' } });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().errorCode, 'out_of_stock');
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      assert.equal((await t.souk.db.selectFrom('orders').select('id').where('client_order_id', '=', 'wallet-short').execute()).length, 0);

      const refusedFor = (field: string) => (error: unknown) => error instanceof DomainError && error.status === 400 && error.code === 'validation_error' && error.message.includes(field);
      await assert.rejects(placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'WAIT-W', whenOutOfStock: 'wait', clientOrderId: 'wallet-wait' }, 'test'), refusedFor('external'));
      await assert.rejects(zidOrder('WAIT-W', 1, 'zid-coupon', { couponCode: 'ANY' }), refusedFor('coupon'));
      // A zid order that does not ask to wait is refused as any other.
      await assert.rejects(zidOrder('WAIT-W', 1, 'zid-refuse', { whenOutOfStock: 'refuse' }), (error: unknown) => error instanceof DomainError && error.code === 'out_of_stock');
      assert.equal((await t.souk.db.selectFrom('orders').select('id').where('product_id', '=', (await t.souk.db.selectFrom('products').select('id').where('code', '=', 'WAIT-W').executeTakeFirstOrThrow()).id).execute()).length, 0);
    });

    test('two waiting orders and stock for one: the older is delivered, the younger keeps waiting', async () => {
      await product('WAIT-C');
      const older = (await zidOrder('WAIT-C', 1, 'zid-c-1')).order;
      const younger = (await zidOrder('WAIT-C', 1, 'zid-c-2')).order;
      await arrive('WAIT-C', 1);
      const sweep = await fulfilWaitingOrders(orderDeps(t.souk));
      assert.deepEqual(sweep.fulfilled, [older.id]);
      assert.equal((await detail(older.id)).status, 'fulfilled');
      assert.equal((await detail(younger.id)).status, 'processing');
      assert.ok(await waitRow(younger.id));
      assert.equal(await waitRow(older.id), undefined);
    });

    test('an order is delivered whole or not at all; a smaller one behind it is not held up', async () => {
      await product('WAIT-P');
      const big = (await zidOrder('WAIT-P', 3, 'zid-p-big')).order;
      await arrive('WAIT-P', 2, false);
      assert.deepEqual((await fulfilWaitingOrders(orderDeps(t.souk))).fulfilled, []);
      assert.deepEqual([(await detail(big.id)).status, await available('WAIT-P')], ['processing', 2], 'no partial delivery: the codes stay on sale');

      const small = (await zidOrder('WAIT-P', 1, 'zid-p-small', { whenOutOfStock: 'wait' })).order;
      assert.equal(small.status, 'fulfilled', 'with stock on hand a waiting-allowed order is delivered at once');
      const smaller = (await zidOrder('WAIT-P', 2, 'zid-p-2')).order;
      assert.equal(smaller.status, 'processing', 'one code left: it waits behind the big one');
      await arrive('WAIT-P', 1, false);
      // Two codes now: the big order (3) cannot be covered, the one behind it (2) can.
      assert.deepEqual((await fulfilWaitingOrders(orderDeps(t.souk))).fulfilled, [smaller.id]);
      await arrive('WAIT-P', 3, false);
      assert.deepEqual((await fulfilWaitingOrders(orderDeps(t.souk))).fulfilled, [big.id]);
      const delivered = await detail(big.id);
      assert.equal(delivered.items.length, 3);
      assert.equal(new Set(delivered.items.map((i) => i.code)).size, 3);
      assert.equal(await available('WAIT-P'), 0);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a waiting order can be cancelled: it holds nothing, its refund moves no money, and stock that arrives after passes it by', async () => {
      await product('WAIT-X');
      const order = (await zidOrder('WAIT-X', 1, 'zid-x-1')).order;
      const cancelled = await cancelOrder(orderDeps(t.souk), merchant.accountId, order.id, 'zid:store-1', 'cancelled on Zid');
      assert.deepEqual([cancelled.status, cancelled.payment_status, cancelled.items], ['cancelled', 'refunded', []]);
      assert.equal(await waitRow(order.id), undefined);
      assert.equal(await balanceOf(t.souk, merchant.accountId), 0);
      assert.deepEqual(await t.souk.db.selectFrom('ledger_entries').select('id').where('reference', '=', `order:${order.id}`).execute(), []);
      await arrive('WAIT-X', 1, false);
      assert.deepEqual((await fulfilWaitingOrders(orderDeps(t.souk))).fulfilled, []);
      assert.equal(await available('WAIT-X'), 1);
      assert.deepEqual(await outboxTypes(order.id), ['order.created', 'order.status_changed', 'order.cancelled']);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('an admin may deliver a waiting order by hand with codes of their own: it no longer waits', async () => {
      await product('WAIT-H');
      const order = (await zidOrder('WAIT-H', 2, 'zid-h-1')).order;
      const res = await t.app.inject({ method: 'POST', url: `/admin/api/orders/${order.id}/fulfil`, headers: bearer(t.adminKey), payload: { codes: ['HAND-0001', 'HAND-0002'] } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().order.status, 'fulfilled');
      assert.equal(await waitRow(order.id), undefined);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('sweeps racing each other deliver every order once and every code once', async () => {
      await product('WAIT-R');
      const quantities = [1, 2, 1, 1, 3, 1, 2, 1, 1, 1, 2, 1];
      const orders: string[] = [];
      for (const [i, quantity] of quantities.entries()) orders.push((await zidOrder('WAIT-R', quantity, `zid-r-${i}`)).order.id);
      await arrive('WAIT-R', 11, false);
      // PostgreSQL: each sweep on connections of its own, as separate worker processes would be.
      const handles: DatabaseHandle[] = kind === 'postgres' ? Array.from({ length: 4 }, () => openDatabase({ kind: 'postgres', url: t.database.url }, { poolSize: 2 })) : [];
      try {
        const sweepers = kind === 'postgres' ? handles.map((h) => ({ ...orderDeps(t.souk), db: h.db })) : Array.from({ length: 4 }, () => orderDeps(t.souk));
        const sweeps = await Promise.all(sweepers.map((deps) => fulfilWaitingOrders(deps)));
        const claimed = sweeps.flatMap((s) => s.fulfilled);
        assert.equal(new Set(claimed).size, claimed.length, 'no order delivered by two sweeps');
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
      // Whatever one sweep skipped (codes another held a moment), a later one takes.
      await fulfilWaitingOrders(orderDeps(t.souk));

      const details = await Promise.all(orders.map(detail));
      const fulfilled = details.filter((o) => o.status === 'fulfilled');
      for (const order of details) {
        const deliveries = order.events.filter((e) => e.to === 'fulfilled').length;
        assert.equal(deliveries, order.status === 'fulfilled' ? 1 : 0, `order ${order.id} delivered once at most`);
        assert.equal(order.items.length, order.status === 'fulfilled' ? order.quantity : 0);
      }
      const codes = fulfilled.flatMap((o) => o.items.map((i) => i.code));
      assert.equal(new Set(codes).size, codes.length, 'no code given twice');
      const left = await available('WAIT-R');
      assert.equal(codes.length + left, 11);
      for (const order of details.filter((o) => o.status === 'processing')) assert.ok(order.quantity > left, `order ${order.id} of ${order.quantity} waits while ${left} code(s) are on sale`);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('doctor tells a waiting order from a processing stock order without its goods or a wait', async () => {
      await product('WAIT-D');
      const order = (await zidOrder('WAIT-D', 1, 'zid-d-1')).order;
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      const wait = (await waitRow(order.id))!;
      await t.souk.db.deleteFrom('order_stock_waits').where('order_id', '=', order.id).execute();
      try {
        assert.deepEqual(await checkInvariants(t.souk.db), [
          { invariant: 'stock orders in processing wait for stock', detail: `order ${order.id} is processing without its stock or a wait for it` },
        ]);
      } finally {
        await t.souk.db.insertInto('order_stock_waits').values(wait).execute();
      }
      await t.souk.db.updateTable('orders').set({ status: 'fulfilled' }).where('id', '=', order.id).execute();
      try {
        const named = (await checkInvariants(t.souk.db)).map((v) => v.invariant);
        assert.ok(named.includes('only waiting orders wait for stock'), JSON.stringify(named));
      } finally {
        await t.souk.db.updateTable('orders').set({ status: 'processing' }).where('id', '=', order.id).execute();
      }
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('with a worker running, stock that arrives delivers a waiting e-mail order at once: exactly its codes, order.fulfilled, its mail queued', async () => {
      background = await startBackgroundWork(t.souk, { worker: true, onError: (what, error) => backgroundErrors.push(`${what}: ${String(error)}`), log: () => {} });
      await product('WAIT-M');
      const order = (await zidOrder('WAIT-M', 2, 'zid-m-1', { deliveryChannel: 'email', buyer: { name: 'Sara', email: 'sara@example.com' } })).order;
      assert.equal(order.status, 'processing');
      await arrive('WAIT-M', 3);
      const delivered = await until(() => detail(order.id), (o) => o.status === 'fulfilled', 'the waiting order delivered');
      assert.equal(delivered.items.length, 2);
      assert.equal(new Set(delivered.items.map((i) => i.code)).size, 2);
      assert.deepEqual(delivered.events.at(-1) && [delivered.events.at(-1)!.from, delivered.events.at(-1)!.to, delivered.events.at(-1)!.reason], ['processing', 'fulfilled', 'delivered from stock']);
      assert.deepEqual(await outboxTypes(order.id), ['order.created', 'order.status_changed', 'order.fulfilled']);
      assert.equal(await available('WAIT-M'), 1);
      const mail = await until(() => t.souk.db.selectFrom('order_mails').select(['recipient', 'status']).where('order_id', '=', order.id).executeTakeFirst(), (m) => m !== undefined, 'the mail queued');
      assert.equal(mail!.recipient, 'sara@example.com');
      assert.deepEqual(backgroundErrors, []);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

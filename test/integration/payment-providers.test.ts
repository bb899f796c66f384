// Orders are paid only through the app's payment providers: the wallet debits at placement and
// refunds to the wallet, a deferred payment charges nothing until it arrives, and an order paid
// outside Souk (a zid order) never moves wallet money, placed, cancelled or refunded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { cancelOrder, checkInvariants, confirmOrderPayment, placeOrder, refundOrder, setWalletCheckout, type OrderDetail } from '../../src/core/orders/index.js';
import { DomainError } from '../../src/core/errors.js';

for (const kind of DATABASE_KINDS) {
  describe(`payment providers (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    /** A Zid store's merchant: never funded, its orders are paid outside Souk. */
    let merchant: TestReseller;
    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk);
      merchant = await createReseller(t.souk, { name: 'Zid merchant' });
      await fund(t.souk, buyer.accountId, 100_000);
      await createProduct(stockDeps(t.souk), { code: 'PAY-MAN', name: 'By hand', price: '4.00', fulfillment: 'manual' });
      await stockedProduct(t.souk, { code: 'PAY-KEY', price: '3.00' }, 20);
    });
    after(() => t.close());

    const lookUp = async (order: OrderDetail) => {
      const stored = await t.souk.db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow();
      return t.souk.payments.forOrder(stored).lookUp(t.souk.db, stored);
    };
    const ledgerOf = (order: OrderDetail) =>
      t.souk.db.selectFrom('ledger_entries').select(['kind', 'amount_minor']).where('reference', '=', `order:${order.id}`).orderBy('id').execute();

    test('a wallet payment is debited at placement and a cancel refunds it to the wallet, as its lookup shows', async () => {
      const before = await balanceOf(t.souk, buyer.accountId);
      const placed = (await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PAY-MAN' }, 'test')).order;
      assert.deepEqual([placed.status, placed.payment_status], ['processing', 'paid']);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 400);
      assert.deepEqual(await lookUp(placed), { status: 'paid', walletCharged: { minor: 400, currency: 'USD' }, walletRefunded: { minor: 0, currency: 'USD' } });

      const cancelled = await cancelOrder(orderDeps(t.souk), buyer.accountId, placed.id, 'test');
      assert.deepEqual([cancelled.status, cancelled.payment_status], ['cancelled', 'refunded']);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      assert.deepEqual(await lookUp(placed), { status: 'refunded', walletCharged: { minor: 400, currency: 'USD' }, walletRefunded: { minor: 400, currency: 'USD' } });
      assert.deepEqual(await ledgerOf(placed), [
        { kind: 'order', amount_minor: -400 },
        { kind: 'refund', amount_minor: 400 },
      ]);
    });

    test('a deferred payment charges nothing until it arrives; once it has, a refund goes to the wallet', async () => {
      const before = await balanceOf(t.souk, buyer.accountId);
      const held = (await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PAY-KEY', payment: { kind: 'deferred', holdSeconds: 600 } }, 'test')).order;
      assert.deepEqual([held.status, held.payment_status], ['awaiting_payment', 'pending']);
      assert.equal(Date.parse(held.expires_at!) - Date.parse(held.created_at), 600_000, 'held for holdSeconds from the order time');
      assert.deepEqual(await lookUp(held), { status: 'pending', walletCharged: { minor: 0, currency: 'USD' }, walletRefunded: { minor: 0, currency: 'USD' } });
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);

      const paid = await confirmOrderPayment(orderDeps(t.souk), held.id, 'test');
      assert.deepEqual([paid.status, paid.payment_status, paid.items.length], ['fulfilled', 'paid', 1]);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before, 'the payment came from elsewhere');
      const refunded = await refundOrder(orderDeps(t.souk), held.id, 'admin:test', 'customer asked');
      assert.equal(refunded.payment_status, 'refunded');
      assert.equal(await balanceOf(t.souk, buyer.accountId), before + 300);
      assert.deepEqual(await ledgerOf(held), [{ kind: 'refund', amount_minor: 300 }]);
    });

    test('an order paid outside Souk (zid) is placed paid with no wallet debit, even with wallet checkout off; its refund moves no wallet money', async () => {
      await setWalletCheckout(t.souk.db, false);
      try {
        const placed = await placeOrder(orderDeps(t.souk), merchant.accountId, { product: 'PAY-KEY', quantity: 2, channel: 'zid', payment: { kind: 'external' }, clientOrderId: 'zid-1001' }, 'zid:store-1');
        assert.deepEqual([placed.order.status, placed.order.payment_status, placed.order.channel, placed.order.items.length], ['fulfilled', 'paid', 'zid', 2]);
        assert.equal(placed.order.charged_minor, 600, 'what it is worth at Souk prices is recorded');
        assert.equal(await balanceOf(t.souk, merchant.accountId), 0);
        assert.deepEqual(await lookUp(placed.order), { status: 'paid', walletCharged: { minor: 0, currency: 'USD' }, walletRefunded: { minor: 0, currency: 'USD' } });

        const refunded = await refundOrder(orderDeps(t.souk), placed.order.id, 'admin:test', 'refunded by the store');
        assert.deepEqual([refunded.status, refunded.payment_status], ['refunded', 'refunded']);
        assert.equal(await balanceOf(t.souk, merchant.accountId), 0);
        assert.deepEqual(await ledgerOf(placed.order), []);
        assert.equal((await lookUp(placed.order)).status, 'refunded');
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
    });

    test('cancelling a zid order before delivery moves no wallet money either', async () => {
      const placed = (await placeOrder(orderDeps(t.souk), merchant.accountId, { product: 'PAY-MAN', channel: 'zid', payment: { kind: 'external' } }, 'zid:store-1')).order;
      assert.deepEqual([placed.status, placed.payment_status], ['processing', 'paid']);
      const cancelled = await cancelOrder(orderDeps(t.souk), merchant.accountId, placed.id, 'test');
      assert.deepEqual([cancelled.status, cancelled.payment_status], ['cancelled', 'refunded']);
      assert.equal(await balanceOf(t.souk, merchant.accountId), 0);
      assert.deepEqual(await ledgerOf(placed), []);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a zid order must be paid outside Souk, and only a zid order may be: anything else is 400 and writes nothing', async () => {
      const refusedAs400 = (error: unknown) => error instanceof DomainError && error.code === 'validation_error' && error.status === 400;
      await assert.rejects(placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PAY-KEY', channel: 'zid', clientOrderId: 'mixed-1' }, 'test'), refusedAs400);
      await assert.rejects(placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'PAY-KEY', payment: { kind: 'external' }, clientOrderId: 'mixed-2' }, 'test'), refusedAs400);
      const written = await t.souk.db.selectFrom('orders').select('id').where('client_order_id', 'in', ['mixed-1', 'mixed-2']).execute();
      assert.deepEqual(written, []);
    });
  });
}

// `souk doctor` against real shops: after real orders, cancels, rejections and refunds it finds
// nothing; each kind of violation planted behind Souk's back (plain SQL on the test database) is
// named, and only it. Each planting runs in a transaction that is rolled back, so every case
// starts from the same clean shop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps, stockDeps, stockedProduct } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { createCoupon } from '../../src/core/coupons/index.js';
import { checkInvariants, fulfilManualOrder, placeOrder, refundOrder, rejectOrder } from '../../src/core/orders/index.js';
import type { Db } from '../../src/db/index.js';

class RolledBack extends Error {}

for (const kind of DATABASE_KINDS) {
  describe(`souk doctor (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let keyProductId: number;
    let walletId: number;
    // The shop's orders, by what each is used for below.
    const o = {} as Record<'pair' | 'single' | 'couponed' | 'refunded' | 'waiting' | 'handFulfilled' | 'held' | 'shared', string>;

    const order = async (payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().order_id as string;
    };

    /** What doctor says about the shop with `plant` applied, which is then undone. */
    async function doctorAfter(plant: (tx: Db) => Promise<unknown>): Promise<string[]> {
      let names: string[] = [];
      await t.souk.db
        .transaction()
        .execute(async (tx) => {
          await plant(tx);
          names = (await checkInvariants(tx)).map((v) => v.invariant);
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      return names.sort();
    }

    const stockOf = (db: Db, orderId: string) =>
      db.selectFrom('order_items').select(['id', 'stock_item_id']).where('order_id', '=', orderId).orderBy('id').execute();
    /** A code goes back on sale: available, no order, counted. */
    async function backOnSale(db: Db, stockItemId: number) {
      await db.updateTable('stock_items').set({ status: 'available', order_id: null, sold_at: null }).where('id', '=', stockItemId).execute();
      await db.updateTable('products').set({ stock_available: sql<number>`stock_available + 1` }).where('id', '=', keyProductId).execute();
    }

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk, { name: 'Doctor buyer' });
      await fund(t.souk, buyer.accountId, 30_000);
      await fund(t.souk, buyer.accountId, 20_000);
      keyProductId = await stockedProduct(t.souk, { code: 'DOC-KEY', price: '3.00' }, 12);
      await stockedProduct(t.souk, { code: 'DOC-SHARED', price: '1.00', stock_mode: 'shared' }, 1);
      await createProduct(stockDeps(t.souk), { code: 'DOC-HAND', name: 'By hand', price: '2.00', fulfillment: 'manual' });
      await createCoupon(t.souk.db, { code: 'DOC10', percent: '10', usage_limit: 5 });
      walletId = (await t.souk.db.selectFrom('wallets').select('id').where('account_id', '=', buyer.accountId).executeTakeFirstOrThrow()).id;

      o.pair = await order({ product: 'DOC-KEY', quantity: 2, client_order_id: 'doc-pair' });
      o.single = await order({ product: 'DOC-KEY' });
      o.couponed = await order({ product: 'DOC-KEY', coupon_code: 'DOC10' });
      o.refunded = await order({ product: 'DOC-KEY', coupon_code: 'DOC10' });
      await refundOrder(orderDeps(t.souk), o.refunded, 'test', 'customer complained');
      o.waiting = await order({ product: 'DOC-HAND' });
      o.handFulfilled = await order({ product: 'DOC-HAND' });
      await fulfilManualOrder(orderDeps(t.souk), o.handFulfilled, ['HAND-CODE-1'], 'test');
      await rejectOrder(orderDeps(t.souk), await order({ product: 'DOC-HAND' }), 'test', 'supplier out');
      const cancelled = await order({ product: 'DOC-HAND', coupon_code: 'DOC10' });
      const cancel = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${cancelled}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(cancel.statusCode, 200, cancel.body);
      o.held = (await placeOrder(orderDeps(t.souk), buyer.accountId, { product: 'DOC-KEY', payment: { kind: 'deferred', holdSeconds: 3600 } }, 'test')).order.id;
      o.shared = await order({ product: 'DOC-SHARED', quantity: 2 });
    });
    after(() => t?.close());

    test('a shop after real orders, a refund, a rejection, cancels, a manual fulfilment and a held order reports nothing', async () => {
      const statuses = await t.souk.db.selectFrom('orders').select('status').where('account_id', '=', buyer.accountId).execute();
      assert.deepEqual(
        statuses.map((s) => s.status).sort(),
        ['awaiting_payment', 'cancelled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'processing', 'refunded', 'rejected'],
      );
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('a wallet credited without a ledger entry breaks only "wallet equals its ledger"', async () => {
      const names = await doctorAfter((db) =>
        db
          .updateTable('wallets')
          .set({ balance_minor: sql<number>`balance_minor + 500` })
          .where('id', '=', walletId)
          .execute(),
      );
      assert.deepEqual(names, ['wallet equals its ledger']);
    });

    test('a ledger entry in the middle with a wrong balance_after breaks only the running-sum check', async () => {
      const entries = await t.souk.db.selectFrom('ledger_entries').select('id').where('wallet_id', '=', walletId).orderBy('id').execute();
      assert.ok(entries.length >= 4);
      const middle = entries[Math.floor(entries.length / 2)]!.id;
      const names = await doctorAfter((db) =>
        db
          .updateTable('ledger_entries')
          .set({ balance_after_minor: sql<number>`balance_after_minor + 1` })
          .where('id', '=', middle)
          .execute(),
      );
      assert.deepEqual(names, ['ledger balance_after is the running sum']);
    });

    test('the last ledger entry disagreeing with the wallet breaks only the running-sum check', async () => {
      const last = await t.souk.db.selectFrom('ledger_entries').select('id').where('wallet_id', '=', walletId).orderBy('id', 'desc').executeTakeFirstOrThrow();
      const names = await doctorAfter((db) => db.updateTable('ledger_entries').set({ balance_after_minor: 1 }).where('id', '=', last.id).execute());
      assert.deepEqual(names, ['ledger balance_after is the running sum']);
    });

    test("a code already sold delivered again in another order (that order's own code left on sale) breaks only \"no stock item sold twice\"", async () => {
      const names = await doctorAfter(async (db) => {
        const [first] = await stockOf(db, o.pair);
        const [own] = await stockOf(db, o.single);
        await db.updateTable('order_items').set({ stock_item_id: first!.stock_item_id }).where('id', '=', own!.id).execute();
        await backOnSale(db, own!.stock_item_id);
      });
      assert.deepEqual(names, ['no stock item sold twice']);
    });

    test('one code delivered twice in the same order (the other left on sale) breaks only "no stock item sold twice"', async () => {
      const names = await doctorAfter(async (db) => {
        const [first, second] = await stockOf(db, o.pair);
        await db.updateTable('order_items').set({ stock_item_id: first!.stock_item_id }).where('id', '=', second!.id).execute();
        await backOnSale(db, second!.stock_item_id);
      });
      assert.deepEqual(names, ['no stock item sold twice']);
    });

    test('a delivered code that its stock row says belongs to no order breaks only "delivered items belong to their order"', async () => {
      const names = await doctorAfter(async (db) => {
        const [own] = await stockOf(db, o.single);
        await db.updateTable('stock_items').set({ order_id: null }).where('id', '=', own!.stock_item_id).execute();
      });
      assert.deepEqual(names, ['delivered items belong to their order']);
    });

    test('a delivered code voided in stock breaks only "delivered items belong to their order"', async () => {
      const names = await doctorAfter(async (db) => {
        const [own] = await stockOf(db, o.single);
        await db.updateTable('stock_items').set({ status: 'void' }).where('id', '=', own!.stock_item_id).execute();
      });
      assert.deepEqual(names, ['delivered items belong to their order']);
    });

    test('a code marked sold that no order delivered breaks only "claimed codes are in an order"', async () => {
      const names = await doctorAfter(async (db) => {
        const spare = await db.selectFrom('stock_items').select('id').where('product_id', '=', keyProductId).where('status', '=', 'available').executeTakeFirstOrThrow();
        await db.updateTable('stock_items').set({ status: 'sold', order_id: o.single }).where('id', '=', spare.id).execute();
        await db.updateTable('products').set({ stock_available: sql<number>`stock_available - 1` }).where('id', '=', keyProductId).execute();
      });
      assert.deepEqual(names, ['claimed codes are in an order']);
    });

    test('a fulfilled order whose payment is still pending breaks only "fulfilled orders are paid"', async () => {
      const names = await doctorAfter((db) => db.updateTable('orders').set({ payment_status: 'pending' }).where('id', '=', o.single).execute());
      assert.deepEqual(names, ['fulfilled orders are paid']);
    });

    test('an order marked fulfilled without its codes breaks only "fulfilled orders have their items"', async () => {
      const names = await doctorAfter((db) => db.updateTable('orders').set({ status: 'fulfilled' }).where('id', '=', o.waiting).execute());
      assert.deepEqual(names, ['fulfilled orders have their items']);
    });

    test('a stock counter off its rows breaks only "stock counters match rows"', async () => {
      const names = await doctorAfter((db) =>
        db
          .updateTable('products')
          .set({ stock_available: sql<number>`stock_available + 3` })
          .where('id', '=', keyProductId)
          .execute(),
      );
      assert.deepEqual(names, ['stock counters match rows']);
    });

    test('a coupon counter off its redemptions breaks only "coupon counters match redemptions"', async () => {
      const names = await doctorAfter((db) =>
        db
          .updateTable('coupons')
          .set({ used_count: sql<number>`used_count + 1` })
          .where('code', '=', 'DOC10')
          .execute(),
      );
      assert.deepEqual(names, ['coupon counters match redemptions']);
    });

    test('more standing redemptions than the coupon allows breaks its limit (and, the counter being held to the limit by a CHECK, the counter)', async () => {
      const names = await doctorAfter((db) => db.updateTable('coupons').set({ usage_limit: 1, used_count: 1 }).where('code', '=', 'DOC10').execute());
      assert.deepEqual(names, ['coupon counters match redemptions', 'coupons are used within their limit']);
    });

    test('a discount that differs from its redemption breaks only "every discount has its coupon redemption"', async () => {
      const names = await doctorAfter((db) =>
        db
          .updateTable('coupon_redemptions')
          .set({ discount_minor: sql<number>`discount_minor + 1` })
          .where('order_id', '=', o.couponed)
          .execute(),
      );
      assert.deepEqual(names, ['every discount has its coupon redemption']);
    });

    test('a discount on an order that used no coupon breaks only "every discount has its coupon redemption"', async () => {
      const names = await doctorAfter((db) => db.updateTable('orders').set({ discount_minor: 100 }).where('id', '=', o.single).execute());
      assert.deepEqual(names, ['every discount has its coupon redemption']);
    });

    test('codes held for an order that no longer waits for payment break only "held codes belong to unpaid orders"', async () => {
      const names = await doctorAfter((db) => db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', o.held).execute());
      assert.deepEqual(names, ['held codes belong to unpaid orders']);
    });

    const ledgerOf = (db: Db, kind: 'order' | 'refund', orderId: string) =>
      db.selectFrom('ledger_entries').select(['id', 'wallet_id', 'amount_minor', 'balance_after_minor']).where('kind', '=', kind).where('reference', '=', `order:${orderId}`).execute();

    test('a paid order whose charge is no longer in the ledger (its entry relabelled) breaks only "paid orders are charged once"', async () => {
      const names = await doctorAfter(async (db) => {
        const [charge] = await ledgerOf(db, 'order', o.single);
        assert.ok(charge);
        await db.updateTable('ledger_entries').set({ kind: 'adjustment' }).where('id', '=', charge.id).execute();
      });
      assert.deepEqual(names, ['paid orders are charged once']);
    });

    test('an order recording another amount than its charge breaks only "paid orders are charged once"', async () => {
      const names = await doctorAfter((db) => db.updateTable('orders').set({ charged_minor: sql<number>`charged_minor + 1` }).where('id', '=', o.single).execute());
      assert.deepEqual(names, ['paid orders are charged once']);
    });

    test('a charge on an order paid later, outside the wallets, breaks only "paid orders are charged once"', async () => {
      const names = await doctorAfter(async (db) => {
        await db.updateTable('orders').set({ payment_provider: 'deferred' }).where('id', '=', o.single).execute();
      });
      assert.deepEqual(names, ['paid orders are charged once']);
    });

    test('a refunded order whose refund is no longer in the ledger breaks only "refunded orders are refunded once"', async () => {
      const names = await doctorAfter(async (db) => {
        const [refund] = await ledgerOf(db, 'refund', o.refunded);
        assert.ok(refund);
        await db.updateTable('ledger_entries').set({ kind: 'topup' }).where('id', '=', refund.id).execute();
      });
      assert.deepEqual(names, ['refunded orders are refunded once']);
    });

    for (const kind of ['order', 'refund'] as const) {
      test(`the database refuses a second ${kind === 'order' ? 'charge' : 'refund'} of one order, whatever writes it`, async () => {
        const orderId = kind === 'order' ? o.single : o.refunded;
        const [first] = await ledgerOf(t.souk.db, kind, orderId);
        assert.ok(first);
        const second = t.souk.db
          .insertInto('ledger_entries')
          .values({ wallet_id: first.wallet_id, amount_minor: first.amount_minor, balance_after_minor: first.balance_after_minor, kind, reference: `order:${orderId}`, memo: null, actor: 'test', request_key: null, created_at: new Date().toISOString() })
          .execute();
        await assert.rejects(second, /unique|UNIQUE/);
        assert.equal((await ledgerOf(t.souk.db, kind, orderId)).length, 1);
      });
    }

    /** An upstream purchase record for a local order, behind Souk's back. */
    async function plantPurchase(tx: Db, orderId: string, state: string) {
      const now = new Date().toISOString();
      const provider = await tx
        .insertInto('providers')
        .values({ name: `doctor-${state}`, base_url: 'https://up.example.com/api/v1', dialect: 'souk', credentials: 'x', currency: 'USD', sell_currency: 'USD', markup_bp: 0, markup_fixed_minor: 0, rounding_minor: 1, sync_interval_seconds: 300, enabled: 1, reachability: 'unknown', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('upstream_orders')
        .values({ order_id: orderId, provider_id: Number(provider.id), upstream_ref: '1', state: state as 'delivered', goods: 'codes', upstream_order_id: null, wholesale_minor: null, last_error: null, created_at: now, updated_at: now })
        .execute();
    }

    test('an order rejected here whose purchase upstream went through breaks only "orders ended here are not bought upstream"', async () => {
      const rejected = await t.souk.db.selectFrom('orders').select('id').where('status', '=', 'rejected').executeTakeFirstOrThrow();
      assert.deepEqual(await doctorAfter((tx) => plantPurchase(tx, rejected.id, 'delivered')), ['orders ended here are not bought upstream']);
    });

    test('an order delivered here whose purchase upstream failed breaks only "orders delivered here were bought upstream"', async () => {
      assert.deepEqual(await doctorAfter((tx) => plantPurchase(tx, o.handFulfilled, 'failed')), ['orders delivered here were bought upstream']);
    });

    test('every planting above was undone: the shop is clean again', async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('souk doctor exits 1 naming a planted violation, and 0 once it is repaired', async () => {
      await t.souk.db.updateTable('orders').set({ discount_minor: 100 }).where('id', '=', o.single).execute();
      try {
        const broken = await runCli(['doctor'], t.env);
        assert.equal(broken.code, 1, broken.stderr);
        assert.match(broken.stderr, new RegExp(`^souk doctor: every discount has its coupon redemption: order ${o.single}: discount 100, redemption none$`, 'm'));
        assert.equal(broken.stderr.trim().split('\n').length, 1, broken.stderr);
        const json = await runCli(['doctor', '--json'], t.env);
        assert.equal(json.code, 1);
        assert.deepEqual(JSON.parse(json.stdout), {
          ok: false,
          violations: [{ invariant: 'every discount has its coupon redemption', detail: `order ${o.single}: discount 100, redemption none` }],
        });
      } finally {
        await t.souk.db.updateTable('orders').set({ discount_minor: 0 }).where('id', '=', o.single).execute();
      }
      const repaired = await runCli(['doctor'], t.env);
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.match(repaired.stdout, /All invariants hold/);
    });
  });
}

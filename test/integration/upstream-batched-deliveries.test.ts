// Forwarding runs start in their orders' own transactions, and deliveries that arrive together are
// written together (core/upstream starts.ts and deliveries.ts): many orders placed on B at once,
// each bought on A once, are each delivered with exactly the codes A sold them, one debit on each
// side, their runs ended and their events in B's outbox, and what A took booked against B's
// balance there as A itself says. An order the batch refuses writes no run and marks no purchase.
// A delivery that cannot be written (a code B already holds) fails alone: the orders delivered
// beside it stand.
// Two Souks on 127.0.0.1 (A a `souk serve` process), on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { balanceOf, fund } from '../helpers/orders.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { accountOnA, driveUntil, orderDebitsOf, orderOnA, orderOnB, ordersOf, productOnA, startChainUpstream, statusOnB, type AccountOnA, type ChainUpstream, type ProductOnA } from '../helpers/upstream-chain.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { checkInvariants, pgDeliverFromUpstream } from '../../src/core/orders/index.js';
import { preparedStatements } from '../../src/db/index.js';
import { readRun } from '../../src/core/steps/index.js';
import { FORWARD_WORKFLOW } from '../../src/core/upstream/index.js';

const B_ENV = { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_TIMEOUT_MS: '5000' };
const ORDERS = 12;

/** Some of B's orders in this status. */
async function ordersOnB(b: TestSouk, status: 'fulfilled', limit: number): Promise<string[]> {
  return (await b.souk.db.selectFrom('orders').select('id').where('status', '=', status).where('fulfillment', '=', 'upstream').limit(limit).execute()).map((row) => row.id);
}

for (const kind of DATABASE_KINDS) {
  describe(`forwarded deliveries written together (${kind})`, () => {
    let a: ChainUpstream & { seeded: { account: AccountOnA; cards: ProductOnA; taken: ProductOnA } };
    let b: TestSouk;
    let buyer: { accountId: number; apiKey: string };
    let providerId: number;
    const onB = {} as Record<'cards' | 'taken', { productId: number; code: string }>;

    before(async () => {
      a = await startChainUpstream(kind, async (souk) => ({
        account: await accountOnA(souk, 'souk', 100_000, 'B'),
        cards: await productOnA(souk, 'BD-CARD', '1.00', 40),
        taken: await productOnA(souk, 'BD-TAKEN', '1.00', 3),
      }));
      b = await startTestSouk(kind, { env: B_ENV });
      const account = await createAccount(b.souk.db, { name: 'B buyer', kind: 'reseller' });
      buyer = { accountId: account.id, apiKey: (await createApiKey(b.souk.db, b.souk.box, { accountId: account.id })).apiKey };
      await fund(b.souk, buyer.accountId, 100_000);
      providerId = (await b.souk.upstream.add({ name: 'A', url: `${a.origin}/api/v1`, dialect: 'souk', currency: 'USD', ...a.seeded.account.credentials })).id;
      for (const which of ['cards', 'taken'] as const) {
        const [one] = await b.souk.upstream.import(providerId, [{ ref: String(a.seeded[which].id) }]);
        onB[which] = { productId: one!.product_id, code: one!.code };
      }
      // Learn our balance at A, so that deliveries book against it.
      await b.souk.upstream.ping(providerId);
    });

    after(async () => {
      await b?.close();
      await a?.close();
    });

    test(`${ORDERS} orders placed at once are each delivered with the codes A sold them, one debit on each side`, async () => {
      const balanceBefore = await balanceOf(b.souk, buyer.accountId);
      const debitsBefore = await orderDebitsOf(a.souk, a.seeded.account.accountId);
      const quantities = Array.from({ length: ORDERS }, (_, i) => 1 + (i % 3));
      const placed = await Promise.all(quantities.map((quantity, i) => orderOnB(b, buyer.apiKey, { product: onB.cards.code, quantity, client_order_id: `together-${kind}-${i}` })));
      for (const order of placed) await driveUntil(b, `order ${order.order_id} fulfilled`, async () => (await statusOnB(b, order.order_id)) === 'fulfilled', order.order_id);

      const seen = new Set<string>();
      for (const [i, order] of placed.entries()) {
        const forwarded = await b.souk.db.selectFrom('upstream_orders').selectAll().where('order_id', '=', order.order_id).executeTakeFirstOrThrow();
        assert.equal(forwarded.state, 'delivered');
        const sold = await orderOnA(a, forwarded.upstream_order_id!);
        assert.equal(sold.client_order_id, order.order_id, 'bought on A under B\'s order id');
        const detail = await b.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: { authorization: `Bearer ${buyer.apiKey}` } });
        const codes = detail.json<{ order: { items: Array<{ code: string }> } }>().order.items.map((item) => item.code).sort();
        assert.deepEqual(codes, sold.codes, `order ${i} holds exactly A's codes`);
        assert.equal(codes.length, quantities[i]);
        for (const code of codes) {
          assert.ok(!seen.has(code), `${code} is delivered once`);
          seen.add(code);
        }
        const run = await readRun(b.souk.db, FORWARD_WORKFLOW, order.order_id);
        assert.deepEqual([run?.status, run?.steps.map((step) => step.status)], ['done', ['done', 'done', 'done', 'done']]);
        const events = await b.souk.db.selectFrom('outbox_events').select(['type', 'payload']).where('order_id', '=', order.order_id).execute();
        const fulfilled = events.find((event) => event.type === 'order.fulfilled');
        assert.ok(fulfilled, `order ${i} announced fulfilled`);
        // What the event says of the order is the order as stored, whether the delivery read it or had it from placement.
        const stored = await b.souk.db.selectFrom('orders').selectAll().where('id', '=', order.order_id).executeTakeFirstOrThrow();
        const said = (JSON.parse(fulfilled.payload) as { order: Record<string, unknown> }).order;
        assert.deepEqual(
          [said.number, said.client_order_id, said.item_id, said.quantity, said.amount, said.currency, said.status, said.previous_status],
          [stored.number, stored.client_order_id, stored.product_id, stored.quantity, stored.charged_minor / 100, stored.charged_currency, 'fulfilled', 'processing'],
        );
      }
      const units = quantities.reduce((sum, q) => sum + q, 0);
      assert.equal(await balanceOf(b.souk, buyer.accountId), balanceBefore - units * 100, 'B charged each order once');
      assert.equal((await ordersOf(a.souk, a.seeded.account.accountId)).length, ORDERS, 'A took one order each');
      assert.equal(await orderDebitsOf(a.souk, a.seeded.account.accountId), debitsBefore + ORDERS);
      const known = await b.souk.db.selectFrom('providers').select('balance_minor').where('id', '=', providerId).executeTakeFirstOrThrow();
      assert.equal(known.balance_minor, await balanceOf(a.souk, a.seeded.account.accountId), 'every purchase is booked against our balance at A');
    });

    test('an order the batch refuses writes no run and marks no purchase; the one placed beside it is written with both', async () => {
      const short = await createAccount(b.souk.db, { name: 'B buyer with one dollar', kind: 'reseller' });
      const shortKey = (await createApiKey(b.souk.db, b.souk.box, { accountId: short.id })).apiKey;
      await fund(b.souk, short.id, 110);
      const count = async () => ({
        runs: Number((await b.souk.db.selectFrom('step_runs').select((eb) => eb.fn.countAll().as('n')).where('workflow', '=', FORWARD_WORKFLOW).executeTakeFirstOrThrow()).n),
        purchases: Number((await b.souk.db.selectFrom('upstream_orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      });
      const before = await count();
      // Placed at once, in one batch: the wallet covers one of them.
      const answers = await Promise.all(
        [0, 1].map((i) => b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${shortKey}` }, payload: { product: onB.cards.code, quantity: 1, client_order_id: `short-${kind}-${i}` } })),
      );
      assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [200, 402], answers.map((answer) => answer.body).join('\n'));
      const placed = answers.find((answer) => answer.statusCode === 200)!.json<{ order_id: string }>().order_id;
      await driveUntil(b, `order ${placed} fulfilled`, async () => (await statusOnB(b, placed)) === 'fulfilled', placed);
      assert.deepEqual(await count(), { runs: before.runs + 1, purchases: before.purchases + 1 });
      const run = await b.souk.db.selectFrom('step_runs').select('created_at').where('run_key', '=', placed).executeTakeFirstOrThrow();
      const purchase = await b.souk.db.selectFrom('upstream_orders').select('created_at').where('order_id', '=', placed).executeTakeFirstOrThrow();
      assert.equal(purchase.created_at, run.created_at, 'the purchase was marked under way with its run');
    });

    if (kind === 'postgres') {
      test('a delivery statement run outside a transaction for an order no longer processing fails and writes nothing', async () => {
        const [order] = await ordersOnB(b, 'fulfilled', 1);
        const stored = await b.souk.db.selectFrom('orders').selectAll().where('id', '=', order!).executeTakeFirstOrThrow();
        const codes = Array.from({ length: stored.quantity }, (_, n) => `AGAIN-${order}-${n}`);
        const items = async () => (await b.souk.db.selectFrom('order_items').select('id').where('order_id', '=', order!).execute()).length;
        const itemsBefore = await items();
        // As if this process had placed it a moment ago: the statement alone must find it fulfilled meanwhile.
        const placed = { ...stored, status: 'processing' as const };
        await assert.rejects(
          pgDeliverFromUpstream(preparedStatements(b.souk.db)!, b.souk.db, b.souk.vault, [{ orderId: order!, codes, goods: 'codes', placed }]),
          /an order of the batch is no longer processing/,
        );
        const sealed = await b.souk.db.selectFrom('stock_items').select('id').where('code_hmac', 'in', codes.map((code) => b.souk.vault.fingerprint(code))).execute();
        assert.deepEqual(sealed, [], 'no code sealed');
        assert.equal(await items(), itemsBefore, 'no item added');
        assert.equal(await statusOnB(b, order!), 'fulfilled');
      });
    }

    test('a delivery that cannot be written fails alone: the orders delivered beside it stand', async () => {
      // B already holds the code A will deliver first for BD-TAKEN: that delivery cannot be written here.
      const held = 'BD-TAKEN-0001';
      const vault = b.souk.vault;
      await b.souk.db
        .insertInto('stock_items')
        .values({ product_id: onB.taken.productId, code_enc: vault.seal(held), code_hmac: vault.fingerprint(held), code_mask: vault.sealMasks([held])[0]!, status: 'void', batch: 'test', demo: 0, created_at: new Date().toISOString() })
        .execute();
      const poisoned = orderOnB(b, buyer.apiKey, { product: onB.taken.code, quantity: 1, client_order_id: `poisoned-${kind}` });
      const fine = Array.from({ length: 6 }, (_, i) => orderOnB(b, buyer.apiKey, { product: onB.cards.code, quantity: 1, client_order_id: `beside-${kind}-${i}` }));
      const [bad, ...good] = await Promise.all([poisoned, ...fine]);
      for (const order of good) await driveUntil(b, `order ${order.order_id} fulfilled`, async () => (await statusOnB(b, order.order_id)) === 'fulfilled', order.order_id);
      await driveUntil(b, 'the poisoned purchase waits for a person', async () => (await b.souk.db.selectFrom('upstream_orders').select('state').where('order_id', '=', bad!.order_id).executeTakeFirst())?.state === 'stuck');
      assert.equal(await statusOnB(b, bad!.order_id), 'processing', 'not delivered with a code B held before');
      const items = await b.souk.db.selectFrom('order_items').select('stock_item_id').where('order_id', '=', bad!.order_id).execute();
      assert.deepEqual(items, []);
      assert.deepEqual(await checkInvariants(b.souk.db), []);
    });
  });
}

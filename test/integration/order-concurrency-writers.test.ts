// Orders placed through two `souk serve` processes on one database at once. Each process writes
// its placements in batches, one batch at a time, so within one process a race is decided in
// memory; only between processes do the database's own guards decide it: PostgreSQL's row locks
// (wallets FOR UPDATE, codes FOR UPDATE SKIP LOCKED) and unique client_order_id, SQLite's
// BEGIN IMMEDIATE across connections (writers wait on busy_timeout, never fail).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { createReseller, testEnv, withSouk, type TestReseller } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { runCli, spawnServer, type ServerProcess } from '../helpers/processes.js';
import { assertLastHundredSold, postOrderApi, tally, type Answer } from '../helpers/order-answers.js';
import { loadConfig, type Env } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { importStock } from '../../src/core/inventory/index.js';

function placeOrder(server: ServerProcess, key: string, payload: object): Promise<Answer> {
  return postOrderApi(`${server.url}/api/v1/orders`, key, payload);
}

/** Every ledger entry of the account's wallet says the balance it left: the running sum of the entries up to it. */
async function assertLedgerChain(souk: Souk, accountId: number): Promise<void> {
  const wallet = await souk.db.selectFrom('wallets').select(['id', 'balance_minor']).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  const entries = await souk.db.selectFrom('ledger_entries').select(['id', 'amount_minor', 'balance_after_minor']).where('wallet_id', '=', wallet.id).orderBy('id').execute();
  let running = 0;
  for (const entry of entries) {
    running += Number(entry.amount_minor);
    assert.equal(Number(entry.balance_after_minor), running, `wallet ${wallet.id}: ledger entry ${entry.id} says ${entry.balance_after_minor} after, the entries sum to ${running}`);
  }
  assert.equal(running, Number(wallet.balance_minor), `wallet ${wallet.id}: balance ${wallet.balance_minor}, ledger sum ${running}`);
}

/** `souk doctor --json` on the database must exit 0 and report no violation. */
async function doctor(env: Env): Promise<void> {
  const cli = await runCli(['doctor', '--json'], env);
  assert.equal(cli.code, 0, `souk doctor failed:\n${cli.stdout}${cli.stderr}`);
  assert.deepEqual(JSON.parse(cli.stdout.trim()), { ok: true, violations: [] });
}

// Both databases at once: each run mostly waits on its own server processes.
describe('order placement by two server processes on one database', { concurrency: true }, () => {
  for (const kind of DATABASE_KINDS) {
    describe(`two souk serve processes on one database (${kind})`, { concurrency: 1 }, () => {
      let database: TestDatabase;
      let env: Env;
      let servers: ServerProcess[] = [];
      /** The server for the i-th request: alternately one and the other. */
      const via = (i: number) => servers[i % 2]!;

      before(async () => {
        database = await createTestDatabase(kind);
        env = testEnv(database);
        // Migrated once, before either server starts.
        await withSouk(env, async () => undefined);
        servers = await Promise.all([spawnServer(env, ['--host', '127.0.0.1']), spawnServer(env, ['--host', '127.0.0.1'])]);
      });
      after(async () => {
        await Promise.all(servers.map((server) => server.stop('SIGTERM')));
        await database?.drop();
      });

      test('500 concurrent placements through two servers for the last 100 codes deliver exactly 100 distinct codes and 400 out_of_stock', async (t) => {
        const PRICE = 250;
        const { productId, buyers } = await withSouk(env, async (souk) => {
          const productId = await stockedProduct(souk, { code: 'TWO-100', price: '2.50' }, 130);
          const buyers: TestReseller[] = [];
          for (let i = 0; i < 5; i++) {
            const buyer = await createReseller(souk, { name: `Racer ${i}` });
            // Each could win all 100: enough money that only stock ever says no.
            await fund(souk, buyer.accountId, 100 * PRICE + 10_000);
            buyers.push(buyer);
          }
          return { productId, buyers };
        });
        // Sell all but the last 100 first: 3 codes to every buyer through each server, so that both
        // servers know the buyers' keys and the product when the race starts (a cold server would
        // still be looking them up while the other sold everything).
        const early = new Set<string>();
        for (const buyer of buyers) {
          for (const server of servers) {
            const presale = await placeOrder(server, buyer.apiKey, { product: 'TWO-100', quantity: 3 });
            assert.equal(presale.status, 200, JSON.stringify(presale.body));
            for (const item of presale.body.order.items) early.add(item.code);
          }
        }
        assert.equal(early.size, 30);
        const balancesBefore = await withSouk(env, (souk) => Promise.all(buyers.map((b) => balanceOf(souk, b.accountId))));

        // Every buyer's requests go to both servers, so both write to every wallet.
        const results = await Promise.all(
          Array.from({ length: 500 }, (_, i) => {
            const buyer = buyers[i % buyers.length]!;
            return placeOrder(via(i), buyer.apiKey, { product: 'TWO-100', quantity: 1, client_order_id: `two-race-${i}` }).then((answer) => ({ buyer, server: i % 2, answer }));
          }),
        );

        const answers = results.map((r) => r.answer);
        t.diagnostic(`codes delivered by each server: ${[0, 1].map((n) => results.filter((r) => r.server === n && r.answer.status === 200).length).join(' and ')}`);
        const won = assertLastHundredSold(answers, 'TWO-100', early);

        await withSouk(env, async (souk) => {
          // Each wallet moved by exactly its winners × price; all together by 100 × price.
          let moved = 0;
          for (const [i, buyer] of buyers.entries()) {
            const wins = results.filter((r) => r.buyer === buyer && r.answer.status === 200).length;
            const delta = balancesBefore[i]! - (await balanceOf(souk, buyer.accountId));
            assert.equal(delta, wins * PRICE, `wallet of ${buyer.keyId}`);
            moved += delta;
            await assertLedgerChain(souk, buyer.accountId);
          }
          assert.equal(moved, 100 * PRICE);

          // The losers left nothing behind.
          const raceOrders = await souk.db.selectFrom('orders').select(['id', 'status', 'payment_status']).where('client_order_id', 'like', 'two-race-%').execute();
          assert.deepEqual(new Set(raceOrders.map((o) => o.id)), new Set(won.map((a) => a.body.order_id)));
          assert.ok(raceOrders.every((o) => o.status === 'fulfilled' && o.payment_status === 'paid'));
          const product = await souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow();
          assert.equal(product.stock_available, 0);
          const byStatus = await souk.db.selectFrom('stock_items').select(['status', sql<number>`count(*)`.as('n')]).where('product_id', '=', productId).groupBy('status').execute();
          assert.deepEqual(Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])), { sold: 130 });
          assert.deepEqual(await checkInvariants(souk.db), []);
        });

        // One more through each server, after the race: out of stock, nothing charged.
        for (const server of servers) {
          const late = await placeOrder(server, buyers[1]!.apiKey, { product: 'TWO-100' });
          assert.equal(late.status, 409);
          assert.equal(late.body.error, 'out_of_stock');
        }
        await doctor(env);
      });

      test('50 concurrent retries of one client_order_id through two servers, six times over: each creates one order, charges once and every answer carries it', async () => {
        const ROUNDS = 6;
        const { buyer } = await withSouk(env, async (souk) => {
          await stockedProduct(souk, { code: 'TWO-RETRY', price: '3.00' }, 2 * ROUNDS + 10);
          const buyer = await createReseller(souk, { name: 'Retrier' });
          await fund(souk, buyer.accountId, 10_000);
          return { buyer };
        });

        // A few rounds, each a client_order_id of its own, so the two servers' writes of one id collide
        // more than once: on PostgreSQL a batch that read the id as free before the other server
        // committed it finds it taken only on insert (ConcurrentDuplicate in placement-postgres.ts).
        const orderIds: string[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const payload = { product: 'TWO-RETRY', quantity: 2, client_order_id: `two-retry-${round}`, buyer: { name: 'Nadia' } };
          const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => placeOrder(via(i), buyer.apiKey, payload)));

          for (const a of answers) {
            assert.ok(a.status === 200 || (a.status === 409 && a.body.error === 'request_in_progress'), `unexpected answer ${a.status} ${JSON.stringify(a.body)}`);
          }
          const ok = answers.filter((a) => a.status === 200);
          const orderIdsSeen = new Set(ok.map((a) => a.body.order_id));
          assert.equal(orderIdsSeen.size, 1, `several orders for ${payload.client_order_id}: ${[...orderIdsSeen].join(', ')}`);
          // Exactly one request placed it; every other 200 is a replay with the same body.
          const original = ok.filter((a) => !a.body.replayed);
          assert.equal(original.length, 1, `${original.length} answers say they placed ${payload.client_order_id}`);
          assert.equal(original[0]!.body.order.items.length, 2);
          for (const a of ok) assert.deepEqual({ ...a.body, replayed: false }, original[0]!.body);
          orderIds.push(original[0]!.body.order_id);
        }

        await withSouk(env, async (souk) => {
          const rows = await souk.db.selectFrom('orders').select(['id', 'client_order_id', 'status']).where('account_id', '=', buyer.accountId).orderBy('client_order_id').execute();
          assert.deepEqual(
            rows,
            orderIds.map((id, round) => ({ id, client_order_id: `two-retry-${round}`, status: 'fulfilled' })),
          );
          const ledger = await souk.db.selectFrom('ledger_entries as l').innerJoin('wallets as w', 'w.id', 'l.wallet_id').select(['l.kind', 'l.amount_minor', 'l.reference']).where('w.account_id', '=', buyer.accountId).orderBy('l.id').execute();
          assert.deepEqual(ledger, [{ kind: 'topup', amount_minor: 10_000, reference: null }, ...orderIds.map((id) => ({ kind: 'order', amount_minor: -600, reference: `order:${id}` }))]);
          assert.equal(await balanceOf(souk, buyer.accountId), 10_000 - ROUNDS * 600);
          await assertLedgerChain(souk, buyer.accountId);
          assert.deepEqual(await checkInvariants(souk.db), []);
        });

        // Asked again afterwards, through either server: the same order, still one charge.
        for (const server of servers) {
          const later = await placeOrder(server, buyer.apiKey, { product: 'TWO-RETRY', quantity: 2, client_order_id: 'two-retry-0', buyer: { name: 'Nadia' } });
          assert.equal(later.status, 200);
          assert.equal(later.body.order_id, orderIds[0]);
          assert.equal(later.body.replayed, true);
        }
      });

      test('eight accounts spending their wallets through two servers while a third process writes beside them: each buys exactly what it can pay for', async (t) => {
        const PRICE = 125;
        const AFFORD = 15;
        const TRIES = 40;
        const souk = await openSouk(loadConfig(env));
        try {
          await stockedProduct(souk, { code: 'TWO-SPEND', price: '1.25' }, 8 * TRIES);
          await stockedProduct(souk, { code: 'TWO-OTHER', price: '1.00' }, 1);
          const buyers: TestReseller[] = [];
          for (let i = 0; i < 8; i++) {
            const buyer = await createReseller(souk, { name: `Spender ${i}` });
            // Exactly enough for AFFORD orders: only money ever says no.
            await fund(souk, buyer.accountId, AFFORD * PRICE);
            buyers.push(buyer);
          }
          const bystander = await createReseller(souk, { name: 'Bystander' });

          // Every buyer's requests alternate between the servers, interleaved with the others'.
          let storming = true;
          const storm = Promise.all(
            Array.from({ length: buyers.length * TRIES }, (_, i) => {
              const buyer = buyers[i % buyers.length]!;
              return placeOrder(via(Math.floor(i / buyers.length)), buyer.apiKey, { product: 'TWO-SPEND', client_order_id: `two-spend-${i}` }).then((answer) => ({ buyer, answer }));
            }),
          ).finally(() => (storming = false));
          // Meanwhile this process writes too, as `souk wallet topup` and `souk stock import` would:
          // another wallet topped up and codes of another product imported, in transactions of their
          // own, one after the other until the orders are all answered.
          let topups = 0;
          let imports = 0;
          while (storming) {
            await fund(souk, bystander.accountId, 100);
            topups += 1;
            await importStock(stockDeps(souk), 'TWO-OTHER', Array.from({ length: 20 }, (_, n) => `TWO-OTHER-${imports}-${n}`));
            imports += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          const results = await storm;
          t.diagnostic(`the third writer committed ${topups} top-ups and ${imports} imports during the orders`);

          for (const buyer of buyers) {
            const mine = results.filter((r) => r.buyer === buyer).map((r) => r.answer);
            assert.deepEqual(tally(mine), { '200': AFFORD, '402 insufficient_balance': TRIES - AFFORD }, `answers to ${buyer.keyId}`);
            assert.equal(await balanceOf(souk, buyer.accountId), 0);
            await assertLedgerChain(souk, buyer.accountId);
            const orders = await souk.db.selectFrom('orders').select(sql<number>`count(*)`.as('n')).where('account_id', '=', buyer.accountId).executeTakeFirstOrThrow();
            assert.equal(Number(orders.n), AFFORD);
          }
          assert.ok(topups >= 1);
          assert.equal(await balanceOf(souk, bystander.accountId), topups * 100);
          await assertLedgerChain(souk, bystander.accountId);
          const other = await souk.db.selectFrom('products').select('stock_available').where('code', '=', 'TWO-OTHER').executeTakeFirstOrThrow();
          assert.equal(other.stock_available, 1 + imports * 20);
          const spend = await souk.db.selectFrom('products').select('stock_available').where('code', '=', 'TWO-SPEND').executeTakeFirstOrThrow();
          assert.equal(spend.stock_available, 8 * TRIES - 8 * AFFORD);
          assert.deepEqual(await checkInvariants(souk.db), []);
        } finally {
          await souk.close();
        }
        await doctor(env);
      });
    });
  }
});

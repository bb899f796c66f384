// A real `souk serve` killed with SIGKILL in the middle of a load of orders, then started again on
// the same database: the invariants hold, nothing acknowledged is lost, and every order that got no
// answer can be retried with its client_order_id, or with its Idempotency-Key (half the loops send
// one instead), and ends up placed exactly once: never stuck as "in progress".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { createReseller, testEnv, withSouk, type TestReseller } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { runCli, spawnServer, type ServerProcess } from '../helpers/processes.js';
import type { Env } from '../../src/config.js';
import { checkInvariants } from '../../src/core/orders/index.js';

const STOCK = 4_000;
const FUNDS = 200_000;
const LOOPS = 40;
/** Orders acknowledged before the kill: enough that the load is well under way. */
const ACKED_BEFORE_KILL = 120;

interface Attempt {
  /** The client_order_id, or the Idempotency-Key. */
  clientOrderId: string;
  buyer: TestReseller;
  payload: { product: string; client_order_id?: string; quantity: number };
  headers: Record<string, string>;
}

/** The parts of the order API's JSON answers this test looks at. */
interface OrderAnswer {
  order_id: string;
  status: string;
  replayed: boolean;
  order: { order_id: string; status: string; items: Array<{ id: number; code: string }> };
}

interface Acked {
  orderId: string;
  status: string;
  codes: string[];
}

/** `souk doctor --json` on the database must exit 0 and report no violation. */
async function doctor(env: Env): Promise<void> {
  const cli = await runCli(['doctor', '--json'], env);
  assert.equal(cli.code, 0, `souk doctor failed:\n${cli.stdout}${cli.stderr}`);
  assert.deepEqual(JSON.parse(cli.stdout.trim()), { ok: true, violations: [] });
}

/** Runs a task per item, `width` at a time. */
async function inBatches<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

// Both databases at once: each run is mostly waiting on its own server processes.
describe('a server killed mid-load', { concurrency: true }, () => {
  for (const kind of DATABASE_KINDS) {
    describe(`a server killed mid-load (${kind})`, () => {
      let database: TestDatabase;
      let env: Env;
      const servers: ServerProcess[] = [];

      before(async () => {
        database = await createTestDatabase(kind);
        env = testEnv(database);
      });
      after(async () => {
        for (const server of servers) await server.stop('SIGKILL');
        await database?.drop();
      });

      test('SIGKILL during a load of placements: doctor is clean, acknowledged orders are intact, unanswered ones are placed exactly once on retry', async (t) => {
        const buyers = await withSouk(env, async (souk) => {
          await stockedProduct(souk, { code: 'CRASH-1', price: '1.00' }, STOCK);
          const made: TestReseller[] = [];
          for (let i = 0; i < 4; i++) {
            const buyer = await createReseller(souk, { name: `Crash buyer ${i}` });
            await fund(souk, buyer.accountId, FUNDS);
            made.push(buyer);
          }
          return made;
        });

        const first = await spawnServer(env);
        servers.push(first);
        const attempts = new Map<string, Attempt>();
        const acked = new Map<string, Acked>();
        const unanswered = new Set<string>();
        const otherAnswers: string[] = [];
        let stopped = false;

        const loop = async (n: number) => {
          const buyer = buyers[n % buyers.length]!;
          for (let i = 0; !stopped; i++) {
            const clientOrderId = `crash-${n}-${i}`;
            const byHeader = n % 2 === 1;
            const attempt: Attempt = {
              clientOrderId,
              buyer,
              payload: { product: 'CRASH-1', ...(byHeader ? {} : { client_order_id: clientOrderId }), quantity: 1 + (i % 2) },
              headers: byHeader ? { 'idempotency-key': clientOrderId } : {},
            };
            attempts.set(clientOrderId, attempt);
            try {
              const res = await fetch(`${first.url}/api/v1/orders`, {
                method: 'POST',
                headers: { authorization: `Bearer ${buyer.apiKey}`, 'content-type': 'application/json', ...attempt.headers },
                body: JSON.stringify(attempt.payload),
              });
              const body = (await res.json()) as OrderAnswer;
              if (res.status === 200) acked.set(clientOrderId, { orderId: body.order_id, status: body.status, codes: body.order.items.map((item) => item.code) });
              else otherAnswers.push(`${clientOrderId}: ${res.status} ${JSON.stringify(body)}`);
            } catch {
              // The server died with this request in flight (or before answering it in full).
              unanswered.add(clientOrderId);
              return;
            }
          }
        };

        const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));
        try {
          // Bounded wait for the load to be well under way, then kill the server mid-flight.
          for (let i = 0; i < 2400 && acked.size < ACKED_BEFORE_KILL && otherAnswers.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
          assert.deepEqual(otherAnswers, []);
          assert.ok(acked.size >= ACKED_BEFORE_KILL, `only ${acked.size} orders acknowledged before giving up`);
          await first.stop('SIGKILL');
        } finally {
          stopped = true;
          await first.stop('SIGKILL');
          await Promise.all(loops);
        }
        assert.equal(first.child.signalCode, 'SIGKILL');
        assert.deepEqual(otherAnswers, []);
        assert.equal(acked.size + unanswered.size, attempts.size);
        // A loop stops at its first failure: at most one unanswered request each.
        assert.ok(unanswered.size >= 1 && unanswered.size <= LOOPS, `${unanswered.size} unanswered`);

        // The database as the crash left it: the invariants hold (checked directly and by `souk
        // doctor`, while the server starts again: starting changes no order, stock or wallet).
        assert.deepEqual(await withSouk(env, (souk) => checkInvariants(souk.db)), []);
        const [second] = await Promise.all([spawnServer(env).then((server) => (servers.push(server), server)), doctor(env)]);
        const api = async (method: 'GET' | 'POST', path: string, key: string, payload?: object, headers: Record<string, string> = {}) => {
          const res = await fetch(`${second.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
            body: payload ? JSON.stringify(payload) : undefined,
          });
          return { status: res.status, body: (await res.json()) as OrderAnswer };
        };

        // Nothing acknowledged was lost or changed.
        await inBatches([...acked], 10, async ([clientOrderId, before]) => {
          const { buyer } = attempts.get(clientOrderId)!;
          const res = await api('GET', `/api/v1/orders/${before.orderId}`, buyer.apiKey);
          assert.equal(res.status, 200, `${clientOrderId}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.order.order_id, before.orderId, clientOrderId);
          assert.equal(res.body.order.status, 'fulfilled', clientOrderId);
          assert.equal(before.status, 'fulfilled', clientOrderId);
          assert.deepEqual(res.body.order.items.map((item) => item.code), before.codes, clientOrderId);
        });

        // Every unanswered request, retried: an order that was committed comes back as a replay, one
        // that was not is placed now; either way asking again gives the same order.
        let replayed = 0;
        await inBatches([...unanswered], 10, async (clientOrderId) => {
          const { buyer, payload, headers } = attempts.get(clientOrderId)!;
          const retry = await api('POST', '/api/v1/orders', buyer.apiKey, payload, headers);
          assert.equal(retry.status, 200, `${clientOrderId}: ${JSON.stringify(retry.body)}`);
          assert.equal(retry.body.status, 'fulfilled');
          assert.equal(retry.body.order.items.length, payload.quantity);
          if (retry.body.replayed) replayed += 1;
          const again = await api('POST', '/api/v1/orders', buyer.apiKey, payload, headers);
          assert.equal(again.status, 200);
          assert.equal(again.body.replayed, true);
          assert.equal(again.body.order_id, retry.body.order_id);
          assert.deepEqual(again.body.order.items, retry.body.order.items);
        });
        t.diagnostic(`${acked.size} acknowledged, ${unanswered.size} unanswered (${replayed} had been committed before the kill)`);

        // Exactly one order per attempted client_order_id, and money and stock add up to them.
        const accounted = withSouk(env, async (souk) => {
          const orders = await souk.db.selectFrom('orders').select(['id', 'account_id', 'client_order_id', 'idempotency_key', 'quantity', 'status', 'charged_minor']).execute();
          assert.equal(orders.length, attempts.size);
          assert.deepEqual(new Set(orders.map((o) => o.client_order_id ?? o.idempotency_key)), new Set(attempts.keys()));
          assert.ok(orders.some((o) => o.idempotency_key !== null) && orders.some((o) => o.client_order_id !== null), 'both kinds of reference were placed');
          assert.ok(orders.every((o) => o.status === 'fulfilled'));
          const units = orders.reduce((sum, o) => sum + o.quantity, 0);
          for (const buyer of buyers) {
            const mine = orders.filter((o) => o.account_id === buyer.accountId);
            const wallet = await souk.db.selectFrom('wallets').select(['id', 'balance_minor']).where('account_id', '=', buyer.accountId).executeTakeFirstOrThrow();
            assert.equal(wallet.balance_minor, FUNDS - mine.reduce((sum, o) => sum + o.charged_minor, 0));
            const debits = await souk.db.selectFrom('ledger_entries').select(sql<number>`count(*)`.as('n')).where('wallet_id', '=', wallet.id).where('kind', '=', 'order').executeTakeFirstOrThrow();
            assert.equal(Number(debits.n), mine.length);
          }
          const sold = await souk.db.selectFrom('stock_items').select(sql<number>`count(*)`.as('n')).where('status', '=', 'sold').executeTakeFirstOrThrow();
          assert.equal(Number(sold.n), units);
          const items = await souk.db.selectFrom('order_items').select(['stock_item_id']).execute();
          assert.equal(items.length, units);
          assert.equal(new Set(items.map((i) => i.stock_item_id)).size, units);
          const product = await souk.db.selectFrom('products').select('stock_available').where('code', '=', 'CRASH-1').executeTakeFirstOrThrow();
          assert.equal(product.stock_available, STOCK - units);
          assert.deepEqual(await checkInvariants(souk.db), []);
        });
        await Promise.all([accounted, doctor(env)]);
        assert.equal(await second.stop('SIGTERM'), 0);
      });
    });
  }
});

// On PostgreSQL a placement batch locks its codes FOR UPDATE SKIP LOCKED, so another process's
// batch holding codes is passed over rather than waited for. That batch may hold codes it then
// leaves unsold (locked for an order it refused for lack of money): an order that found only such
// codes must not be told out_of_stock. Here the other process is a test transaction holding the
// codes; the order must wait for it and then get what it leaves.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { until } from '../helpers/until.js';
import { checkInvariants } from '../../src/core/orders/index.js';

describe('codes locked by another batch (postgres)', () => {
  let t: TestSouk;
  let buyer: TestReseller;
  before(async () => {
    t = await startTestSouk('postgres');
    buyer = await createReseller(t.souk);
    await fund(t.souk, buyer.accountId, 10_000);
  });
  after(() => t.close());

  /** Another writer's transaction holding every available code of `product`. */
  async function holdCodes(product: string) {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>(
      "select s.id from stock_items s join products p on p.id = s.product_id where p.code = $1 and s.status = 'available' order by s.id for update of s",
      [product],
    );
    return { client, ids: rows.map((r) => Number(r.id)) };
  }

  /**
   * Places an order and resolves once Souk waits on a row lock; fails if it answers first. The
   * answer comes wrapped: an async function returning the request itself would wait for it.
   */
  async function placeWhileHeld(product: string) {
    const placing = t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product } });
    const waiting = until(
      async () => (await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.souk.db)).rows[0]!.waiting,
      (n) => n > 0,
      'a placement waiting for the held codes',
    );
    waiting.catch(() => undefined);
    const first = await Promise.race([waiting.then(() => 'waiting' as const), placing.then(() => 'answered' as const)]);
    if (first === 'answered') assert.fail(`answered before waiting for the held codes: ${(await placing).body}`);
    return { answer: placing };
  }

  test('an order whose codes another batch holds and then leaves unsold gets one of them', async () => {
    await stockedProduct(t.souk, { code: 'HELD-BY-OTHER', price: '1.00' }, 2);
    const other = await holdCodes('HELD-BY-OTHER');
    assert.equal(other.ids.length, 2);
    const { answer } = await placeWhileHeld('HELD-BY-OTHER');
    await other.client.query('rollback');
    await other.client.end();
    const res = await answer;
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'fulfilled');
    assert.deepEqual(res.json().order.items.map((i: { code: string }) => i.code), ['HELD-BY-OTHER-0001']);
    assert.deepEqual(await checkInvariants(t.souk.db), []);
  });

  test('an order whose codes another batch holds and then sells is out_of_stock', async () => {
    await stockedProduct(t.souk, { code: 'SOLD-BY-OTHER', price: '1.00' }, 1);
    const other = await holdCodes('SOLD-BY-OTHER');
    const { answer } = await placeWhileHeld('SOLD-BY-OTHER');
    // As a batch that sold it would: the code leaves stock and its counter in one commit.
    await other.client.query("update stock_items set status = 'void' where id = any($1::bigint[])", [other.ids]);
    await other.client.query("update products set stock_available = stock_available - 1 where code = 'SOLD-BY-OTHER'");
    await other.client.query('commit');
    await other.client.end();
    const res = await answer;
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error, 'out_of_stock');
  });
});

// Placement asks whether a client_order_id or an Idempotency-Key is already taken for every order
// it writes. That must be one probe of the reference's own unique index however many orders the
// account has. PostgreSQL chooses that index from the statistics ANALYZE gathers; where autovacuum
// does not gather them, Souk does (db/statistics.ts), or the planner may read every order of the
// account to find one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk, type TestReseller } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { genericPlanOf, scansOf, type PlanNode } from '../helpers/query-plans.js';
import { refreshPlannerStatistics, sqliteHandleOf } from '../../src/db/index.js';
import { pgTakenReferences } from '../../src/core/orders/placement-postgres.js';
import { SQLITE_REFERENCE_LOOKUPS } from '../../src/core/orders/placement-sqlite.js';
import { housekeeping } from '../../src/worker/schedules/index.js';

/** Orders the account holds besides the one placed for real: enough for a wrong index to show. */
const MANY = 3000;

for (const kind of DATABASE_KINDS) {
  describe(`looking up an order's references (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk);
      await fund(t.souk, reseller.accountId, 100_00);
      await stockedProduct(t.souk, { code: 'REF-CARD' }, 5);
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'REF-CARD', quantity: 1, client_order_id: 'ref-0' } });
      assert.equal(placed.statusCode, 200, placed.body);
      // Copies of that order under other ids and client_order_ids, written as rows: the account's history.
      const columns = (await t.souk.db.introspection.getTables()).find((table) => table.name === 'orders')!.columns.map((c) => c.name);
      const copied = columns.map((c) => (c === 'id' ? `'h' || n` : c === 'number' ? `'H' || n` : c === 'client_order_id' ? `'history-' || n` : c));
      const numbers = kind === 'postgres' ? sql.raw(`generate_series(1, ${MANY}) as g(n)`) : sql.raw(`(with recursive g(n) as (select 1 union all select n + 1 from g where n < ${MANY}) select n from g)`);
      await t.souk.db.transaction().execute(async (tx) => {
        await sql`insert into orders (${sql.raw(columns.join(', '))}) select ${sql.raw(copied.join(', '))} from orders, ${numbers} where orders.client_order_id = 'ref-0'`.execute(tx);
        // The rows written count towards the table's changes as soon as this commits, not a few seconds later.
        if (kind === 'postgres') await sql`select pg_stat_force_next_flush()`.execute(tx);
      });
    });
    after(() => t.close());

    test('statistics are refreshed for the tables that changed enough since their last analysis, and only for those', async () => {
      const analyzed = await refreshPlannerStatistics(t.souk.db, t.souk.dialect, { evenWithAutovacuum: true });
      if (kind === 'sqlite') {
        assert.deepEqual(analyzed, []);
        return;
      }
      assert.ok(analyzed.includes('orders'), analyzed.join(', '));
      // 5 codes and 1 product: too few changes to be worth an analysis.
      assert.ok(!analyzed.includes('products'), analyzed.join(', '));
      assert.deepEqual(await refreshPlannerStatistics(t.souk.db, t.souk.dialect, { evenWithAutovacuum: true }), []);
      assert.ok(housekeeping().some((schedule) => schedule.name === 'db.refresh-statistics'), 'every process refreshes them with its housekeeping');
    });

    test('with the statistics Souk keeps, a client_order_id or Idempotency-Key is probed in its own unique index, not among all the account orders', async () => {
      await refreshPlannerStatistics(t.souk.db, t.souk.dialect, { evenWithAutovacuum: true });
      const references = [
        { accountId: reseller.accountId, kind: 'client_order_id' as const, value: 'history-17' },
        { accountId: reseller.accountId, kind: 'client_order_id' as const, value: 'never-used' },
        { accountId: reseller.accountId, kind: 'idempotency_key' as const, value: 'some-key' },
      ];
      if (kind === 'postgres') {
        const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (format json) select ${pgTakenReferences(references)} as taken`.execute(t.souk.db);
        const scans = scansOf(explained.rows[0]!['QUERY PLAN'][0]!.Plan, 'orders');
        assert.equal(scans.length, 2, JSON.stringify(scans));
        assert.deepEqual(scans.map((scan) => scan['Index Name']).sort(), ['orders_client_order_id', 'orders_idempotency_key']);
        // The whole reference is the index condition: nothing left to filter row by row.
        assert.deepEqual(scans.filter((scan) => scan.Filter), []);
        // Placement's own connections plan it once for any references (db/index.ts): the same probes.
        const generic = scansOf(await genericPlanOf(t.souk.db, sql`select ${pgTakenReferences(references)} as taken`), 'orders');
        assert.deepEqual(generic.map((scan) => scan['Index Name']).sort(), ['orders_client_order_id', 'orders_idempotency_key'], JSON.stringify(generic));
        assert.deepEqual(generic.filter((scan) => scan.Filter), []);
      } else {
        const sqlite = sqliteHandleOf(t.souk.db)!;
        for (const [reference, lookup] of Object.entries(SQLITE_REFERENCE_LOOKUPS)) {
          const [step] = sqlite.prepare<[number, string], { detail: string }>(`explain query plan ${lookup}`).all(reseller.accountId, 'x');
          const index = reference === 'client_order_id' ? 'sqlite_autoindex_orders_' : 'orders_idempotency_key';
          assert.match(step!.detail, new RegExp(`USING (COVERING )?INDEX ${index}\\w* \\(account_id=\\? AND ${reference}=\\?\\)`), step!.detail);
        }
      }
    });

    test('an order whose client_order_id the account used long ago is a replay, one it never used is placed', async () => {
      const retry = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'REF-CARD', quantity: 1, client_order_id: 'ref-0' } });
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().replayed, true);
      const fresh = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'REF-CARD', quantity: 1, client_order_id: `history-${MANY + 1}` } });
      assert.equal(fresh.statusCode, 200, fresh.body);
      assert.equal(fresh.json().replayed, false);
      const copied = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'REF-CARD', quantity: 1, client_order_id: 'history-17' } });
      // The copy's request is the first order's, so the same body under its client_order_id is its replay.
      assert.equal(copied.statusCode, 200, copied.body);
      assert.equal(copied.json().replayed, true);
      assert.equal(copied.json().order_id, 'h17');
    });
  });
}

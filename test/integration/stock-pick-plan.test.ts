// Placement takes a product's next available codes, oldest first. Sold codes are the oldest, so
// that read must start where the available codes start, not walk past every code sold before
// them. On PostgreSQL, statistics gathered while most codes were available made the planner walk
// the primary key in id order instead (migration 0022).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk, type TestReseller } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { genericPlanOf, scansOf, type PlanNode } from '../helpers/query-plans.js';
import { pgStockOnHand } from '../../src/core/inventory/index.js';
import { placementWriterOf } from '../../src/db/index.js';

const CODES = 3000;
/** The oldest codes, sold after the statistics were gathered. */
const SOLD = 2000;

for (const kind of DATABASE_KINDS) {
  describe(`taking a product's next codes after many were sold (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    let productId: number;
    let sharedId: number;
    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk);
      await fund(t.souk, reseller.accountId, 100_00);
      productId = await stockedProduct(t.souk, { code: 'PICK-CARD' }, CODES);
      sharedId = await stockedProduct(t.souk, { code: 'PICK-SHARED', stock_mode: 'shared' }, 3);
      // Statistics from when every code was available, as a shop has them after a big import.
      if (kind === 'postgres') await sql`analyze stock_items`.execute(t.souk.db);
      await t.souk.db.transaction().execute(async (tx) => {
        const oldest = tx.selectFrom('stock_items').select('id').where('product_id', '=', productId).orderBy('id').limit(SOLD);
        await tx.updateTable('stock_items').set({ status: 'sold', sold_at: new Date().toISOString() }).where('id', 'in', oldest).execute();
        await tx.updateTable('products').set((eb) => ({ stock_available: eb('stock_available', '-', SOLD) })).where('id', '=', productId).execute();
      });
    });
    after(() => t.close());

    test("a shared product's order gets its newest code", async () => {
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'PICK-SHARED', quantity: 1 } });
      assert.equal(placed.statusCode, 200, placed.body);
      assert.deepEqual(placed.json().order.items.map((item: { code: string }) => item.code), ['PICK-SHARED-0003']);
    });

    // SQLite's planner needs no statistics to take stock_items_pick for this read.
    if (kind === 'postgres') test('the next codes are read from the first available one in the pick index, with no sold code read and filtered out', async () => {
      const demand = { codes: [{ productId, quantity: 2 }], sharedProductIds: [] };
      const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (analyze, format json) select ${pgStockOnHand(demand, 'skip')}`.execute(t.souk.db);
      const [pool] = scansOf(explained.rows[0]!['QUERY PLAN'][0]!.Plan, 'stock_items');
      assert.equal(pool?.['Index Name'], 'stock_items_pick', JSON.stringify(pool));
      assert.equal(pool['Rows Removed by Filter'] ?? 0, 0, JSON.stringify(pool));
    });

    if (kind === 'postgres') test("placement's own connections plan each statement once, for any values", async () => {
      const client = await placementWriterOf(t.souk.db)!.pool.connect();
      try {
        const { rows } = await client.query<{ plan_cache_mode: string }>('show plan_cache_mode');
        assert.equal(rows[0]?.plan_cache_mode, 'force_generic_plan');
      } finally {
        client.release();
      }
    });

    if (kind === 'postgres') test("planned once for any products, as placement's connections plan it, the read still starts at the first available code, and a shared product's code is read from its newest", async () => {
      const demand = { codes: [{ productId, quantity: 2 }], sharedProductIds: [sharedId] };
      const plan = await genericPlanOf(t.souk.db, sql`select ${pgStockOnHand(demand, 'skip')}`);
      const scans = scansOf(plan, 'stock_items');
      assert.equal(scans.length, 2, JSON.stringify(scans));
      for (const scan of scans) {
        assert.match(scan['Node Type'] ?? '', /^Index( Only)? Scan$/, JSON.stringify(scan));
        assert.equal(scan['Index Name'], 'stock_items_pick', JSON.stringify(scan));
        assert.equal(scan['Rows Removed by Filter'] ?? 0, 0, JSON.stringify(scan));
      }
    });

    test('an order gets the oldest code not yet sold', async () => {
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'PICK-CARD', quantity: 2 } });
      assert.equal(placed.statusCode, 200, placed.body);
      assert.deepEqual(
        placed.json().order.items.map((item: { code: string }) => item.code),
        [`PICK-CARD-${SOLD + 1}`, `PICK-CARD-${SOLD + 2}`],
      );
    });
  });
}

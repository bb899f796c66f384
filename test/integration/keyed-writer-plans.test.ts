// Forwarded deliveries' statements are prepared once per connection and keep their plan until the
// tables' statistics change. First run while a new shop's tables were empty, PostgreSQL planned
// them to read whole tables, and they went on doing so on every batch as the tables grew, until
// the next ANALYZE. On the keyed writers' connection they find a batch's rows by key whatever the
// statistics say. Each statement is also run on one of placement's connections, which plan once
// for any values and nothing more: there it reads the whole table, which shows the case is one
// where the plan can go wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import type { PoolClient } from 'pg';
import { keyedWriterOf, placementWriterOf } from '../../src/db/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { insertOrdersAndRuns, ordersMovedToFulfilled, runsEnded } from '../helpers/delivery-statements.js';
import { indexesScanning, planMadeNow, scansOf, type PlanNode, type PreparedProbe } from '../helpers/query-plans.js';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';

/** Orders and runs a shop takes in its first seconds under load. */
const GROWN = 3_000;
const CONNECTIONS = ['keyed writer', 'placement'] as const;
type Connection = (typeof CONNECTIONS)[number];

/** Rows (or index entries) the plan's scans of `relation` read, filtered out or not, over all their loops. */
function rowsRead(plan: PlanNode, relation: string): number {
  return scansOf(plan, relation)
    .filter((node) => node['Node Type']?.endsWith('Scan'))
    .reduce((sum, scan) => sum + ((scan['Actual Rows'] ?? 0) + (scan['Rows Removed by Filter'] ?? 0)) * (scan['Actual Loops'] ?? 1), 0);
}

describe("forwarded deliveries' statements find a batch's rows by key on a new shop's tables (postgres)", () => {
  let t: TestSouk;
  const clients = new Map<Connection, PoolClient>();
  const probes = new Map<string, PreparedProbe>();

  const statements: Record<string, { relation: string; index: string; query: () => RawBuilder<unknown> }> = {
    "the delivery's orders moved to fulfilled": {
      relation: 'orders',
      index: 'orders_pkey',
      query: () => ordersMovedToFulfilled(['grown-1', 'grown-2']),
    },
    "the delivery's runs ended": {
      relation: 'step_runs',
      index: 'step_runs_pkey',
      query: () => runsEnded(['grown-1', 'grown-2']),
    },
  };

  before(async () => {
    t = await startTestSouk('postgres');
    const { accountId } = await createReseller(t.souk);
    const productId = (await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'NEW-SHOP-CARD', name: 'New shop card', price: '1.00' })).id;
    // A new shop's statistics: its tables empty.
    for (const table of ['orders', 'step_runs', 'step_run_steps']) await sql`analyze ${sql.id(table)}`.execute(t.souk.db);
    for (const connection of CONNECTIONS) {
      const client = await (connection === 'keyed writer' ? keyedWriterOf(t.souk.db)! : placementWriterOf(t.souk.db)!).pool.connect();
      clients.set(connection, client);
      for (const [name, statement] of Object.entries(statements)) probes.set(`${connection}: ${name}`, await planMadeNow(client, t.souk.db, statement.query()));
    }
    // The tables grow; no statistics are gathered meanwhile.
    await insertOrdersAndRuns(t.souk.db, { prefix: 'grown', count: GROWN, accountId, productId });
  });
  after(async () => {
    for (const probe of probes.values()) await probe.deallocate();
    for (const client of clients.values()) client.release();
    await t.close();
  });

  for (const [name, { relation, index }] of Object.entries(statements)) {
    test(`${name}: first run on empty tables, on the keyed writers' connection it reads ${relation} through ${index} once they have grown`, async () => {
      const plan = await probes.get(`keyed writer: ${name}`)!.plan();
      const scans = indexesScanning(plan, relation);
      assert.ok(scans.length > 0, JSON.stringify(plan));
      assert.deepEqual(scans, scans.map(() => index), JSON.stringify(plan));
      // By key: no more entries read than the batch has keys (two), however many the index holds.
      assert.ok(rowsRead(plan, relation) <= 2, JSON.stringify(plan));
    });

    test(`${name}: first run on empty tables, on a connection of placement's it reads all of ${relation} once they have grown`, async () => {
      const plan = await probes.get(`placement: ${name}`)!.plan();
      assert.ok(rowsRead(plan, relation) >= GROWN, JSON.stringify(plan));
    });
  }
});

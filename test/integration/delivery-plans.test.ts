// A forwarded batch's delivery moves its orders to fulfilled and ends its runs, each found by its
// key. With the statistics of a new shop (tables nearly empty, few orders processing, few runs
// running) PostgreSQL found them through the status indexes instead, which hold an entry for every
// order or run in that status now and for every one that ever was (until a vacuum): a read that
// grew with every order. The plans are checked as the statement runs them, prepared once for any
// values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { genericPlanOf, indexesScanning } from '../helpers/query-plans.js';
import { insertOrdersAndRuns, ordersMovedToFulfilled, runsEnded } from '../helpers/delivery-statements.js';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createProduct } from '../../src/core/catalog/index.js';

/** Orders and runs the shop has had: enough that reading them all would show. */
const HISTORY = 3_000;

describe('the delivery statement finds its rows by key (postgres)', () => {
  let t: TestSouk;

  before(async () => {
    t = await startTestSouk('postgres');
    // A shop's history as its statistics see it: thousands of orders and runs, each processing or
    // running once and ended since (their old status entries stay in the indexes until a vacuum).
    const { accountId } = await createReseller(t.souk);
    const product = await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'PLAN-CARD', name: 'Plan card', price: '1.00' });
    await insertOrdersAndRuns(t.souk.db, { prefix: 'plan', count: HISTORY, accountId, productId: product.id });
    await sql`update orders set status = 'fulfilled' where id like 'plan-%'`.execute(t.souk.db);
    await sql`update step_runs set status = 'done' where id like 'plan-%'`.execute(t.souk.db);
    await sql`analyze orders`.execute(t.souk.db);
    await sql`analyze step_runs`.execute(t.souk.db);
  });
  after(async () => {
    await t.close();
  });

  test('the orders moved to fulfilled are probed by primary key, not found through their status', async () => {
    const plan = await genericPlanOf(t.souk.db, ordersMovedToFulfilled(['01JDELIVERYPLANORDER00001', '01JDELIVERYPLANORDER00002']));
    const scans = indexesScanning(plan, 'orders');
    assert.ok(scans.length > 0, JSON.stringify(plan));
    assert.deepEqual(scans, scans.map(() => 'orders_pkey'), JSON.stringify(plan));
  });

  test('the runs ended are probed by primary key, not found through their status', async () => {
    const plan = await genericPlanOf(t.souk.db, runsEnded(['01JDELIVERYPLANRUN0000001', '01JDELIVERYPLANRUN0000002']));
    const scans = indexesScanning(plan, 'step_runs');
    assert.ok(scans.length > 0, JSON.stringify(plan));
    assert.deepEqual(scans, scans.map(() => 'step_runs_pkey'), JSON.stringify(plan));
  });
});

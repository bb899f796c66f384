// Money columns hold any amount the API accepts (up to MAX_MINOR): a buy-back price of
// 577,040,119.00 once passed validation and failed on PostgreSQL's 4-byte column with a 500
// (found by the generated-requests test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

for (const kind of DATABASE_KINDS) {
  describe(`money columns hold any amount the API accepts (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(async () => {
      await t.close();
    });

    test('a buy-back price past 2^31 minor units is kept and answered as given', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/api/products', headers: bearer(t.adminKey), payload: { code: 'BIG-BUYBACK', name: 'Big buy-back', price: '900000000.00', buyback_price: '577040119' } });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().product.buyback, { price: 577040119, currency: 'USD' });
      const row = await t.souk.db.selectFrom('products').select('buyback_price_minor').where('code', '=', 'BIG-BUYBACK').executeTakeFirstOrThrow();
      assert.equal(row.buyback_price_minor, 57_704_011_900);
    });

    if (kind === 'postgres') {
      test('every column of minor units is 8 bytes wide', async () => {
        const columns = await sql<{ column: string; data_type: string }>`
          select table_name || '.' || column_name as column, data_type from information_schema.columns
          where table_schema = current_schema() and column_name like '%\\_minor'`.execute(t.souk.db);
        // Wallets, ledger, orders, coupons, providers, trade-ins, payments…: a query that found none would prove nothing.
        assert.ok(columns.rows.length >= 20, JSON.stringify(columns.rows));
        assert.deepEqual(
          columns.rows.filter((c) => c.data_type !== 'bigint'),
          [],
        );
      });
    }
  });
}

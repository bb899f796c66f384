import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { countStock, importStock, type ImportProgress } from '../../src/core/inventory/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`bulk stock import (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(() => t.close());

    test('a large import sealed on worker threads keeps every code once, counts duplicates across chunks and blanks, and reports progress per chunk', async () => {
      const deps = { db: t.souk.db, bus: t.souk.bus, vault: t.souk.vault, dialect: t.souk.dialect };
      await createProduct(deps, { code: 'BULK', name: 'Bulk', price: '1.00' });
      const unique = Array.from({ length: 12_000 }, (_, i) => `BULK-${String(i).padStart(6, '0')}`);
      // Duplicates of codes from the first chunk land in the last chunks; blanks anywhere.
      const lines = [...unique, '', '  ', ...unique.slice(0, 500), ''];
      const progress: ImportProgress[] = [];
      const result = await importStock(deps, 'BULK', lines, { chunkSize: 2500, onProgress: (p) => progress.push(p) });
      assert.deepEqual(result, { imported: 12_000, duplicates: 500, blank: 3 });
      assert.equal(progress.length, 5);
      assert.deepEqual(
        progress.map((p) => p.imported + p.duplicates),
        [2500, 5000, 7500, 10_000, 12_500],
      );
      assert.equal((await countStock(t.souk.db, 'BULK')).available, 12_000);
      assert.equal((await t.souk.db.selectFrom('products').select('stock_available').where('code', '=', 'BULK').executeTakeFirstOrThrow()).stock_available, 12_000);
      // Every stored code opens to one of the imported codes, each exactly once.
      const stored = await t.souk.db.selectFrom('stock_items').select('code_enc').where('product_id', '=', (await t.souk.db.selectFrom('products').select('id').where('code', '=', 'BULK').executeTakeFirstOrThrow()).id).execute();
      const opened = stored.map((row) => t.souk.vault.open(row.code_enc)).sort();
      assert.deepEqual(opened, unique);
      // Importing the same file again adds nothing.
      assert.deepEqual(await importStock(deps, 'BULK', lines, { chunkSize: 2500 }), { imported: 0, duplicates: 12_500, blank: 3 });
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

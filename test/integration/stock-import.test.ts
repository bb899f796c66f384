import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { countStock, importStock, type ImportProgress } from '../../src/core/inventory/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { sqliteHandleOf } from '../../src/db/index.js';

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

    test('an import commits a small first chunk, doubles the chunk up to 25,000 codes, and leaves the WAL checkpointing as it found it', async () => {
      const deps = { db: t.souk.db, bus: t.souk.bus, vault: t.souk.vault, dialect: t.souk.dialect };
      await createProduct(deps, { code: 'RAMP', name: 'Ramp', price: '1.00' });
      const sqlite = sqliteHandleOf(t.souk.db);
      const checkpointEvery = () => Number(sqlite?.pragma('wal_autocheckpoint', { simple: true }));
      const before = sqlite ? checkpointEvery() : undefined;
      const during: number[] = [];
      const progress: number[] = [];
      const lines = Array.from({ length: 60_000 }, (_, i) => `RAMP-${i}`);
      const result = await importStock(deps, 'RAMP', lines, {
        onProgress: (p) => {
          progress.push(p.imported + p.duplicates);
          if (sqlite) during.push(checkpointEvery());
        },
      });
      assert.deepEqual(result, { imported: 60_000, duplicates: 0, blank: 0 });
      assert.deepEqual(progress, [2500, 7500, 17_500, 37_500, 60_000]);
      if (sqlite) {
        // A test database checkpoints inside commits (no background checkpointer): every 1,000
        // pages normally, every 64 MB of WAL while the import runs.
        assert.equal(before, 1000);
        assert.deepEqual([...new Set(during)], [16_384]);
        assert.equal(checkpointEvery(), 1000);
      }
      assert.equal((await countStock(t.souk.db, 'RAMP')).available, 60_000);
    });
  });
}

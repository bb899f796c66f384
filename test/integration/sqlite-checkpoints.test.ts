// SQLite only: PostgreSQL has no WAL file of ours to checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { sqliteHandleOf } from '../../src/db/index.js';
import { createTestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

test('with background checkpoints the server never checkpoints in a commit, and a worker thread moves the WAL into the database file', async () => {
  const database = await createTestDatabase('sqlite');
  const souk = await openSouk(loadConfig(testEnv(database)));
  const errors: string[] = [];
  try {
    const file = database.url.replace(/^sqlite:/, '');
    souk.checkpointInBackground((message) => errors.push(message));
    assert.equal(sqliteHandleOf(souk.db)!.pragma('wal_autocheckpoint', { simple: true }), 0);
    const deps = { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
    await createProduct(deps, { code: 'WAL', name: 'WAL', price: '1.00' });
    const before = statSync(file).size;
    await importStock(deps, 'WAL', Array.from({ length: 20_000 }, (_, i) => `WAL-CODE-${i}`), { chunkSize: 5000 });
    // The server's own connection has wal_autocheckpoint = 0: only the worker can grow the file.
    const deadline = Date.now() + WAIT_CEILING_MS;
    while (statSync(file).size < before + 1_000_000 && Date.now() < deadline) await sleep(50);
    assert.ok(statSync(file).size >= before + 1_000_000, `database file grew from ${before} to ${statSync(file).size} bytes only`);
    assert.deepEqual(errors, []);
  } finally {
    await souk.close();
    await database.drop();
  }
});

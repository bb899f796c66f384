// Group commit (db/group-commit.ts): works submitted together share one transaction; a work that
// throws reaches only its own caller, and every other work of its batch still commits; what the
// failing work wrote is gone. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { loadConfig } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { GroupCommit, type Db } from '../../src/db/index.js';

const at = () => new Date().toISOString();

async function settingsLike(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('settings').select('key').where('key', 'like', `${prefix}%`).orderBy('key').execute();
  return rows.map((row) => row.key);
}

for (const kind of DATABASE_KINDS) {
  describe(`group commit (${kind})`, () => {
    let database: TestDatabase;
    let souk: Souk;

    before(async () => {
      database = await createTestDatabase(kind);
      souk = await openSouk(loadConfig(testEnv(database)));
    });
    after(async () => {
      await souk?.close();
      await database?.drop();
    });

    test('works submitted in the same turn commit together, each answered with its own result', async () => {
      const group = new GroupCommit(souk.db);
      const transactions = new Set<Db>();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          group.run(async (tx) => {
            transactions.add(tx);
            await tx.insertInto('settings').values({ key: `together.${i}`, value: String(i), updated_at: at() }).execute();
            return i * 10;
          }),
        ),
      );
      assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60, 70]);
      assert.equal(transactions.size, 1, 'all eight ran in one transaction');
      assert.equal((await settingsLike(souk.db, 'together.')).length, 8);
    });

    test('a work that throws fails alone: the others of its batch commit, and nothing it wrote is kept', async () => {
      const group = new GroupCommit(souk.db);
      const runs = new Map<number, number>();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          group.run(async (tx) => {
            runs.set(i, (runs.get(i) ?? 0) + 1);
            await tx.insertInto('settings').values({ key: `alone.${i}`, value: String(i), updated_at: at() }).execute();
            if (i === 2) throw new Error('the third work refuses');
            return i;
          }),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
        [0, 1, 'the third work refuses', 3, 4],
      );
      assert.deepEqual(await settingsLike(souk.db, 'alone.'), ['alone.0', 'alone.1', 'alone.3', 'alone.4']);
      // The batch was rolled back at the failure, and each work ran again on its own.
      assert.deepEqual([...runs.entries()].sort(([a], [b]) => a - b), [[0, 2], [1, 2], [2, 2], [3, 1], [4, 1]]);
    });

    test('a work that fails on a constraint leaves the rest of its batch committed', async () => {
      const group = new GroupCommit(souk.db);
      await souk.db.insertInto('settings').values({ key: 'taken.1', value: 'first', updated_at: at() }).execute();
      const outcomes = await Promise.allSettled(
        [0, 1, 2].map((i) => group.run((tx) => tx.insertInto('settings').values({ key: `taken.${i}`, value: 'second', updated_at: at() }).execute())),
      );
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      const rows = await souk.db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'taken.%').orderBy('key').execute();
      assert.deepEqual(rows, [
        { key: 'taken.0', value: 'second' },
        { key: 'taken.1', value: 'first' },
        { key: 'taken.2', value: 'second' },
      ]);
    });

    test('works submitted while a batch is being written form the next batch', async () => {
      const group = new GroupCommit(souk.db);
      const transactions: Db[] = [];
      let later: Promise<unknown>[] = [];
      const first = Promise.all(
        [0, 1].map((i) =>
          group.run(async (tx) => {
            transactions.push(tx);
            // Submitted while this batch is open: they cannot join it.
            if (i === 0) later = [2, 3].map(() => group.run(async (tx2) => void transactions.push(tx2)));
            await tx.insertInto('settings').values({ key: `next.${i}`, value: 'x', updated_at: at() }).execute();
          }),
        ),
      );
      await first;
      await Promise.all(later);
      assert.equal(transactions.length, 4);
      assert.equal(transactions[0], transactions[1]);
      assert.equal(transactions[2], transactions[3]);
      assert.notEqual(transactions[0], transactions[2]);
    });
  });
}

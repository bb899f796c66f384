import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { loadConfig } from '../../src/config.js';
import { migrations, openDatabase, runMigrations, type DatabaseHandle, type Migration } from '../../src/db/index.js';
import { testEnv } from '../helpers/souk.js';
import { runCli } from '../helpers/processes.js';

async function tableExists(handle: DatabaseHandle, name: string): Promise<boolean> {
  const tables = await handle.db.introspection.getTables();
  return tables.some((t) => t.name === name);
}

for (const kind of DATABASE_KINDS) {
  describe(`migrations (${kind})`, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    before(async () => {
      database = await createTestDatabase(kind);
      handle = openDatabase(loadConfig(testEnv(database)).database);
    });
    after(async () => {
      await handle.close();
      await database.drop();
    });

    test('apply every migration once; a second run applies nothing', async () => {
      assert.deepEqual(await runMigrations(handle.db, handle.dialect, migrations), migrations.map((m) => m.name));
      assert.deepEqual(await runMigrations(handle.db, handle.dialect, migrations), []);
      for (const table of ['accounts', 'users', 'api_keys', 'categories', 'category_types', 'products', 'settings', 'seen_signatures']) {
        assert.ok(await tableExists(handle, table), table);
      }
    });

    test('a migration that fails halfway leaves the database as it was', async () => {
      const broken: Migration = {
        name: '9999-broken',
        async up(tx) {
          await tx.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await tx.insertInto('settings').values({ key: 'half', value: '1', updated_at: 'now' }).execute();
          await sql`this is not sql`.execute(tx);
        },
      };
      await assert.rejects(runMigrations(handle.db, handle.dialect, [...migrations, broken]));
      assert.equal(await tableExists(handle, 'half_done'), false);
      assert.equal(await handle.db.selectFrom('settings').select('key').where('key', '=', 'half').executeTakeFirst(), undefined);
      const recorded = await handle.db.selectFrom('souk_migrations').select('name').execute();
      assert.ok(!recorded.some((r) => r.name === '9999-broken'));
    });

    test('two processes migrating at once apply each migration exactly once', async () => {
      const fresh = await createTestDatabase(kind);
      try {
        const env = testEnv(fresh);
        const [a, b] = await Promise.all([runCli(['migrate', '--json'], env), runCli(['migrate', '--json'], env)]);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
        const applied = [...(JSON.parse(a.stdout).applied as string[]), ...(JSON.parse(b.stdout).applied as string[])];
        assert.deepEqual(applied.sort(), migrations.map((m) => m.name).sort());
      } finally {
        await fresh.drop();
      }
    });

    if (kind === 'sqlite') {
      test('SQLite runs in WAL mode with foreign keys and a busy timeout', async () => {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(handle.db);
        assert.equal(mode.rows[0]?.journal_mode, 'wal');
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(handle.db);
        assert.equal(fk.rows[0]?.foreign_keys, 1);
        const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(handle.db);
        assert.ok((timeout.rows[0]?.timeout ?? 0) >= 1000);
      });
    }
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { runCli, spawnServer } from '../helpers/processes.js';
import type { Env } from '../../src/config.js';

function json(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `--json must print exactly one line, got:\n${stdout}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

for (const kind of DATABASE_KINDS) {
  describe(`souk CLI (${kind})`, () => {
    let database: TestDatabase;
    let env: Env;
    before(async () => {
      database = await createTestDatabase(kind);
      env = testEnv(database);
    });
    after(() => database.drop());

    test('migrate applies the migrations once and then reports up to date', async () => {
      const first = await runCli(['migrate', '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.ok((json(first.stdout).applied as string[]).includes('0001-foundation'));
      const second = await runCli(['migrate'], env);
      assert.equal(second.code, 0);
      assert.match(second.stdout, /up to date/);
    });

    test('account, key, category and product create print the documented JSON', async () => {
      const account = json((await runCli(['account', 'create', '--name', 'Cli Reseller', '--currency', 'EUR', '--credit-limit', '50.00', '--json'], env)).stdout);
      assert.equal(typeof account.account_id, 'number');
      const key = json((await runCli(['key', 'create', '--account', String(account.account_id), '--json'], env)).stdout);
      assert.deepEqual(Object.keys(key).sort(), ['api_key', 'key_id']);
      assert.match(String(key.api_key), /^sk_live_/);
      const signedKey = json((await runCli(['key', 'create', '--account', String(account.account_id), '--signed', '--json'], env)).stdout);
      assert.match(String(signedKey.signing_secret), /^ss_/);
      const category = json((await runCli(['category', 'create', '--slug', 'vouchers', '--name', 'Vouchers', '--name-ar', 'قسائم', '--json'], env)).stdout);
      assert.deepEqual(Object.keys(category).sort(), ['category_id', 'slug']);
      assert.equal(category.slug, 'vouchers');
      const child = json((await runCli(['category', 'create', '--slug', 'food', '--name', 'Food', '--parent', 'vouchers', '--json'], env)).stdout);
      assert.equal(child.slug, 'food');
      const product = json(
        (await runCli(['product', 'create', '--code', 'FOOD-10', '--name', 'Food voucher', '--price', '10.00', '--currency', 'EUR', '--min-qty', '2', '--category', 'food', '--field', 'player_id', '--json'], env)).stdout,
      );
      assert.equal(product.code, 'FOOD-10');
      assert.equal(typeof product.product_id, 'number');

      // What the CLI wrote is what a server on the same database serves.
      const server = await spawnServer(env);
      try {
        const listed = (await (await fetch(`${server.url}/api/v1/products?category=vouchers`)).json()) as { products: Array<Record<string, unknown>> };
        assert.equal(listed.products.length, 1);
        assert.equal(listed.products[0]!.price, 10);
        assert.equal(listed.products[0]!.currency, 'EUR');
        assert.equal(listed.products[0]!.min_quantity, 2);
        const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${String(key.api_key)}` } });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { credit_limit: number }).credit_limit, 50);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });

    test('errors exit non-zero with one line on stderr and nothing on stdout', async () => {
      const cases: string[][] = [
        ['product', 'create', '--code', 'BAD', '--name', 'Bad', '--price', 'free', '--json'],
        ['key', 'create', '--account', '99999', '--json'],
        ['category', 'create', '--slug', 'Not A Slug', '--name', 'x', '--json'],
        ['account', 'create', '--name', 'x', '--credit-limit', 'lots', '--json'],
      ];
      for (const args of cases) {
        const result = await runCli(args, env);
        assert.notEqual(result.code, 0, args.join(' '));
        assert.equal(result.stdout, '', args.join(' '));
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.match(result.stderr, /^souk: /);
      }
      const duplicate = await runCli(['category', 'create', '--slug', 'vouchers', '--name', 'Again'], env);
      assert.notEqual(duplicate.code, 0);
      assert.match(duplicate.stderr, /slug "vouchers" exists/);
    });

    test('a bad setting stops the command with a message naming it', async () => {
      const result = await runCli(['migrate'], { ...env, SOUK_KEY_RATE_LIMIT: 'many' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /SOUK_KEY_RATE_LIMIT/);
    });
  });
}

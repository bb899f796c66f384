import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

    test('stock import, wallet topup, order fulfil/reject and doctor', async () => {
      assert.equal((await runCli(['product', 'create', '--code', 'KEYS-1', '--name', 'Keys', '--price', '3.00'], env)).code, 0);
      assert.equal((await runCli(['product', 'create', '--code', 'HAND-1', '--name', 'By hand', '--price', '1.00', '--fulfillment', 'manual'], env)).code, 0);
      const imported = json((await runCli(['stock', 'import', '--product', 'KEYS-1', '-', '--json'], env, 'K-1\nK-2\n\nK-1\r\nK-3\n')).stdout);
      assert.deepEqual(imported, { imported: 3, duplicates: 1, blank: 1 });
      const account = json((await runCli(['account', 'create', '--name', 'Topped', '--json'], env)).stdout);
      const topped = json((await runCli(['wallet', 'topup', '--account', String(account.account_id), '--amount', '25.50', '--json'], env)).stdout);
      assert.deepEqual(Object.keys(topped).sort(), ['balance', 'currency', 'wallet_id']);
      assert.equal(topped.balance, 25.5);
      assert.equal(topped.currency, 'USD');
      const healthy = await runCli(['doctor'], env);
      assert.equal(healthy.code, 0, healthy.stderr);

      const { openSouk, orderDepsOf } = await import('../../src/app.js');
      const { loadConfig } = await import('../../src/config.js');
      const { placeOrder } = await import('../../src/core/orders/index.js');
      const souk = await openSouk(loadConfig(env));
      let orderId: string;
      let otherId: string;
      try {
        const deps = orderDepsOf(souk);
        orderId = (await placeOrder(deps, Number(account.account_id), { product: 'HAND-1', quantity: 2 }, 'test')).order.id;
        otherId = (await placeOrder(deps, Number(account.account_id), { product: 'HAND-1' }, 'test')).order.id;
      } finally {
        await souk.close();
      }
      const wrongCount = await runCli(['order', 'fulfil', orderId, '--codes', '-'], env, 'ONLY-ONE\n');
      assert.notEqual(wrongCount.code, 0);
      assert.match(wrongCount.stderr, /2 item/);
      const fulfilled = json((await runCli(['order', 'fulfil', orderId, '--codes', '-', '--json'], env, 'H-1\nH-2\n')).stdout);
      assert.deepEqual(fulfilled, { order_id: orderId, status: 'fulfilled', items: 2 });
      const rejected = json((await runCli(['order', 'reject', otherId, '--reason', 'supplier out', '--json'], env)).stdout);
      assert.equal(rejected.status, 'rejected');
      const after = await runCli(['doctor', '--json'], env);
      assert.equal(after.code, 0, after.stderr);
      assert.deepEqual(json(after.stdout), { ok: true, violations: [] });
    });

    test('stock import reads a file by its path; topup --memo lands in the ledger; a credit limit lets orders go below zero down to it and no further', async () => {
      assert.equal((await runCli(['product', 'create', '--code', 'FILE-1', '--name', 'From a file', '--price', '4.00'], env)).code, 0);
      const dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-'));
      try {
        const file = path.join(dir, 'codes.txt');
        // As spreadsheets save them: a byte-order mark, CRLF line ends, a blank line, a repeat.
        writeFileSync(file, '\uFEFFF-1\r\nF-2\r\n\r\nF-3\r\nF-2\r\nF-4\r\n');
        const imported = json((await runCli(['stock', 'import', '--product', 'FILE-1', file, '--json'], env)).stdout);
        assert.deepEqual(imported, { imported: 4, duplicates: 1, blank: 1 });
        const missing = await runCli(['stock', 'import', '--product', 'FILE-1', path.join(dir, 'nope.txt')], env);
        assert.notEqual(missing.code, 0);
        assert.match(missing.stderr, /nope\.txt/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const account = json((await runCli(['account', 'create', '--name', 'On credit', '--credit-limit', '5.00', '--json'], env)).stdout);
      const accountId = Number(account.account_id);
      json((await runCli(['wallet', 'topup', '--account', String(accountId), '--amount', '3.00', '--memo', 'bank transfer 7781', '--json'], env)).stdout);
      const { openSouk, orderDepsOf } = await import('../../src/app.js');
      const { loadConfig } = await import('../../src/config.js');
      const { placeOrder } = await import('../../src/core/orders/index.js');
      const souk = await openSouk(loadConfig(env));
      try {
        const entry = await souk.db.selectFrom('ledger_entries as l').innerJoin('wallets as w', 'w.id', 'l.wallet_id').select(['l.memo', 'l.amount_minor', 'l.actor']).where('w.account_id', '=', accountId).executeTakeFirstOrThrow();
        assert.deepEqual(entry, { memo: 'bank transfer 7781', amount_minor: 300, actor: 'cli' });
        const deps = orderDepsOf(souk);
        // 3.00 of money and 5.00 of credit: two codes at 4.00 (−5.00 after), not a third.
        for (let i = 0; i < 2; i++) assert.equal((await placeOrder(deps, accountId, { product: 'FILE-1' }, 'test')).order.status, 'fulfilled');
        await assert.rejects(placeOrder(deps, accountId, { product: 'FILE-1' }, 'test'), (error: { code?: string }) => error.code === 'insufficient_balance');
        const wallet = await souk.db.selectFrom('wallets').select('balance_minor').where('account_id', '=', accountId).executeTakeFirstOrThrow();
        assert.equal(Number(wallet.balance_minor), -500);
      } finally {
        await souk.close();
      }
      const healthy = await runCli(['doctor'], env);
      assert.equal(healthy.code, 0, healthy.stderr);
    });

    test('doctor names each violation and exits non-zero', async () => {
      const { openSouk } = await import('../../src/app.js');
      const { loadConfig } = await import('../../src/config.js');
      const souk = await openSouk(loadConfig(env));
      try {
        // Break two invariants behind Souk's back: a wallet off its ledger, a stock counter off its rows.
        await souk.db.updateTable('wallets').set({ balance_minor: 999_999 }).execute();
        await souk.db.updateTable('products').set({ stock_available: 77 }).where('code', '=', 'KEYS-1').execute();
      } finally {
        await souk.close();
      }
      const result = await runCli(['doctor'], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /wallet equals its ledger/);
      assert.match(result.stderr, /stock counters match rows: KEYS-1/);
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

    test('a duplicate is refused with its reason printed once', async () => {
      assert.equal((await runCli(['product', 'create', '--code', 'TWICE-1', '--name', 'Twice', '--price', '1.00'], env)).code, 0);
      const again = await runCli(['product', 'create', '--code', 'TWICE-1', '--name', 'Twice', '--price', '1.00'], env);
      assert.notEqual(again.code, 0);
      assert.equal(again.stderr, 'souk: A product with code "TWICE-1" exists.\n');
      const coupon = await runCli(['coupon', 'create', '--code', 'x', '--percent', '1000'], env);
      assert.notEqual(coupon.code, 0);
      assert.equal(coupon.stderr.match(/percent from 0\.01 to 100/g)?.length, 1, coupon.stderr);
    });

    test('a bad slug is explained in a sentence, not a pattern', async () => {
      for (const args of [
        ['category', 'create', '--slug', 'Gift Cards', '--name', 'Gift cards'],
        ['product', 'create', '--code', 'SLUGGED-1', '--name', 'Slugged', '--price', '1.00', '--slug', 'slugged_1'],
      ]) {
        const result = await runCli(args, env);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /^souk: The (category|product) is not valid: slug must be lowercase letters and digits, in words joined by single dashes \(such as gift-cards-2\)/, result.stderr);
        assert.doesNotMatch(result.stderr, /[\^$\\]|\[a-z/, result.stderr);
      }
    });

    test('key revoke: a malformed sk_live_ key is told it is not a valid key; a whole key revokes it', async () => {
      const malformed = await runCli(['key', 'revoke', 'sk_live_abc123'], env);
      assert.notEqual(malformed.code, 0);
      assert.match(malformed.stderr, /^souk: sk_live_abc123 is not a valid API key: a key is sk_live_ followed by 43 letters and digits/);
      const truncated = await runCli(['key', 'revoke', `sk_live_${'A'.repeat(42)}`], env);
      assert.match(truncated.stderr, /is not a valid API key/);
      assert.doesNotMatch(truncated.stderr, /A{10}/, 'the key is not printed back whole');

      const account = json((await runCli(['account', 'create', '--name', 'Revoker', '--json'], env)).stdout);
      const created = json((await runCli(['key', 'create', '--account', String(account.account_id), '--json'], env)).stdout);
      const revoked = json((await runCli(['key', 'revoke', String(created.api_key), '--json'], env)).stdout);
      assert.equal(revoked.key_id, created.key_id);
      assert.equal(typeof revoked.revoked_at, 'string');
    });

    test('a bad setting stops the command with a message naming it', async () => {
      const result = await runCli(['migrate'], { ...env, SOUK_KEY_RATE_LIMIT: 'many' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /SOUK_KEY_RATE_LIMIT/);
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { pruneIdempotencyKeys } from '../../src/core/idempotency/index.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';

for (const kind of DATABASE_KINDS) {
  describe(`Idempotency-Key on POST (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(() => t.close());

    const createAccount = (key: string, name: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/admin/api/accounts', headers: { ...bearer(t.adminKey), 'idempotency-key': key, ...headers }, payload: { name } });
    const accountsNamed = async (name: string) => (await t.souk.db.selectFrom('accounts').select('id').where('name', '=', name).execute()).length;

    test('a repeat with the same key and body gets the first answer, and nothing happens twice', async () => {
      const first = await createAccount('create-acme-1', 'Acme');
      assert.equal(first.statusCode, 201, first.body);
      const again = await createAccount('create-acme-1', 'Acme');
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.json().account.id, first.json().account.id);
      assert.equal(await accountsNamed('Acme'), 1);
    });

    test('the same key with a different body is 422 idempotency_key_reused', async () => {
      await createAccount('create-beta-1', 'Beta');
      const reused = await createAccount('create-beta-1', 'Gamma');
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json().error, 'idempotency_key_reused');
      assert.equal(await accountsNamed('Gamma'), 0);
    });

    test('keys belong to one account: another account may use the same key', async () => {
      const other = await createReseller(t.souk, { kind: 'admin', name: 'Second admin' });
      await createAccount('shared-key', 'Delta');
      const res = await t.app.inject({ method: 'POST', url: '/admin/api/accounts', headers: { ...bearer(other.apiKey), 'idempotency-key': 'shared-key' }, payload: { name: 'Epsilon' } });
      assert.equal(res.statusCode, 201);
      assert.equal(await accountsNamed('Epsilon'), 1);
    });

    test('concurrent repeats create one thing; the rest replay it or are told it is in progress', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => createAccount('burst-1', 'Burst')));
      for (const r of results) assert.ok(r.statusCode === 201 || (r.statusCode === 409 && r.json().error === 'request_in_progress'), r.body);
      assert.equal(await accountsNamed('Burst'), 1);
      const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().account.id));
      assert.equal(ids.size, 1);
    });

    test('after 24 hours a key is free again and housekeeping drops it', async () => {
      await createAccount('old-key', 'Eta');
      const past = new Date(Date.now() - 60_000).toISOString();
      await t.souk.db.updateTable('idempotency_answers').set({ expires_at: past }).where('key', '=', 'old-key').execute();
      const reused = await createAccount('old-key', 'Theta');
      assert.equal(reused.statusCode, 201, 'an expired key starts afresh, even with another body');
      assert.equal(await accountsNamed('Theta'), 1);
      await t.souk.db.updateTable('idempotency_answers').set({ expires_at: past }).where('key', '=', 'old-key').execute();
      await pruneIdempotencyKeys(t.souk.db);
      assert.equal((await t.souk.db.selectFrom('idempotency_answers').select('key').where('key', '=', 'old-key').execute()).length, 0);
      assert.ok((await t.souk.db.selectFrom('idempotency_answers').select('key').execute()).length > 0, 'live keys stay');
    });

    test('a claim left by a process that died mid-request is held only for its lease, then the retry runs', async () => {
      // What a crash leaves: the claim, with no answer. The request hash is what the plugin
      // computes for this route and body, so the retry is the same request.
      const first = await createAccount('crashed-1', 'Iota');
      assert.equal(first.statusCode, 201);
      const claim = await t.souk.db.selectFrom('idempotency_answers').select(['account_id', 'request_hash']).where('key', '=', 'crashed-1').executeTakeFirstOrThrow();
      const orphan = (key: string, lockedUntil: string) =>
        t.souk.db.insertInto('idempotency_answers').values({ ...claim, key, status_code: null, response: null, locked_until: lockedUntil, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 86_400_000).toISOString() }).execute();
      await orphan('crashed-2', new Date(Date.now() + 30_000).toISOString());
      const running = await createAccount('crashed-2', 'Iota');
      assert.equal(running.statusCode, 409, 'inside the lease the first request may still be running');
      assert.equal(running.json().error, 'request_in_progress');
      await orphan('crashed-3', new Date(Date.now() - 1_000).toISOString());
      const retried = await createAccount('crashed-3', 'Iota');
      assert.equal(retried.statusCode, 201, `after the lease the retry runs: ${retried.body}`);
      const again = await createAccount('crashed-3', 'Iota');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.json().account.id, retried.json().account.id);
    });

    test('a top-up whose answer died with its process is not credited again by the retry that takes over the claim', async () => {
      const buyer = await createReseller(t.souk, { name: 'Topped' });
      const topUp = (key: string, amount: string) =>
        t.app.inject({ method: 'POST', url: `/admin/api/accounts/${buyer.accountId}/wallets/topup`, headers: { ...bearer(t.adminKey), 'idempotency-key': key }, payload: { amount } });
      const balance = async () => (await t.souk.db.selectFrom('wallets').select('balance_minor').where('account_id', '=', buyer.accountId).executeTakeFirst())?.balance_minor ?? 0;
      for (const [key, path] of [['topup-crash', 'topup'], ['adjust-crash', 'adjust']] as const) {
        const before = await balance();
        const first =
          path === 'topup'
            ? await topUp(key, '25.00')
            : await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${buyer.accountId}/wallets/adjust`, headers: { ...bearer(t.adminKey), 'idempotency-key': key }, payload: { amount: '3.00', memo: 'goodwill' } });
        assert.equal(first.statusCode, 200, first.body);
        // The crash: the money moved and committed, the answer was never stored, the lease ran out.
        await t.souk.db.updateTable('idempotency_answers').set({ status_code: null, response: null, locked_until: new Date(Date.now() - 1_000).toISOString() }).where('key', '=', key).execute();
        const retry =
          path === 'topup'
            ? await topUp(key, '25.00')
            : await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${buyer.accountId}/wallets/adjust`, headers: { ...bearer(t.adminKey), 'idempotency-key': key }, payload: { amount: '3.00', memo: 'goodwill' } });
        assert.equal(retry.statusCode, 200, retry.body);
        assert.equal(await balance(), before + (path === 'topup' ? 2500 : 300), `${path}: credited once`);
        assert.equal(retry.json().wallet.balance, first.json().wallet.balance);
      }
      const entries = await t.souk.db.selectFrom('ledger_entries').innerJoin('wallets', 'wallets.id', 'ledger_entries.wallet_id').select('ledger_entries.id').where('wallets.account_id', '=', buyer.accountId).execute();
      assert.equal(entries.length, 2);
    });

    test('twenty concurrent orders with one Idempotency-Key place one order, charged once, and all answer with it', async () => {
      const buyer = await createReseller(t.souk, { name: 'Burst buyer' });
      await fund(t.souk, buyer.accountId, 10_000);
      await stockedProduct(t.souk, { code: 'BURST-1', price: '1.00' }, 30);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer(buyer.apiKey), 'idempotency-key': 'one-purchase' }, payload: { product: 'BURST-1' } })),
      );
      for (const r of results) assert.equal(r.statusCode, 200, r.body);
      assert.equal(new Set(results.map((r) => r.json().order_id)).size, 1);
      assert.equal(results.filter((r) => r.json().replayed === false).length, 1);
      assert.equal(await balanceOf(t.souk, buyer.accountId), 10_000 - 100);
      const other = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer(buyer.apiKey), 'idempotency-key': 'one-purchase' }, payload: { product: 'BURST-1', quantity: 2 } });
      assert.equal(other.statusCode, 422, other.body);
      assert.equal(other.json().error, 'idempotency_key_reused');
    });

    test('a stored answer rests sealed', async () => {
      await createAccount('sealed-1', 'Kappa');
      const row = await t.souk.db.selectFrom('idempotency_answers').select('response').where('key', '=', 'sealed-1').executeTakeFirstOrThrow();
      assert.ok(row.response && !row.response.includes('Kappa'), 'the account name is not readable in the stored answer');
      assert.match(row.response, new RegExp(`^${t.souk.box.keyId}\\.`));
    });

    test('a request refused by validation claims no key; a malformed key is 400', async () => {
      const bad = await t.app.inject({ method: 'POST', url: '/admin/api/accounts', headers: { ...bearer(t.adminKey), 'idempotency-key': 'bad-1' }, payload: { name: 'X', currency: 'usd1' } });
      assert.equal(bad.statusCode, 400);
      const retried = await createAccount('bad-1', 'Fixed');
      assert.equal(retried.statusCode, 201, 'the key is still free after a validation error');
      const malformed = await createAccount('has spaces in it', 'Zeta');
      assert.equal(malformed.statusCode, 400);
      assert.equal(await accountsNamed('Zeta'), 0);
    });
  });
}

// What the console's accounts area reads (issue 20): accounts filtered by kind, an account's wallets
// with what orders hold of them, and its ledger a page at a time with amounts as decimal strings.
// Reading is open to a viewer; a viewer is refused a top-up or an adjustment. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createUser } from '../../src/core/accounts/index.js';

const PASSWORD = 'correct horse battery';

interface LedgerPage {
  entries: Array<{ id: number; currency: string; amount: string; balance_after: string; kind: string; memo: string | null; actor: string | null }>;
  next_before: number | null;
}

for (const kind of DATABASE_KINDS) {
  describe(`admin accounts, wallets and ledger pages (${kind})`, () => {
    let t: TestSouk;
    let admin: Record<string, string>;
    let viewer: Record<string, string>;

    const call = (headers: Record<string, string>, method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

    before(async () => {
      t = await startTestSouk(kind);
      admin = bearer(t.adminKey);
      const adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      await createUser(t.souk.db, { accountId: adminAccount, username: 'vera-viewer', password: PASSWORD, role: 'viewer' });
      const token = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username: 'vera-viewer', password: PASSWORD }, remoteAddress: '10.31.0.1' });
      assert.equal(token.statusCode, 200, token.body);
      viewer = bearer(token.json<{ token: string }>().token);
    });
    after(async () => t.close());

    test('accounts filter by kind', async () => {
      await createReseller(t.souk, { name: 'Kind reseller' });
      await createReseller(t.souk, { name: 'Kind partner', kind: 'partner' });
      const resellers = await call(admin, 'GET', '/admin/api/accounts?kind=reseller');
      assert.equal(resellers.statusCode, 200, resellers.body);
      const kinds = resellers.json<{ accounts: Array<{ kind: string; name: string }> }>().accounts;
      assert.ok(kinds.some((a) => a.name === 'Kind reseller'));
      assert.ok(kinds.every((a) => a.kind === 'reseller'));
      const partners = (await call(admin, 'GET', '/admin/api/accounts?kind=partner')).json<{ accounts: Array<{ name: string }> }>().accounts;
      assert.deepEqual(partners.map((a) => a.name), ['Kind partner']);
      assert.equal((await call(admin, 'GET', '/admin/api/accounts?kind=nobody')).statusCode, 400);
      assert.ok((await call(admin, 'GET', '/admin/api/accounts')).json<{ accounts: unknown[] }>().accounts.length >= 3);
    });

    test('the ledger pages back newest first, per currency, with decimal strings and the reason given', async () => {
      const { accountId } = await createReseller(t.souk, { name: 'Ledger reseller' });
      for (const amount of ['10.00', '0.50', '100']) {
        const res = await call(admin, 'POST', `/admin/api/accounts/${accountId}/wallets/topup`, { amount });
        assert.equal(res.statusCode, 200, res.body);
      }
      const adjusted = await call(admin, 'POST', `/admin/api/accounts/${accountId}/wallets/adjust`, { amount: '-2.25', memo: 'Goodwill refund reversed' });
      assert.equal(adjusted.statusCode, 200, adjusted.body);
      assert.deepEqual(adjusted.json<{ wallet: { balance: number; held: number } }>().wallet.balance, 108.25);
      assert.equal((await call(admin, 'POST', `/admin/api/accounts/${accountId}/wallets/topup`, { amount: '7', currency: 'EUR' })).statusCode, 200);

      const first = await call(admin, 'GET', `/admin/api/accounts/${accountId}/ledger?limit=2&currency=usd`);
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json<LedgerPage>();
      assert.deepEqual(
        page1.entries.map((e) => [e.kind, e.amount, e.balance_after, e.memo]),
        [
          ['adjustment', '-2.25', '108.25', 'Goodwill refund reversed'],
          ['topup', '100.00', '110.50', null],
        ],
      );
      assert.ok(page1.next_before !== null);
      const page2 = (await call(admin, 'GET', `/admin/api/accounts/${accountId}/ledger?limit=2&currency=USD&before=${page1.next_before}`)).json<LedgerPage>();
      assert.deepEqual(page2.entries.map((e) => e.amount), ['0.50', '10.00']);
      assert.equal(page2.next_before, null, 'no page after the last');

      const all = (await call(viewer, 'GET', `/admin/api/accounts/${accountId}/ledger`)).json<LedgerPage>();
      assert.deepEqual(all.entries.map((e) => `${e.amount} ${e.currency}`), ['7.00 EUR', '-2.25 USD', '100.00 USD', '0.50 USD', '10.00 USD']);
      assert.equal(all.next_before, null);

      const wallets = await call(viewer, 'GET', `/admin/api/accounts/${accountId}/wallets`);
      assert.equal(wallets.statusCode, 200, wallets.body);
      const usd = wallets.json<{ wallets: Array<{ currency: string; balance: number; held: number }> }>().wallets.find((w) => w.currency === 'USD');
      assert.deepEqual(usd && { balance: usd.balance, held: usd.held }, { balance: 108.25, held: 0 });

      assert.equal((await call(admin, 'GET', '/admin/api/accounts/999999/ledger')).statusCode, 404);
      assert.equal((await call(admin, 'GET', `/admin/api/accounts/${accountId}/ledger?before=0`)).statusCode, 400);
    });

    test('a viewer reads the ledger but is refused a top-up and an adjustment (403), which change nothing', async () => {
      const { accountId } = await createReseller(t.souk, { name: 'Viewer-proof reseller' });
      const topUp = await call(viewer, 'POST', `/admin/api/accounts/${accountId}/wallets/topup`, { amount: '5.00' });
      assert.equal(topUp.statusCode, 403, topUp.body);
      const adjust = await call(viewer, 'POST', `/admin/api/accounts/${accountId}/wallets/adjust`, { amount: '5.00', memo: 'no' });
      assert.equal(adjust.statusCode, 403, adjust.body);
      const ledger = await call(viewer, 'GET', `/admin/api/accounts/${accountId}/ledger`);
      assert.equal(ledger.statusCode, 200, ledger.body);
      assert.deepEqual(ledger.json<LedgerPage>().entries, []);
    });
  });
}

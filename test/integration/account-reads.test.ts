// Reading an account changes nothing: GET /api/v1/me of an account whose main wallet was never used
// answers it as empty (with the account's credit limit, as it would be created) and creates no
// wallet; the wallet appears with the first change of its balance.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { fund } from '../helpers/orders.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`account reads (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(() => t.close());

    const walletsOf = (accountId: number) => t.souk.db.selectFrom('wallets').select(['currency', 'balance_minor']).where('account_id', '=', accountId).execute();

    test('GET /me of a new account shows its main wallet empty, with its credit limit, and writes no wallet', async () => {
      const account = await createAccount(t.souk.db, { name: 'Never funded', currency: 'EUR', creditLimitMinor: 2_500 });
      const { apiKey } = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) });
        assert.equal(res.statusCode, 200, res.body);
        const me = res.json();
        assert.deepEqual([me.currency, me.balance, me.credit_limit, me.available, me.balance_display], ['EUR', 0, 25, 25, '0.00 EUR']);
        assert.deepEqual(me.balances, [{ currency: 'EUR', balance: 0, credit_limit: 25, available: 25, held: 0, balance_display: '0.00 EUR' }]);
      }
      assert.deepEqual(await walletsOf(account.id), [], 'a read created no wallet');

      await fund(t.souk, account.id, 1_000, 'EUR');
      assert.deepEqual(await walletsOf(account.id), [{ currency: 'EUR', balance_minor: 1_000 }]);
      const after = (await t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) })).json();
      assert.deepEqual([after.balance, after.credit_limit, after.available], [10, 25, 35]);
    });
  });
}

// PATCH /admin/api/providers/{id} (issue 20's console): the owner changes a provider's markup,
// rounding or sync interval after adding it, and the next sync reprices what was imported; a bad
// value is 400 naming the field; a viewer and an operator are refused (owner only). Both DBs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createUser } from '../../src/core/accounts/index.js';
import { startFakeSmm, type FakeSmm } from '../helpers/fake-smm.js';

const PASSWORD = 'correct horse battery';

for (const kind of DATABASE_KINDS) {
  describe(`changing a provider's pricing (${kind})`, () => {
    let t: TestSouk;
    let panel: FakeSmm;
    let providerId: number;
    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: bearer(t.adminKey) });

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_UPSTREAM_ALLOW_PRIVATE: '1' } });
      panel = await startFakeSmm();
      const added = await admin('POST', '/admin/api/providers', { name: 'Panel', url: panel.url, dialect: 'smm', key: panel.key, currency: 'USD', markup_percent: '10' });
      assert.equal(added.statusCode, 201, added.body);
      providerId = added.json<{ provider: { provider_id: number } }>().provider.provider_id;
    });
    after(async () => {
      await t.close();
      await panel.close();
    });

    test('a new markup, fixed amount and rounding are kept and the next sync reprices the imported product', async () => {
      const imported = await admin('POST', `/admin/api/providers/${providerId}/import`, { refs: [{ ref: '1', code: 'FOLLOWERS' }] });
      assert.equal(imported.statusCode, 200, imported.body);
      const price = async () => String((await admin('GET', '/admin/api/products/FOLLOWERS')).json<{ product: { price: string | number } }>().product.price);
      assert.equal(await price(), '0.99', '0.90 plus 10 %');

      const changed = await admin('PATCH', `/admin/api/providers/${providerId}`, { markup_percent: '20', markup_fixed: '0.05', rounding: '0.10', sync_interval_seconds: 600 });
      assert.equal(changed.statusCode, 200, changed.body);
      const view = changed.json<{ provider: { markup_percent: string; markup_fixed: string; rounding: string; sync_interval_seconds: number } }>().provider;
      assert.deepEqual([view.markup_percent, view.markup_fixed, view.rounding, view.sync_interval_seconds], ['20.00', '0.05', '0.10', 600]);
      assert.equal(await price(), '0.99', 'repriced by the sync, not before');
      assert.equal((await admin('POST', `/admin/api/providers/${providerId}/sync`)).statusCode, 200);
      // 0.90 × 1.20 + 0.05 = 1.13, rounded up to a multiple of 0.10.
      assert.equal(await price(), '1.2');

      const only = await admin('PATCH', `/admin/api/providers/${providerId}`, { markup_fixed: '0' });
      const kept = only.json<{ provider: { markup_percent: string; markup_fixed: string; rounding: string } }>().provider;
      assert.deepEqual([kept.markup_percent, kept.markup_fixed, kept.rounding], ['20.00', '0.00', '0.10'], 'what is not given stays');
    });

    test('a bad value is 400 naming the field, an unknown provider 404', async () => {
      const bad = await admin('PATCH', `/admin/api/providers/${providerId}`, { markup_percent: '12.345' });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json<{ fields: Array<{ field: string }> }>().fields.map((f) => f.field), ['markup_percent']);
      const zero = await admin('PATCH', `/admin/api/providers/${providerId}`, { rounding: '0' });
      assert.equal(zero.statusCode, 400);
      assert.equal((await admin('PATCH', '/admin/api/providers/999999', { markup_percent: '1' })).statusCode, 404);
    });

    test('a viewer and an operator are refused: changing prices is the owner\'s', async () => {
      const adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      for (const role of ['viewer', 'operator'] as const) {
        const username = `${role}@shop.example`;
        await createUser(t.souk.db, { accountId: adminAccount, username, password: PASSWORD, role });
        const login = await t.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username, password: PASSWORD } });
        assert.equal(login.statusCode, 200, login.body);
        const cookie = String([login.headers['set-cookie']].flat().find((c) => String(c).startsWith('souk_session='))).split(';')[0]!.slice('souk_session='.length);
        const csrf = login.json<{ csrf_token: string }>().csrf_token;
        const res = await t.app.inject({ method: 'PATCH', url: `/admin/api/providers/${providerId}`, payload: { markup_percent: '50' }, cookies: { souk_session: cookie }, headers: { 'x-csrf-token': csrf } });
        assert.equal(res.statusCode, 403, `${role}: ${res.body}`);
      }
      const still = (await admin('GET', `/admin/api/providers/${providerId}`)).json<{ provider: { markup_percent: string } }>().provider;
      assert.equal(still.markup_percent, '20.00');
    });
  });
}

// The console's read-only views of what Souk runs with (issue 20): GET /admin/api/settings (shop
// currency, mail host and From without credentials) and GET /admin/api/payments/methods (methods
// offered, gateways configured and healthy, each coin's address, gateway and watcher), with no
// setting's secret value in either answer. A viewer reads them and is refused a change. Both DBs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createUser } from '../../src/core/accounts/index.js';
import { recordGatewayHealth } from '../../src/core/payments/gateways/health.js';

const TRON_ADDRESS = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
const SMTP_PASSWORD = 'smtp-pass-do-not-show';
const BTCPAY_KEY = 'btcpay-key-do-not-show';
const BTCPAY_SECRET = 'btcpay-hook-secret-do-not-show';
const TRONGRID_KEY = 'trongrid-key-do-not-show';
const PASSWORD = 'correct horse battery';

interface Methods {
  methods: Array<{ name: string; available: boolean }>;
  gateways: Array<{ name: string; method: string; configured: boolean; healthy: boolean; coins: string[]; problem: string | null; checked_at: string | null; settings: string[] }>;
  coins: Array<{ coin: string; address_set: boolean; own_address_offered: boolean; gateway: string | null; watch_setting: string | null; watched: boolean }>;
  wallet_checkout: boolean;
}

for (const kind of DATABASE_KINDS) {
  describe(`admin settings and payment methods views (${kind})`, () => {
    let t: TestSouk;
    const admin = (method: 'GET' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: bearer(t.adminKey) });

    before(async () => {
      t = await startTestSouk(kind, {
        env: {
          SOUK_SHOP_CURRENCY: 'USD',
          SOUK_SMTP_URL: `smtp://shop-user:${SMTP_PASSWORD}@mail.example.net:2525`,
          SOUK_MAIL_FROM: 'Shop <shop@example.net>',
          SOUK_BTCPAY_URL: 'https://btcpay.example.net',
          SOUK_BTCPAY_API_KEY: BTCPAY_KEY,
          SOUK_BTCPAY_STORE_ID: 'Store1',
          SOUK_BTCPAY_WEBHOOK_SECRET: BTCPAY_SECRET,
          SOUK_TRONGRID_URL: 'https://api.trongrid.example.net',
          SOUK_TRONGRID_API_KEY: TRONGRID_KEY,
        },
      });
    });
    after(async () => t.close());

    test('settings: the shop currency and where it is set, the SMTP host, port and From, never the credentials', async () => {
      const res = await admin('GET', '/admin/api/settings');
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, new RegExp(`${SMTP_PASSWORD}|shop-user`));
      const body = res.json<{ shop_currency: { currency: string; setting: string }; mail: { transport: string; host: string; port: number; from: string; settings: string[] } }>();
      assert.deepEqual(body.shop_currency, { currency: 'USD', setting: 'SOUK_SHOP_CURRENCY' });
      assert.deepEqual(body.mail, { transport: 'smtp', host: 'mail.example.net', port: 2525, from: 'Shop <shop@example.net>', settings: ['SOUK_SMTP_URL', 'SOUK_MAIL_FROM'] });
    });

    test('payment methods: gateways configured or not with their health, coins with address, gateway and watcher; no secret', async () => {
      const before = (await admin('GET', '/admin/api/payments/methods')).json<Methods>();
      const btcpay = before.gateways.find((g) => g.name === 'btcpay')!;
      assert.deepEqual({ configured: btcpay.configured, healthy: btcpay.healthy, coins: btcpay.coins, method: btcpay.method }, { configured: true, healthy: true, coins: ['btc'], method: 'crypto' });
      assert.ok(btcpay.settings.includes('SOUK_BTCPAY_API_KEY'));
      const alipay = before.gateways.find((g) => g.name === 'alipay')!;
      assert.deepEqual({ configured: alipay.configured, healthy: alipay.healthy }, { configured: false, healthy: false });
      assert.equal(before.methods.find((m) => m.name === 'alipay')!.available, false);
      const usdt = before.coins.find((c) => c.coin === 'trc20_usdt')!;
      assert.deepEqual(usdt, { coin: 'trc20_usdt', address_set: false, own_address_offered: false, gateway: null, watch_setting: 'SOUK_TRONGRID_URL', watched: true });
      assert.deepEqual(before.coins.find((c) => c.coin === 'erc20_usdt'), { coin: 'erc20_usdt', address_set: false, own_address_offered: false, gateway: null, watch_setting: 'SOUK_ETH_RPC_URL', watched: false });
      assert.equal(before.coins.find((c) => c.coin === 'btc')!.gateway, 'btcpay');
      assert.equal(before.coins.find((c) => c.coin === 'btc')!.watch_setting, null);

      assert.equal((await admin('PUT', '/admin/api/payments/addresses/trc20_usdt', { address: TRON_ADDRESS })).statusCode, 200);
      await recordGatewayHealth(t.souk.db, 'btcpay', { ok: false, problem: 'BTCPay Server did not answer' });
      const res = await admin('GET', '/admin/api/payments/methods');
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, new RegExp(`${BTCPAY_KEY}|${BTCPAY_SECRET}|${TRONGRID_KEY}|btcpay\\.example|trongrid\\.example`));
      const after = res.json<Methods>();
      assert.deepEqual(after.coins.find((c) => c.coin === 'trc20_usdt')!, { ...usdt, address_set: true, own_address_offered: true });
      const failing = after.gateways.find((g) => g.name === 'btcpay')!;
      assert.deepEqual({ configured: failing.configured, healthy: failing.healthy, problem: failing.problem }, { configured: true, healthy: false, problem: 'BTCPay Server did not answer' });
      assert.match(failing.checked_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(after.coins.find((c) => c.coin === 'btc')!.gateway, null, 'a failing gateway takes no coin');
      assert.equal(after.methods.find((m) => m.name === 'crypto')!.available, true);
    });

    test('a viewer reads both views and is refused a change of a receiving address (403)', async () => {
      const adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      await createUser(t.souk.db, { accountId: adminAccount, username: 'viewer@shop.example', password: PASSWORD, role: 'viewer' });
      const login = await t.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'viewer@shop.example', password: PASSWORD } });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = String([login.headers['set-cookie']].flat().find((c) => String(c).startsWith('souk_session='))).split(';')[0]!.slice('souk_session='.length);
      const csrf = login.json<{ csrf_token: string }>().csrf_token;
      const call = (method: 'GET' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, ...(payload ? { payload } : {}), cookies: { souk_session: cookie }, headers: { 'x-csrf-token': csrf } });
      assert.equal((await call('GET', '/admin/api/settings')).statusCode, 200);
      assert.equal((await call('GET', '/admin/api/payments/methods')).statusCode, 200);
      assert.equal((await call('PUT', '/admin/api/payments/addresses/trc20_usdt', { address: TRON_ADDRESS })).statusCode, 403);
    });
  });
}

// The console's log-in (issue 20): a login of the admin account gets an HttpOnly cookie session
// that opens the admin API only, every state-changing call needs the session's CSRF token, log-in
// attempts are throttled, and roles (owner, operator, viewer) are enforced by the API itself, for
// sessions and for the same logins' tokens alike. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createUser } from '../../src/core/accounts/index.js';
import { OWNER_ONLY_ROUTES } from '../../src/http/admin/roles.js';
import { jsonOf, runCli } from '../helpers/processes.js';

const PASSWORD = 'correct horse battery';

function cookieOf(res: { headers: Record<string, unknown> }): { value: string; attributes: string } {
  const header = res.headers['set-cookie'];
  const line = (Array.isArray(header) ? header : [header]).map(String).find((c) => c.startsWith('souk_session='));
  assert.ok(line, 'a souk_session cookie is set');
  return { value: line.slice('souk_session='.length).split(';')[0]!, attributes: line };
}

for (const kind of DATABASE_KINDS) {
  describe(`console log-in and roles (${kind})`, () => {
    let t: TestSouk;
    let adminAccount: number;
    let address = 1;

    async function logIn(username: string, password = PASSWORD, headers: Record<string, string> = {}) {
      return t.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username, password }, headers, remoteAddress: `10.20.0.${address++}` });
    }
    async function session(role: 'owner' | 'operator' | 'viewer') {
      const username = `${role}-${address}@shop.example`;
      await createUser(t.souk.db, { accountId: adminAccount, username, password: PASSWORD, role });
      const res = await logIn(username);
      assert.equal(res.statusCode, 200, res.body);
      const cookie = cookieOf(res).value;
      const body = res.json<{ csrf_token: string; user: { role: string } }>();
      assert.equal(body.user.role, role);
      const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, csrf: string | null = body.csrf_token) =>
        t.app.inject({ method, url, ...(payload ? { payload } : {}), cookies: { souk_session: cookie }, headers: csrf ? { 'x-csrf-token': csrf } : {} });
      return { cookie, csrf: body.csrf_token, call, username };
    }

    before(async () => {
      t = await startTestSouk(kind);
      adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
    });
    after(async () => t.close());

    test('an owner logs in: an HttpOnly, SameSite=Strict cookie that opens the admin API, and a session that says who and which role', async () => {
      const owner = await session('owner');
      const res = await logIn(owner.username);
      const { attributes, value } = cookieOf(res);
      assert.match(attributes, /HttpOnly/);
      assert.match(attributes, /SameSite=Strict/);
      assert.match(attributes, /Path=\//);
      assert.doesNotMatch(attributes, /Secure/, 'plain HTTP cannot carry a Secure cookie');
      const stored = await t.souk.db.selectFrom('console_sessions').select('id').execute();
      assert.ok(stored.length >= 2);
      assert.ok(stored.every((row) => row.id !== value && /^[0-9a-f]{64}$/.test(row.id)), 'only the token\'s hash is kept');
      const me = await owner.call('GET', '/admin/api/session');
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json<{ user: { username: string; role: string } }>().user.username, owner.username);
      assert.equal(me.json<{ csrf_token: string }>().csrf_token, owner.csrf);
      assert.equal((await owner.call('GET', '/admin/api/orders')).statusCode, 200);
      assert.equal((await owner.call('POST', '/admin/api/categories', { name: 'Gift cards', slug: 'gift-cards' })).statusCode, 201);
    });

    test('a call that changes anything without the session\'s CSRF token is refused, and changes nothing', async () => {
      const owner = await session('owner');
      const other = await session('owner');
      const count = async () => (await t.souk.db.selectFrom('categories').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
      const before = Number(await count());
      for (const csrf of [null, 'x'.repeat(64), other.csrf]) {
        const res = await owner.call('POST', '/admin/api/categories', { name: 'Forged', slug: 'forged' }, csrf);
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json<{ error: string }>().error, 'forbidden');
      }
      assert.equal(Number(await count()), before);
      assert.equal((await owner.call('GET', '/admin/api/products', undefined, null)).statusCode, 200, 'reading needs no CSRF token');
    });

    test('behind a TLS proxy the cookie is Secure; guessing a password is throttled per address and login', async () => {
      const proxied = await startTestSouk(kind, { env: { SOUK_TRUST_PROXY: '1', SOUK_LOGIN_RATE_LIMIT: '10' } });
      try {
        const admin = (await proxied.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
        await createUser(proxied.souk.db, { accountId: admin, username: 'tls-owner', password: PASSWORD });
        const res = await proxied.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'tls-owner', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(res.statusCode, 200, res.body);
        assert.match(cookieOf(res).attributes, /Secure/);
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) {
          const res = await proxied.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'tls-owner', password: `guess ${i}` }, remoteAddress: '10.21.0.1' });
          statuses.push(res.statusCode);
        }
        assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
        assert.deepEqual(statuses.slice(10), [429, 429]);
        const right = await proxied.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'tls-owner', password: PASSWORD }, remoteAddress: '10.21.0.1' });
        assert.equal(right.statusCode, 429, 'the right password too waits out the limit');
      } finally {
        await proxied.close();
      }
    });

    test('a wrong password, an unknown login and a reseller\'s login are refused alike', async () => {
      const owner = await session('owner');
      const reseller = await createReseller(t.souk);
      const resellerLogin = await createLogin(t.souk, reseller.accountId);
      const refusals = [await logIn(owner.username, 'wrong password!'), await logIn('nobody@shop.example'), await logIn(resellerLogin.username, resellerLogin.password)];
      for (const res of refusals) {
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(res.headers['set-cookie'], undefined);
        assert.equal(res.json<{ message: string }>().message, 'The username or password is wrong.');
      }
    });

    test('a viewer reads but is refused every change; an operator runs the shop but cannot touch keys, logins or settings', async () => {
      const viewer = await session('viewer');
      assert.equal((await viewer.call('GET', '/admin/api/orders')).statusCode, 200);
      const write = await viewer.call('POST', '/admin/api/categories', { name: 'Viewer made', slug: 'viewer-made' });
      assert.equal(write.statusCode, 403, write.body);
      assert.match(write.json<{ message: string }>().message, /viewer/);
      const operator = await session('operator');
      assert.equal((await operator.call('POST', '/admin/api/categories', { name: 'Operator made', slug: 'operator-made' })).statusCode, 201);
      const key = await operator.call('POST', `/admin/api/accounts/${adminAccount}/keys`, {});
      assert.equal(key.statusCode, 403, key.body);
      assert.match(key.json<{ message: string }>().message, /owner/);
      const login = await operator.call('POST', `/admin/api/accounts/${adminAccount}/users`, { username: 'made-by-operator', password: PASSWORD, role: 'owner' });
      assert.equal(login.statusCode, 403);
      const owner = await session('owner');
      assert.equal((await owner.call('POST', `/admin/api/accounts/${adminAccount}/keys`, {})).statusCode, 201);
    });

    test("a viewer's token from the token endpoint is held to the same role", async () => {
      const viewer = await session('viewer');
      const token = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username: viewer.username, password: PASSWORD }, remoteAddress: '10.22.0.1' });
      assert.equal(token.statusCode, 200, token.body);
      const jwt = token.json<{ token: string }>().token;
      assert.equal((await t.app.inject({ method: 'GET', url: '/admin/api/orders', headers: bearer(jwt) })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'POST', url: '/admin/api/categories', payload: { name: 'By token', slug: 'by-token' }, headers: bearer(jwt) })).statusCode, 403);
    });

    test('the session cookie opens only the admin API', async () => {
      const owner = await session('owner');
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { souk_session: owner.cookie } });
      assert.equal(res.statusCode, 401);
    });

    test('logging out ends the session and clears its cookie; a disabled login\'s session ends at once', async () => {
      const owner = await session('owner');
      const out = await owner.call('DELETE', '/admin/api/session');
      assert.equal(out.statusCode, 200, out.body);
      assert.match(String(out.headers['set-cookie']), /souk_session=;/);
      assert.equal((await owner.call('GET', '/admin/api/orders')).statusCode, 401);
      const operator = await session('operator');
      await t.souk.db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('username', '=', operator.username).execute();
      assert.equal((await operator.call('GET', '/admin/api/orders')).statusCode, 401);
    });

    test("an owner changes a login's role and disables it; the change holds at the login's next request, and an operator may not make it", async () => {
      const owner = await session('owner');
      const viewer = await session('viewer');
      const listed = await owner.call('GET', `/admin/api/accounts/${adminAccount}/users`);
      assert.equal(listed.statusCode, 200, listed.body);
      const entry = listed.json<{ users: Array<{ id: number; username: string; role: string; disabled: boolean }> }>().users.find((u) => u.username === viewer.username)!;
      assert.deepEqual({ role: entry.role, disabled: entry.disabled }, { role: 'viewer', disabled: false });
      assert.doesNotMatch(listed.body, /scrypt|password/i);
      const operator = await session('operator');
      assert.equal((await operator.call('PATCH', `/admin/api/users/${entry.id}`, { role: 'owner' })).statusCode, 403);
      assert.equal((await viewer.call('POST', '/admin/api/categories', { name: 'Promoted', slug: 'promoted' })).statusCode, 403);
      const promoted = await owner.call('PATCH', `/admin/api/users/${entry.id}`, { role: 'operator' });
      assert.equal(promoted.statusCode, 200, promoted.body);
      assert.equal(promoted.json<{ user: { role: string } }>().user.role, 'operator');
      assert.equal((await viewer.call('POST', '/admin/api/categories', { name: 'Promoted', slug: 'promoted' })).statusCode, 201);
      const disabled = await owner.call('PATCH', `/admin/api/users/${entry.id}`, { disabled: true });
      assert.equal(disabled.json<{ user: { disabled: boolean } }>().user.disabled, true);
      assert.equal((await viewer.call('GET', '/admin/api/orders')).statusCode, 401);
      assert.equal((await logIn(viewer.username)).statusCode, 401);
      assert.equal((await owner.call('PATCH', `/admin/api/users/${entry.id}`, { role: 'root' })).statusCode, 400);
      assert.equal((await owner.call('PATCH', '/admin/api/users/999999', { disabled: false })).statusCode, 404);
    });

    test('souk user create --role, list and update from the command line', async () => {
      const created = jsonOf(await runCli(['user', 'create', '--account', String(adminAccount), '--username', 'cli-viewer', '--role', 'viewer', '--json'], t.env));
      assert.equal(created.role, 'viewer');
      assert.equal(typeof created.password, 'string', 'a generated password is shown once');
      const listed = jsonOf(await runCli(['user', 'list', '--account', String(adminAccount), '--json'], t.env)) as { users: Array<{ id: number; username: string; role: string }> };
      const mine = listed.users.find((u) => u.username === 'cli-viewer')!;
      assert.equal(mine.role, 'viewer');
      const updated = jsonOf(await runCli(['user', 'update', String(mine.id), '--role', 'operator', '--disable', '--json'], t.env)) as { user: { role: string; disabled: boolean } };
      assert.deepEqual(updated.user, { id: mine.id, account_id: adminAccount, username: 'cli-viewer', role: 'operator', disabled: true });
      const login = await logIn('cli-viewer', String(created.password));
      assert.equal(login.statusCode, 401, 'a disabled login cannot log in');
    });

    test('an admin key has no session to show, and every owner-only route the roles name exists', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/admin/api/session', headers: bearer(t.adminKey) });
      assert.equal(res.statusCode, 404);
      for (const route of OWNER_ONLY_ROUTES) {
        const [method, url] = route.split(' ') as ['POST' | 'PUT' | 'PATCH', string];
        assert.ok(t.app.hasRoute({ method, url }), `${route} is a route`);
      }
    });
  });
}

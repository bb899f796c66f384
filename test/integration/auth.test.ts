import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { deriveKey } from '../../src/core/crypto.js';
import { revokeApiKey, updateAccount } from '../../src/core/accounts/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`authentication (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });
    const token = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload });

    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk, { name: 'Acme Cards' });
    });
    after(() => t.close());

    async function expectUnauthorized(headers: Record<string, string>, message?: RegExp) {
      const res = await me(headers);
      assert.equal(res.statusCode, 401, res.body);
      const body = res.json();
      assert.equal(body.ok, false);
      assert.equal(body.error, 'unauthorized');
      assert.equal(body.errorCode, 'unauthorized');
      if (message) assert.match(body.message, message);
    }

    test('an API key works as Authorization: Bearer and as X-API-Key', async () => {
      for (const headers of [bearer(reseller.apiKey), { 'x-api-key': reseller.apiKey }]) {
        const res = await me(headers);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.account_id, reseller.accountId);
        assert.equal(body.api_key_id, reseller.keyId);
        assert.equal(body.name, 'Acme Cards');
      }
    });

    test('keys are stored as a SHA-256 hash with a visible prefix, never in plaintext', async () => {
      const row = await t.souk.db.selectFrom('api_keys').selectAll().where('id', '=', reseller.keyId).executeTakeFirstOrThrow();
      assert.match(reseller.apiKey, /^sk_live_[0-9A-Za-z]{43,}$/);
      assert.notEqual(row.key_hash, reseller.apiKey);
      assert.match(row.key_hash, /^[0-9a-f]{64}$/);
      assert.ok(reseller.apiKey.startsWith(row.prefix));
      const everything = JSON.stringify(await t.souk.db.selectFrom('api_keys').selectAll().execute());
      assert.ok(!everything.includes(reseller.apiKey));
    });

    test('records when a key was last used', async () => {
      const fresh = await createReseller(t.souk);
      assert.equal((await me(bearer(fresh.apiKey))).statusCode, 200);
      let usedAt: string | null = null;
      for (let i = 0; i < 50 && !usedAt; i++) {
        usedAt = (await t.souk.db.selectFrom('api_keys').select('last_used_at').where('id', '=', fresh.keyId).executeTakeFirstOrThrow()).last_used_at;
        if (!usedAt) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(usedAt);
    });

    test('missing, malformed, unknown and revoked keys are 401 unauthorized', async () => {
      await expectUnauthorized({});
      await expectUnauthorized({ authorization: 'Basic dXNlcjpwYXNz' });
      await expectUnauthorized(bearer('sk_live_' + 'A'.repeat(43)), /not valid or has been revoked/);
      await expectUnauthorized({ 'x-api-key': reseller.apiKey.slice(0, -1) + (reseller.apiKey.endsWith('a') ? 'b' : 'a') });
      const doomed = await createReseller(t.souk);
      assert.equal((await me(bearer(doomed.apiKey))).statusCode, 200);
      await revokeApiKey(t.souk, doomed.keyId);
      await expectUnauthorized(bearer(doomed.apiKey));
    });

    test('a suspended account’s keys stop working from the next request on', async () => {
      const paused = await createReseller(t.souk);
      assert.equal((await me(bearer(paused.apiKey))).statusCode, 200);
      await updateAccount(t.souk, paused.accountId, { status: 'suspended' });
      await expectUnauthorized(bearer(paused.apiKey));
    });

    test('a key without the route’s scope is 403 forbidden', async () => {
      const catalogOnly = await createReseller(t.souk, { scopes: ['catalog:read'] });
      const res = await me(bearer(catalogOnly.apiKey));
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error, 'forbidden');
      assert.match(res.json().message, /account:read/);
    });

    test('a token from key_id + secret works with and without the Bearer prefix', async () => {
      const res = await token({ key_id: reseller.keyId, secret: reseller.apiKey });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.ok(Date.parse(body.expires_at) > Date.now());
      for (const headers of [bearer(body.token), { authorization: body.token }]) {
        const who = await me(headers);
        assert.equal(who.statusCode, 200, who.body);
        assert.equal(who.json().account_id, reseller.accountId);
      }
    });

    test('a token from username + password; wrong passwords and unknown users are 401', async () => {
      const login = await createLogin(t.souk, reseller.accountId);
      const ok = await token(login);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await me(bearer(ok.json().token))).json().account_id, reseller.accountId);
      for (const bad of [{ ...login, password: 'wrong password!' }, { username: 'nobody-here', password: 'whatever123' }]) {
        const res = await token(bad);
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().error, 'unauthorized');
      }
      const mismatched = await token({ key_id: 'key_someoneelse', secret: reseller.apiKey });
      assert.equal(mismatched.statusCode, 401);
      const both = await token({ ...login, key_id: reseller.keyId });
      assert.equal(both.statusCode, 400);
    });

    test('passwords are stored as scrypt hashes', async () => {
      const login = await createLogin(t.souk, reseller.accountId, 'hash-check', 'a long secret phrase');
      const row = await t.souk.db.selectFrom('users').select('password_hash').where('username', '=', login.username).executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^scrypt\$/);
      assert.ok(!row.password_hash.includes('a long secret phrase'));
    });

    test('refresh trades a refresh token for a new pair; an access token cannot refresh', async () => {
      const first = (await token({ key_id: reseller.keyId, secret: reseller.apiKey })).json();
      const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: first.refresh_token } });
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      assert.equal((await me(bearer(refreshed.json().token))).statusCode, 200);
      const wrongKind = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: first.token } });
      assert.equal(wrongKind.statusCode, 401);
      await expectUnauthorized(bearer(first.refresh_token), /not an access token/);
    });

    test('alg none, another algorithm, a foreign key, a tampered or expired token are 401', async () => {
      const secret = new Uint8Array(deriveKey(t.souk.config.masterKey, 'jwt-hs256'));
      // A real login's family, so that the control token below is refused for nothing else.
      const { fam } = decodeJwt((await token({ key_id: reseller.keyId, secret: reseller.apiKey })).json().token);
      const claims = { typ: 'access', key: reseller.keyId, fam };
      const base = () => new SignJWT(claims).setIssuer('souk').setAudience('souk-api').setIssuedAt().setJti('control');
      const none = new UnsecuredJWT(claims).setIssuer('souk').setAudience('souk-api').setExpirationTime('5m').encode();
      await expectUnauthorized({ authorization: `Bearer ${none}` });
      const hs512 = await base().setProtectedHeader({ alg: 'HS512' }).setExpirationTime('5m').sign(new Uint8Array(64).fill(7));
      await expectUnauthorized(bearer(hs512));
      const hs512SameSecret = await base().setProtectedHeader({ alg: 'HS512' }).setExpirationTime('5m').sign(secret);
      await expectUnauthorized(bearer(hs512SameSecret));
      const foreign = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new Uint8Array(32).fill(1));
      await expectUnauthorized(bearer(foreign));
      const expired = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret);
      await expectUnauthorized(bearer(expired), /expired/);
      const valid = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(secret);
      assert.equal((await me(bearer(valid))).statusCode, 200, 'the forged-with-our-secret control token should pass');
      const [h, p, s] = valid.split('.');
      const tampered = [h, Buffer.from(JSON.stringify({ ...claims, key: 'key_other' })).toString('base64url'), s].join('.');
      await expectUnauthorized(bearer(tampered));
      void p;
    });

    test('revoking a key ends the tokens made from it', async () => {
      const doomed = await createReseller(t.souk);
      const issued = (await token({ key_id: doomed.keyId, secret: doomed.apiKey })).json();
      assert.equal((await me(bearer(issued.token))).statusCode, 200);
      await revokeApiKey(t.souk, doomed.keyId);
      await expectUnauthorized(bearer(issued.token), /revoked/);
      const refresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: issued.refresh_token } });
      assert.equal(refresh.statusCode, 401);
      const again = await token({ key_id: doomed.keyId, secret: doomed.apiKey });
      assert.equal(again.statusCode, 401);
    });

    test('an admin login gets a token that can use the admin API; a reseller token cannot', async () => {
      const adminAccount = await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow();
      const login = await createLogin(t.souk, adminAccount.id);
      const adminToken = (await token(login)).json().token;
      const list = await t.app.inject({ url: '/admin/api/accounts', headers: { authorization: adminToken } });
      assert.equal(list.statusCode, 200, list.body);
      const resellerToken = (await token({ key_id: reseller.keyId, secret: reseller.apiKey })).json().token;
      assert.equal((await t.app.inject({ url: '/admin/api/accounts', headers: bearer(resellerToken) })).statusCode, 403);
    });

    test('admin API issues keys shown once and lists them without secrets', async () => {
      const created = await t.app.inject({ method: 'POST', url: `/admin/api/accounts/${reseller.accountId}/keys`, headers: bearer(t.adminKey), payload: { label: 'shop 2', signed: true } });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.match(body.api_key, /^sk_live_/);
      assert.match(body.signing_secret, /^ss_/);
      assert.equal(created.headers['cache-control'], 'no-store');
      const listed = await t.app.inject({ url: `/admin/api/accounts/${reseller.accountId}/keys`, headers: bearer(t.adminKey) });
      const text = listed.body;
      assert.ok(!text.includes(body.api_key) && !text.includes(body.signing_secret));
      const entry = listed.json().keys.find((k: { key_id: string }) => k.key_id === body.key_id);
      assert.equal(entry.signed, true);
      assert.equal(entry.label, 'shop 2');
      const revoked = await t.app.inject({ method: 'POST', url: `/admin/api/keys/${body.key_id}/revoke`, headers: bearer(t.adminKey) });
      assert.equal(revoked.statusCode, 200);
      assert.ok(revoked.json().key.revoked_at);
      assert.equal((await me(bearer(body.api_key))).statusCode, 401);
    });
  });
}

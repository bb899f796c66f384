// Refresh token rotation (OAuth 2.0 Security BCP): a refresh token works once, a used one sent
// again revokes every token of its login, and two refreshes racing with one token cannot both win.
// On SQLite and PostgreSQL, through the real server and database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt } from 'jose';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { bearer, createLogin, createReseller, startTestSouk, testEnv, withSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { deriveKey } from '../../src/core/crypto.js';
import { pruneTokenFamilies } from '../../src/core/accounts/index.js';

interface Pair {
  token: string;
  refresh_token: string;
}

for (const kind of DATABASE_KINDS) {
  describe(`refresh token reuse (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;

    const logIn = async (): Promise<Pair> => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { key_id: reseller.keyId, secret: reseller.apiKey } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Pair>();
    };
    const refresh = (refreshToken: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshToken } });
    const refreshed = async (refreshToken: string): Promise<Pair> => {
      const res = await refresh(refreshToken);
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Pair>();
    };
    const me = async (token: string) => (await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode;

    function assertRefused(res: Awaited<ReturnType<typeof refresh>>, context: string) {
      assert.equal(res.statusCode, 401, `${context}: ${res.body}`);
      assert.equal(res.json().errorCode, 'unauthorized', context);
    }

    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk);
    });
    after(() => t.close());

    test('a stolen refresh token replayed after its holder refreshed is refused, and the holder’s newer tokens die with it', async () => {
      const first = await logIn();
      const second = await refreshed(first.refresh_token);
      const third = await refreshed(second.refresh_token);
      assert.equal(await me(third.token), 200);

      // The thief replays the first refresh token, long since used by its holder.
      assertRefused(await refresh(first.refresh_token), 'replayed refresh token');
      // Neither party can go on: the family's current refresh token and every access token are dead.
      assertRefused(await refresh(third.refresh_token), 'the holder’s current refresh token');
      for (const [name, pair] of Object.entries({ first, second, third })) assert.equal(await me(pair.token), 401, `${name} access token`);
      // Logging in again starts a new family that works.
      const again = await logIn();
      assert.equal(await me(again.token), 200);
      assert.equal(await me((await refreshed(again.refresh_token)).token), 200);
    });

    test('a refresh token refreshes once: the same token twice in a row is refused the second time', async () => {
      const first = await logIn();
      const second = await refreshed(first.refresh_token);
      assert.notEqual(second.refresh_token, first.refresh_token);
      assertRefused(await refresh(first.refresh_token), 'second use');
      assertRefused(await refresh(second.refresh_token), 'the token that the first use gave');
    });

    test('two concurrent refreshes with one token: exactly one wins', async () => {
      for (let round = 0; round < 5; round++) {
        const pair = await logIn();
        const answers = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
        const statuses = answers.map((res) => res.statusCode).sort();
        assert.deepEqual(statuses, [200, 401], `round ${round}: ${answers.map((res) => res.body.slice(0, 160)).join(' | ')}`);
        // The loser presented a used token: the family is revoked, the winner's pair included, since
        // the server cannot tell a client's double send from a thief racing the holder.
        const winner = answers.find((res) => res.statusCode === 200)!.json<Pair>();
        assertRefused(await refresh(winner.refresh_token), `round ${round}: the winner's refresh token`);
      }
    });

    test('a replay in one login leaves the same key’s other logins working', async () => {
      const victim = await logIn();
      const bystander = await logIn();
      await refreshed(victim.refresh_token);
      assertRefused(await refresh(victim.refresh_token), 'replay');
      assert.equal(await me(bystander.token), 200);
      assert.equal(await me((await refreshed(bystander.refresh_token)).token), 200);
    });

    test('tokens signed with our key but naming no family (or an unknown one) are refused', async () => {
      const secret = new Uint8Array(deriveKey(t.souk.config.masterKey, 'jwt-hs256'));
      const mint = (claims: Record<string, unknown>) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('souk').setAudience('souk-api').setIssuedAt().setExpirationTime('5m').setJti('j'.repeat(22)).sign(secret);
      assertRefused(await refresh(await mint({ typ: 'refresh', key: reseller.keyId })), 'refresh token without a family');
      assertRefused(await refresh(await mint({ typ: 'refresh', key: reseller.keyId, fam: 'f'.repeat(22) })), 'refresh token of an unknown family');
      assert.equal(await me(await mint({ typ: 'access', key: reseller.keyId })), 401, 'access token without a family');
      assert.equal(await me(await mint({ typ: 'access', key: reseller.keyId, fam: 'f'.repeat(22) })), 401, 'access token of an unknown family');
    });

    test('a user login’s tokens follow the same rule', async () => {
      const login = await createLogin(t.souk, reseller.accountId);
      const first = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: login })).json<Pair>();
      const second = await refreshed(first.refresh_token);
      assertRefused(await refresh(first.refresh_token), 'replay');
      assert.equal(await me(second.token), 401);
    });

    test('the store keeps ids of tokens, never a token; expired families are pruned', async () => {
      const pair = await logIn();
      const next = await refreshed(pair.refresh_token);
      const family = decodeJwt(next.refresh_token).fam as string;
      const rows = await t.souk.db.selectFrom('token_families').selectAll().execute();
      const stored = JSON.stringify(rows);
      for (const token of [pair.token, pair.refresh_token, next.token, next.refresh_token]) {
        assert.ok(!stored.includes(token) && !stored.includes(token.split('.')[2]!), 'a token or its signature is stored');
      }
      const row = rows.find((r) => r.id === family);
      assert.equal(row?.current_jti, decodeJwt(next.refresh_token).jti);

      await t.souk.db.updateTable('token_families').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', family).execute();
      assert.ok((await pruneTokenFamilies(t.souk.db)) >= 1);
      assert.equal(await t.souk.db.selectFrom('token_families').select('id').where('id', '=', family).executeTakeFirst(), undefined);
      assert.ok((await t.souk.db.selectFrom('token_families').select('id').execute()).length > 0, 'live families are kept');
    });
  });
}

// Within one process a race is easy to lose by luck (SQLite's calls do not yield); two processes
// on one database leave only the database to decide.
describe('one refresh token sent to two server processes at once', { concurrency: true }, () => {
  for (const kind of DATABASE_KINDS) {
    describe(`two souk serve processes on one database (${kind})`, { concurrency: 1 }, () => {
      let database: TestDatabase;
      let servers: ServerProcess[] = [];
      let reseller: TestReseller;

      before(async () => {
        database = await createTestDatabase(kind);
        const env = testEnv(database);
        reseller = await withSouk(env, (souk) => createReseller(souk));
        servers = await Promise.all([spawnServer(env, ['--host', '127.0.0.1']), spawnServer(env, ['--host', '127.0.0.1'])]);
      });
      after(async () => {
        await Promise.all(servers.map((server) => server.stop('SIGTERM')));
        await database?.drop();
      });

      const post = async (server: ServerProcess, path: string, body: object) => {
        const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: await res.text() };
      };

      test('two concurrent refreshes with one token, one per server: exactly one wins', async () => {
        for (let round = 0; round < 10; round++) {
          const login = await post(servers[0]!, '/api/v1/auth/token', { key_id: reseller.keyId, secret: reseller.apiKey });
          assert.equal(login.status, 200, login.body);
          const { refresh_token: refreshToken } = JSON.parse(login.body) as Pair;
          const answers = await Promise.all(servers.map((server) => post(server, '/api/v1/auth/refresh', { refresh_token: refreshToken })));
          assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401], `round ${round}: ${answers.map((a) => a.body.slice(0, 160)).join(' | ')}`);
        }
      });
    });
  }
});

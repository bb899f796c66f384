import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { DATABASE_KINDS, REDIS_URL, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { bearer, createLogin, createReseller, startTestSouk, testEnv, type TestSouk } from '../helpers/souk.js';

interface ErrorBody {
  ok: boolean;
  error: string;
  errorCode: string;
  message: string;
  request_id: string;
  retry_after_seconds?: number;
}

interface RateState {
  policy: { bucket: string; quota: number; window: number };
  remaining: number;
  reset: number;
}

/** Reads the IETF `RateLimit-Policy` and `RateLimit` headers, failing when either is missing or malformed. */
function rateState(headers: Record<string, string | string[] | number | undefined> | Headers, context = ''): RateState {
  const get = (name: string) => {
    const value = headers instanceof Headers ? headers.get(name) : headers[name.toLowerCase()];
    assert.equal(typeof value, 'string', `${context}: missing ${name} header`);
    return value as string;
  };
  const policy = /^"([a-z]+)";q=(\d+);w=(\d+)$/.exec(get('RateLimit-Policy'));
  assert.ok(policy, `${context}: malformed RateLimit-Policy ${get('RateLimit-Policy')}`);
  const state = /^"([a-z]+)";r=(\d+);t=(\d+)$/.exec(get('RateLimit'));
  assert.ok(state, `${context}: malformed RateLimit ${get('RateLimit')}`);
  assert.equal(state[1], policy[1], `${context}: RateLimit names another bucket than RateLimit-Policy`);
  return {
    policy: { bucket: policy[1]!, quota: Number(policy[2]), window: Number(policy[3]) },
    remaining: Number(state[2]),
    reset: Number(state[3]),
  };
}

/** A 429 in the shared envelope with a whole, positive retry delay that matches Retry-After. */
function assertRateLimited(res: LightMyRequestResponse, context = '') {
  assert.equal(res.statusCode, 429, `${context}: ${res.body}`);
  const body = res.json<ErrorBody>();
  assert.equal(body.ok, false);
  assert.equal(body.error, 'rate_limited');
  assert.equal(body.errorCode, 'rate_limited');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.request_id, 'string');
  assert.ok(Number.isInteger(body.retry_after_seconds) && (body.retry_after_seconds ?? 0) >= 1, `retry_after_seconds: ${body.retry_after_seconds}`);
  const retryAfter = res.headers['retry-after'];
  assert.equal(typeof retryAfter, 'string', `${context}: missing Retry-After`);
  assert.match(retryAfter as string, /^\d+$/);
  assert.ok(Number(retryAfter) >= 1);
  assert.ok(Number(retryAfter) <= 60, `Retry-After ${String(retryAfter)} is longer than the window`);
  assert.equal(Number(retryAfter), body.retry_after_seconds);
}

for (const kind of DATABASE_KINDS) {
  describe(`rate limits (${kind})`, () => {
    // Small budgets so a test can spend one: 5 per key, 8 per IP, 3 token attempts; client IPs from X-Forwarded-For.
    let t: TestSouk;
    // The same limits, but X-Forwarded-For is not trusted and the IP budget is 3.
    let direct: TestSouk;

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_KEY_RATE_LIMIT: '5', SOUK_IP_RATE_LIMIT: '8', SOUK_LOGIN_RATE_LIMIT: '3', SOUK_TRUST_PROXY: '1' } });
      direct = await startTestSouk(kind, { env: { SOUK_IP_RATE_LIMIT: '3' } });
    });
    after(async () => {
      await Promise.allSettled([t?.close(), direct?.close()]);
    });

    test('a key gets SOUK_KEY_RATE_LIMIT requests a minute, then 429 rate_limited with Retry-After', async () => {
      const reseller = await createReseller(t.souk);
      const remaining: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const res = await t.app.inject({ url: '/api/v1/me', headers: bearer(reseller.apiKey) });
        assert.equal(res.statusCode, 200, `request ${i}: ${res.body}`);
        const state = rateState(res.headers, `request ${i}`);
        assert.deepEqual(state.policy, { bucket: 'key', quota: 5, window: 60 });
        assert.ok(state.reset >= 1 && state.reset <= 60);
        assert.equal(res.headers['retry-after'], undefined, 'an allowed request has no Retry-After');
        remaining.push(state.remaining);
      }
      assert.deepEqual(remaining, [4, 3, 2, 1, 0]);
      for (const attempt of ['6th', '7th']) {
        const refused = await t.app.inject({ url: '/api/v1/me', headers: bearer(reseller.apiKey) });
        assertRateLimited(refused, attempt);
        const state = rateState(refused.headers, attempt);
        assert.deepEqual(state.policy, { bucket: 'key', quota: 5, window: 60 });
        assert.equal(state.remaining, 0);
        assert.equal(state.reset, Number(refused.headers['retry-after']));
      }
    });

    test('every response of a limited route carries RateLimit-Policy and RateLimit, whatever its status', async () => {
      const reseller = await createReseller(t.souk);
      const key = bearer(reseller.apiKey);
      const etag = (await t.app.inject({ url: '/api/v1/products', headers: key })).headers.etag as string;
      assert.ok(etag);
      const answers = [
        await t.app.inject({ url: '/api/v1/products', headers: { ...key, 'if-none-match': etag } }),
        await t.app.inject({ url: '/api/v1/products/no-such-product', headers: key }),
        await t.app.inject({ url: '/api/v1/products?limit=0', headers: key }),
        await t.app.inject({ url: '/admin/api/accounts', headers: key }),
        await t.app.inject({ url: '/api/v1/me', headers: key }),
      ];
      assert.deepEqual(answers.map((r) => r.statusCode), [304, 404, 400, 403, 429]);
      assert.deepEqual(
        answers.map((r, i) => rateState(r.headers, `answer ${i} (${r.statusCode})`).remaining),
        [3, 2, 1, 0, 0],
      );
      assertRateLimited(answers[4]!);

      // Refusals that spend the IP budget (no credentials, a key that does not exist) carry the IP policy.
      const anonymous = await t.app.inject({ url: '/api/v1/me', headers: { 'x-forwarded-for': '192.0.2.50' } });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(rateState(anonymous.headers, 'anonymous 401').policy.bucket, 'ip');
      const unknownKey = await t.app.inject({ url: '/api/v1/me', headers: { ...bearer(`sk_live_${'x'.repeat(32)}`), 'x-forwarded-for': '192.0.2.50' } });
      assert.equal(unknownKey.statusCode, 401);
      const state = rateState(unknownKey.headers, 'unknown key 401');
      assert.equal(state.policy.bucket, 'ip');
      assert.equal(state.remaining, 6);
    });

    test('an account’s rate_limit_per_minute replaces the default, below or above it', async () => {
      const strict = await createReseller(t.souk, { rateLimitPerMinute: 2 });
      const generous = await createReseller(t.souk, { rateLimitPerMinute: 8 });
      const me = (apiKey: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) });

      const first = await me(strict.apiKey);
      assert.equal(first.statusCode, 200);
      assert.equal(first.json<{ rate_limit_per_minute: number }>().rate_limit_per_minute, 2);
      assert.deepEqual(rateState(first.headers).policy, { bucket: 'key', quota: 2, window: 60 });
      assert.equal((await me(strict.apiKey)).statusCode, 200);
      assertRateLimited(await me(strict.apiKey), 'strict 3rd');

      for (let i = 1; i <= 8; i++) {
        const res = await me(generous.apiKey);
        assert.equal(res.statusCode, 200, `generous request ${i} (the default of 5 must not apply)`);
        assert.equal(rateState(res.headers).policy.quota, 8);
      }
      assertRateLimited(await me(generous.apiKey), 'generous 9th');

      // Set through the admin API on an account that had no override.
      const later = await createReseller(t.souk);
      assert.equal(rateState((await me(later.apiKey)).headers).policy.quota, 5);
      const patch = await t.app.inject({ method: 'PATCH', url: `/admin/api/accounts/${later.accountId}`, headers: bearer(t.adminKey), payload: { rate_limit_per_minute: 2 } });
      assert.equal(patch.statusCode, 200, patch.body);
      const after = await me(later.apiKey);
      assert.equal(after.statusCode, 200);
      assert.deepEqual(rateState(after.headers).policy, { bucket: 'key', quota: 2, window: 60 });
      assertRateLimited(await me(later.apiKey), 'after lowering the limit to 2 (2 already spent)');
    });

    test('two keys of one account have independent budgets', async () => {
      const first = await createReseller(t.souk, { rateLimitPerMinute: 3 });
      const second = await createApiKey(t.souk.db, t.souk.box, { accountId: first.accountId });
      const me = (apiKey: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) });
      for (let i = 0; i < 3; i++) assert.equal((await me(first.apiKey)).statusCode, 200);
      assertRateLimited(await me(first.apiKey), 'first key, 4th');
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await me(second.apiKey);
        assert.equal(res.statusCode, 200, 'the second key is not charged for the first one’s requests');
        remaining.push(rateState(res.headers).remaining);
      }
      assert.deepEqual(remaining, [2, 1, 0]);
      assertRateLimited(await me(second.apiKey), 'second key, 4th');
      assertRateLimited(await me(first.apiKey), 'first key stays refused');
    });

    test('anonymous public reads are limited per client IP, taken from X-Forwarded-For when SOUK_TRUST_PROXY=1', async () => {
      const products = (ip: string) => t.app.inject({ url: '/api/v1/products', headers: { 'x-forwarded-for': ip } });
      const remaining: number[] = [];
      for (let i = 1; i <= 8; i++) {
        const res = await products('203.0.113.10');
        assert.equal(res.statusCode, 200, `request ${i}`);
        const state = rateState(res.headers);
        assert.deepEqual(state.policy, { bucket: 'ip', quota: 8, window: 60 });
        remaining.push(state.remaining);
      }
      assert.deepEqual(remaining, [7, 6, 5, 4, 3, 2, 1, 0]);
      const refused = await products('203.0.113.10');
      assertRateLimited(refused, '9th from one address');
      assert.equal(rateState(refused.headers).policy.bucket, 'ip');

      // Another client behind the same proxy (same socket address) has its own budget.
      const other = await products('203.0.113.11');
      assert.equal(other.statusCode, 200);
      assert.equal(rateState(other.headers).remaining, 7);
      // The client is the first address of the chain the proxies appended to.
      const chained = await products('203.0.113.10, 10.1.1.1');
      assertRateLimited(chained, 'the same client through a second proxy');

      // A key on a public route spends the key's budget, not the IP's.
      const reseller = await createReseller(t.souk);
      const withKey = await t.app.inject({ url: '/api/v1/products', headers: { ...bearer(reseller.apiKey), 'x-forwarded-for': '203.0.113.10' } });
      assert.equal(withKey.statusCode, 200);
      assert.equal(rateState(withKey.headers).policy.bucket, 'key');
    });

    test('without SOUK_TRUST_PROXY, X-Forwarded-For is ignored and the socket address is limited', async () => {
      const products = (remoteAddress: string, forwardedFor: string) =>
        direct.app.inject({ url: '/api/v1/products', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
      for (let i = 1; i <= 3; i++) {
        const res = await products('198.18.0.1', `203.0.113.${100 + i}`);
        assert.equal(res.statusCode, 200, `request ${i}`);
        assert.deepEqual(rateState(res.headers).policy, { bucket: 'ip', quota: 3, window: 60 });
        assert.equal(rateState(res.headers).remaining, 3 - i, 'a new X-Forwarded-For must not open a new budget');
      }
      assertRateLimited(await products('198.18.0.1', '203.0.113.200'), '4th from one socket address');
      const otherSocket = await products('198.18.0.2', '203.0.113.101');
      assert.equal(otherSocket.statusCode, 200);
      assert.equal(rateState(otherSocket.headers).remaining, 2);
    });

    test('the token endpoint throttles repeated wrong passwords for one username from one IP', async () => {
      const account = await createAccount(t.souk.db, { name: 'Login owner' });
      const login = await createLogin(t.souk, account.id);
      const token = (username: string, password: string, ip: string) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'x-forwarded-for': ip }, payload: { username, password } });

      for (let i = 1; i <= 3; i++) {
        const wrong = await token(login.username, `wrong password ${i}`, '198.51.100.7');
        assert.equal(wrong.statusCode, 401, `attempt ${i}: ${wrong.body}`);
      }
      // The 4th attempt is refused before the password is checked, whatever its case or correctness.
      const throttled = await token(login.username.toUpperCase(), 'wrong password 4', '198.51.100.7');
      assertRateLimited(throttled, '4th wrong password');
      const refusedBy = rateState(throttled.headers, '4th wrong password');
      assert.equal(refusedBy.policy.bucket, 'login', 'refused by the login guard, not by the IP budget');
      assert.equal(refusedBy.policy.quota, 3);
      assert.equal(refusedBy.remaining, 0);
      assertRateLimited(await token(login.username, login.password, '198.51.100.7'), 'right password while throttled');

      // The guard is per IP and username: the same user elsewhere, and another user here, still get answers.
      const elsewhere = await token(login.username, login.password, '198.51.100.8');
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
      assert.equal(typeof elsewhere.json<{ token: string }>().token, 'string');
      assert.equal((await token('someone-else', 'not the password', '198.51.100.7')).statusCode, 401);
    });
  });
}

describe('a shared budget across processes (postgres + redis)', () => {
  const BUDGET = 10;
  let database: TestDatabase | undefined;
  let souk: Souk | undefined;
  let redis: Redis | undefined;
  const servers: ServerProcess[] = [];
  const keyIds: string[] = [];
  let adminKey = '';
  let resellerKeys: string[] = [];

  before(async () => {
    database = await createTestDatabase('postgres');
    const env = testEnv(database, { SOUK_REDIS_URL: REDIS_URL });
    souk = await openSouk(loadConfig(env));
    const admin = await createAccount(souk.db, { name: 'Admin', kind: 'admin' });
    const adminCreated = await createApiKey(souk.db, souk.box, { accountId: admin.id });
    adminKey = adminCreated.apiKey;
    const reseller = await createAccount(souk.db, { name: 'Shared reseller', rateLimitPerMinute: BUDGET });
    const keys = [await createApiKey(souk.db, souk.box, { accountId: reseller.id }), await createApiKey(souk.db, souk.box, { accountId: reseller.id })];
    resellerKeys = keys.map((k) => k.apiKey);
    keyIds.push(adminCreated.keyId, ...keys.map((k) => k.keyId));
    const started = await Promise.allSettled([spawnServer(env), spawnServer(env)]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  }, { timeout: 300_000 });

  after(async () => {
    await Promise.allSettled(servers.map((s) => stopOrKill(s)));
    if (redis) {
      // The budgets of this run's keys; they would expire within a minute anyway.
      await redis.del(...keyIds.map((id) => `souk:rl:key:${id}`)).catch(() => undefined);
      redis.disconnect();
    }
    await souk?.close();
    await database?.drop();
  });

  const get = (server: ServerProcess, path: string, apiKey?: string) =>
    fetch(server.url + path, { headers: apiKey ? bearer(apiKey) : {} }).then(async (res) => ({ status: res.status, headers: res.headers, body: await res.text() }));

  test('two servers on one database and Redis share one key budget, one request at a time', { timeout: 300_000 }, async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const statuses: Array<{ server: 'A' | 'B'; status: number }> = [];
    for (let i = 0; i < BUDGET * 2 + 4; i++) {
      const server = i % 2 === 0 ? a : b;
      const res = await get(server, '/api/v1/me', resellerKeys[0]);
      statuses.push({ server: i % 2 === 0 ? 'A' : 'B', status: res.status });
      if (res.status === 200) {
        const state = rateState(res.headers, `request ${i}`);
        assert.equal(state.policy.quota, BUDGET);
        assert.equal(state.remaining, BUDGET - 1 - i, 'the remaining budget counts down across both servers');
      }
    }
    const ok = statuses.filter((s) => s.status === 200);
    assert.equal(ok.length, BUDGET, JSON.stringify(statuses));
    assert.ok(statuses.slice(0, BUDGET).every((s) => s.status === 200), 'the first requests are the allowed ones');
    assert.ok(statuses.slice(BUDGET).every((s) => s.status === 429), JSON.stringify(statuses));
    assert.ok(statuses.some((s) => s.server === 'A' && s.status === 429) && statuses.some((s) => s.server === 'B' && s.status === 429));
  });

  test('two servers on one database and Redis share one key budget under concurrent requests', { timeout: 300_000 }, async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const results = await Promise.all(Array.from({ length: BUDGET * 3 }, (_, i) => get(i % 2 === 0 ? a : b, '/api/v1/me', resellerKeys[1])));
    const counts = { ok: 0, limited: 0, other: [] as number[] };
    for (const res of results) {
      if (res.status === 200) counts.ok++;
      else if (res.status === 429) {
        counts.limited++;
        assert.equal(JSON.parse(res.body).error, 'rate_limited');
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      } else counts.other.push(res.status);
    }
    assert.deepEqual(counts, { ok: BUDGET, limited: BUDGET * 2, other: [] });
  });

  test('a catalog change through server A reaches server B’s cached catalog', { timeout: 300_000 }, async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const codes = async () => {
      const res = await get(b, '/api/v1/products');
      assert.equal(res.status, 200, res.body);
      return (JSON.parse(res.body) as { products: Array<{ code: string }> }).products.map((p) => p.code);
    };
    assert.deepEqual(await codes(), [], 'B has loaded (and cached) the empty catalog');
    // Both servers (and this test's own core) listen for catalog changes on Redis.
    const [, listeners] = (await redis!.pubsub('NUMSUB', 'souk:changed:catalog')) as [string, number];
    assert.ok(Number(listeners) >= 3, `${listeners} subscribers to souk:changed:catalog`);
    const listener = redis!.duplicate();
    try {
      const notices: string[] = [];
      listener.on('message', (channel: string) => notices.push(channel));
      await listener.subscribe('souk:changed:catalog');
      const created = await fetch(a.url + '/admin/api/products', {
        method: 'POST',
        headers: { ...bearer(adminKey), 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'SHARED-1', name: 'Made on A', price: '3.50' }),
      });
      assert.equal(created.status, 201, await created.text());
      let seen: string[] = [];
      for (let polls = 0; polls < 50 && !seen.includes('SHARED-1'); polls++) {
        seen = await codes();
        if (!seen.includes('SHARED-1')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(seen, ['SHARED-1'], 'B still serves its old catalog 5 s after the change on A');
      for (let polls = 0; polls < 50 && notices.length === 0; polls++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(notices.length > 0, 'A announced the change on Redis');
    } finally {
      listener.disconnect();
    }
  });

  test('both servers, with Redis, exit 0 on SIGTERM', { timeout: 300_000 }, async () => {
    const codes = await Promise.all(servers.map((server) => stopOrKill(server)));
    assert.deepEqual(codes, [0, 0], servers.map((server) => server.output()).join('\n'));
  });
});

/** SIGTERM, then SIGKILL if the process is still there 15 s later; resolves with the exit code. */
async function stopOrKill(server: ServerProcess): Promise<number | null> {
  const exited = server.stop('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 60_000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

// The Zid client (src/core/zid: tokens.ts, client.ts, limiter.ts) against the Zid simulator
// (test/fakes/zid), which is strict where Zid's document is: the prefixed Authorization, both manager
// tokens, Store-Id but on the profile, redirect_uri on a refresh, rotating refresh tokens, a sliding
// rate limit with 429 + Retry-After. The client keeps no rows (the keeper is in memory here), so this
// suite runs once, not per database kind; the shared limiter uses the test Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../helpers/databases.js';
import { closedPort } from '../helpers/faulty-upstream.js';
import { collectingLog, MemoryKeeper } from '../helpers/zid-keeper.js';
import { startZidSimulator, type ZidSimulator } from '../fakes/zid/index.js';
import { ZidClient, type ZidClientOptions } from '../../src/core/zid/client.js';
import { ZidLimiter } from '../../src/core/zid/limiter.js';
import { authorizeUrl, exchangeCode, refreshTokens, tokensOf, ZID_SCOPES, type ZidTokens } from '../../src/core/zid/tokens.js';
import { ZidError, ZidInvalidGrant, ZidMalformedAnswer, ZidNeedsReconnect, ZidOAuthRefused, ZidRequestRefused, ZidUnavailable, ZidUrlRefused } from '../../src/core/zid/errors.js';

/** Every failure a test provoked, as its message and details: none may hold a secret. */
const failures: string[] = [];
async function failsWith<T extends ZidError>(call: Promise<unknown>, kind: new (...args: never[]) => T): Promise<T> {
  const error = await call.then(
    () => assert.fail(`expected ${kind.name}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
  failures.push(`${error.message} ${JSON.stringify(error.details)}`);
  return error;
}

describe('Zid client against the simulator', () => {
  let sim: ZidSimulator;
  let redis: Redis;
  const secrets = new Set<string>();
  const logLines: string[] = [];
  const keeper = new MemoryKeeper(secrets);
  let nextStore = 1;

  const settings = () => ({ clientId: sim.clientId, clientSecret: sim.clientSecret, redirectUri: sim.redirectUri, oauthUrl: sim.oauthUrl, apiUrl: sim.apiUrl });
  const clientWith = (options: Partial<ZidClientOptions> = {}) =>
    new ZidClient({ settings: settings(), keeper, limiter: new ZidLimiter(), log: collectingLog(logLines), retryBaseMs: 20, ...options });
  /** A store connected with fresh tokens, as a code trade would give them. */
  const connectStore = (): { storeId: number; tokens: ZidTokens } => {
    const tokens = tokensOf(sim.issueTokens());
    assert.ok(typeof tokens === 'object', String(tokens));
    const storeId = nextStore++;
    keeper.set(storeId, tokens);
    return { storeId, tokens };
  };
  const tokenCalls = () => sim.tokenRequests.length;

  before(async () => {
    sim = await startZidSimulator({ limit: 100_000 });
    sim.addProducts(120);
    secrets.add(sim.clientSecret);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  });
  after(async () => {
    redis.disconnect();
    await sim.close();
  });

  test('a code is traded by a form-encoded POST with redirect_uri; the prefixed Authorization is kept as is; a replayed code is invalid_grant', async () => {
    const state = randomUUID();
    const location = new URL(await sim.authorize(authorizeUrl(settings(), state, ZID_SCOPES)));
    assert.equal(location.searchParams.get('state'), state);
    const code = location.searchParams.get('code')!;
    const tokens = await exchangeCode(settings(), code);
    keeper.set(nextStore++, tokens);
    assert.match(tokens.authorization, /^Bearer (?!Bearer)\S+$/);
    assert.deepEqual([tokens.zidStoreId, tokens.storeUrl, typeof tokens.expiresAt], [sim.storeId, sim.storeUrl, 'string']);
    assert.deepEqual(sim.tokenRequests.at(-1), { grantType: 'authorization_code', contentType: 'application/x-www-form-urlencoded', redirectUri: true, redirectUriMatches: true, status: 200, error: null });
    await failsWith(exchangeCode(settings(), code), ZidInvalidGrant);
  });

  test('a wrong client secret is ZidOAuthRefused invalid_client, whose message holds no secret', async () => {
    const { tokens } = connectStore();
    const refused = await failsWith(refreshTokens({ ...settings(), clientSecret: 'wrong-secret-value' }, tokens.refreshToken), ZidOAuthRefused);
    assert.equal(refused.zidCode, 'invalid_client');
    assert.doesNotMatch(refused.message, /wrong-secret-value/);
    secrets.add('wrong-secret-value');
  });

  test('every call sends the stored Authorization as is and both manager-token headers; Store-Id goes to all but the profile', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    const profile = (await client.get(storeId, '/managers/account/profile')) as { store: { id: string } };
    assert.equal(profile.store.id, sim.storeId);
    await client.get(storeId, '/products/', { page_size: 5 });
    await client.get(storeId, '/managers/store/categories');
    const seen = sim.requests.slice(-3).map((r) => [r.path, r.status, r.storeId, r.authorization, r.managerToken, r.accessToken]);
    assert.deepEqual(seen, [
      ['/v1/managers/account/profile', 200, null, true, true, true],
      ['/v1/products/', 200, sim.storeId, true, true, true],
      ['/v1/managers/store/categories', 200, sim.storeId, true, true, true],
    ]);
    assert.equal(client.requestsSent(storeId), 3);
  });

  test('next URLs are followed to the last page, each request counted on the tally', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    const tally = { requests: 0 };
    const ids = new Set<number>();
    let page = (await client.get(storeId, '/products/', { page_size: 50, extended: 'true', ordering: 'updated_at' }, { tally })) as { results: Array<{ id: number }>; next: string | null };
    for (;;) {
      for (const product of page.results) ids.add(product.id);
      if (!page.next) break;
      page = (await client.get(storeId, page.next, undefined, { tally })) as typeof page;
    }
    assert.equal(ids.size, 120);
    assert.equal(tally.requests, 3);
    assert.deepEqual(sim.requests.at(-1)?.query, { extended: 'true', ordering: 'updated_at', page: '3', page_size: '50' });
  });

  test("a next URL off the API's origin or path is refused and nothing is sent", async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    const before = [sim.requests.length, tokenCalls()];
    for (const url of [
      'https://evil.example/v1/products/?page=2',
      sim.apiUrl.replace('127.0.0.1', 'localhost') + '/products/?page=2',
      `${sim.base}/oauth/token`,
      `${sim.apiUrl}/../oauth/token`,
      sim.apiUrl.replace('http://', 'http://user:pw@') + '/products/',
      'javascript:alert(1)',
    ]) {
      await failsWith(client.get(storeId, url), ZidUrlRefused);
    }
    assert.deepEqual([sim.requests.length, tokenCalls(), client.requestsSent(storeId)], [...before, 0]);
  });

  test('an injected 429 is waited out for its Retry-After and the call then succeeds', async () => {
    const { storeId } = connectStore();
    sim.failNext({ path: /^\/v1\/products\/$/, status: 429, retryAfterSeconds: 1 });
    const page = (await clientWith().get(storeId, '/products/')) as { count: number };
    assert.equal(page.count, 120);
    assert.deepEqual(sim.requests.slice(-2).map((r) => r.status), [429, 200]);
    assert.ok(logLines.some((line) => line.includes('"code":"rate_limited"') && line.includes('"wait_ms":1000')), 'the wait is logged');
  });

  test('injected 5xx are retried with backoff; three in a row end in ZidUnavailable after three tries', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    sim.failNext({ path: /^\/v1\/products\/$/, status: 500, times: 2 });
    assert.equal(((await client.get(storeId, '/products/')) as { count: number }).count, 120);
    sim.failNext({ path: /^\/v1\/products\/$/, status: 503, times: 3 });
    const sent = client.requestsSent(storeId);
    const failure = await failsWith(client.get(storeId, '/products/'), ZidUnavailable);
    assert.deepEqual([failure.retryable, failure.site.zidStatus, failure.site.path, client.requestsSent(storeId) - sent], [true, 503, '/v1/products/', 3]);
  });

  test('a dropped connection is retried for a GET, never for a POST that may have arrived', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    sim.failNext({ path: /^\/v1\/managers\/store\/categories$/, drop: true });
    await client.get(storeId, '/managers/store/categories');
    sim.failNext({ path: /^\/v1\/managers\/webhooks$/, drop: true });
    const hooks = sim.webhooks.length;
    const sent = client.requestsSent(storeId);
    await failsWith(client.post(storeId, '/managers/webhooks', { url: 'https://souk.example/hooks/zid/x', event: 'order.create', app_id: sim.clientId }), ZidUnavailable);
    assert.equal(client.requestsSent(storeId) - sent, 1);
    const made = (await client.post(storeId, '/managers/webhooks', { url: 'https://souk.example/hooks/zid/x', event: 'order.create', app_id: sim.clientId })) as { id: string; event: string };
    assert.deepEqual([made.event, sim.webhooks.length], ['order.create', hooks + 1]);
  });

  test('a 401 refreshes the tokens once (form POST with redirect_uri), keeps them, and retries', async () => {
    const { storeId, tokens } = connectStore();
    const client = clientWith();
    sim.expireAccessTokens();
    assert.equal(((await client.get(storeId, '/products/')) as { count: number }).count, 120);
    assert.deepEqual(sim.tokenRequests.at(-1), { grantType: 'refresh_token', contentType: 'application/x-www-form-urlencoded', redirectUri: true, redirectUriMatches: true, status: 200, error: null });
    const fresh = keeper.current(storeId);
    assert.notEqual(fresh.refreshToken, tokens.refreshToken);
    assert.deepEqual([fresh.zidStoreId, keeper.saved.at(-1)?.storeId], [sim.storeId, storeId]);
    assert.deepEqual(sim.requests.slice(-2).map((r) => r.status), [401, 200]);
    assert.equal(client.requestsSent(storeId), 3, '401, the refresh, the retry');
  });

  test('tokens past their expiry are refreshed before the call, which then meets no 401', async () => {
    const { storeId, tokens } = connectStore();
    keeper.set(storeId, { ...tokens, expiresAt: new Date(Date.now() - 1000).toISOString() });
    const [refreshes, calls] = [tokenCalls(), sim.requests.length];
    await clientWith().get(storeId, '/products/', { page_size: 1 });
    assert.deepEqual([tokenCalls() - refreshes, sim.requests.slice(calls).map((r) => r.status)], [1, [200]]);
    assert.ok(Date.parse(keeper.current(storeId).expiresAt!) > Date.now());
  });

  test('ten concurrent calls that meet a 401 share one refresh', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    await client.get(storeId, '/managers/account/profile');
    sim.expireAccessTokens();
    const [refreshesBefore, savedBefore] = [tokenCalls(), keeper.saved.length];
    const pages = await Promise.all(Array.from({ length: 10 }, () => client.get(storeId, '/products/', { page_size: 1 })));
    assert.equal(pages.length, 10);
    assert.deepEqual([tokenCalls() - refreshesBefore, keeper.saved.length - savedBefore], [1, 1]);
  });

  test('a 401 even with fresh tokens is ZidRequestRefused, after one refresh only', async () => {
    const { storeId } = connectStore();
    const refreshes = tokenCalls();
    sim.failNext({ path: /^\/v1\/products\/$/, status: 401, times: 2 });
    const refused = await failsWith(clientWith().get(storeId, '/products/'), ZidRequestRefused);
    assert.deepEqual([refused.site.zidStatus, refused.retryable, tokenCalls() - refreshes], [401, false, 1]);
  });

  test('invalid_grant marks the store needs_reconnect once, and later calls are refused without a request', async () => {
    const { storeId } = connectStore();
    const client = clientWith({ refreshGraceMs: 50 });
    sim.revokeRefreshTokens();
    sim.expireAccessTokens();
    await failsWith(client.get(storeId, '/products/'), ZidNeedsReconnect);
    assert.deepEqual(keeper.reconnects.map((r) => r.storeId), [storeId]);
    assert.equal(sim.tokenRequests.at(-1)?.error, 'invalid_grant');
    const before = [sim.requests.length, tokenCalls(), client.requestsSent(storeId)];
    await failsWith(client.get(storeId, '/products/'), ZidNeedsReconnect);
    await failsWith(client.post(storeId, '/managers/webhooks', {}), ZidNeedsReconnect);
    assert.deepEqual([sim.requests.length, tokenCalls(), client.requestsSent(storeId)], before);
  });

  test('invalid_grant because another process refreshed first: the tokens it saved are used and the store is not marked', async () => {
    const { storeId, tokens } = connectStore();
    // "Another process" refreshes (Zid rotates: the old tokens stop working) and saves its tokens
    // only once this client has met invalid_grant with the refresh token it had read.
    const theirs = await refreshTokens(settings(), tokens.refreshToken, { previous: tokens });
    keeper.afterRead = (id) => {
      if (id === storeId && sim.tokenRequests.at(-1)?.error === 'invalid_grant') {
        keeper.afterRead = undefined;
        void keeper.saveTokens(storeId, theirs);
      }
    };
    const reconnects = keeper.reconnects.length;
    const page = (await clientWith({ refreshGraceMs: 50 }).get(storeId, '/products/')) as { count: number };
    assert.equal(page.count, 120);
    assert.equal(keeper.reconnects.length, reconnects);
    assert.equal(keeper.current(storeId).refreshToken, theirs.refreshToken);
  });

  test('two processes meeting a 401 at once: both calls succeed and the store is not marked', async () => {
    const { storeId } = connectStore();
    const [one, two] = [clientWith(), clientWith()];
    sim.expireAccessTokens();
    const reconnects = keeper.reconnects.length;
    const pages = await Promise.all([one.get(storeId, '/products/'), two.get(storeId, '/products/'), one.get(storeId, '/products/'), two.get(storeId, '/products/')]);
    assert.equal(pages.length, 4);
    assert.equal(keeper.reconnects.length, reconnects);
  });

  test("a refusal is typed with Zid's code and message, and a token Zid echoes back is redacted", async () => {
    const { storeId, tokens } = connectStore();
    sim.failNext({ path: /^\/v1\/products\/$/, status: 400, body: { error: { code: 'invalid_parameters', message: `bad page for ${tokens.managerToken} / ${tokens.authorization}` } } });
    const refused = await failsWith(clientWith().get(storeId, '/products/', { page: 'x' }), ZidRequestRefused);
    assert.deepEqual([refused.zidCode, refused.site.zidStatus, refused.retryable], ['invalid_parameters', 400, false]);
    assert.match(refused.message, /bad page for \[redacted\] \/ \[redacted\]/);
    assert.doesNotMatch(refused.message, /page=x/, 'the path is named without its query');
  });

  test('malformed answers are typed, retryable failures: a GET is tried again, an answer over 5 MB is not', async () => {
    const { storeId } = connectStore();
    const client = clientWith();
    sim.failNext({ path: /^\/v1\/products\/$/, status: 200, body: '{"results": [', contentType: 'application/json' });
    assert.equal(((await client.get(storeId, '/products/')) as { count: number }).count, 120);
    sim.failNext({ path: /^\/v1\/products\/$/, status: 200, body: '<html>Maintenance</html>', contentType: 'text/html', times: 3 });
    const html = await failsWith(client.get(storeId, '/products/'), ZidMalformedAnswer);
    assert.deepEqual([html.zidCode, html.retryable], ['not_json', true]);
    sim.failNext({ path: /^\/v1\/products\/$/, status: 200, body: `{"results": ["${'x'.repeat(5 * 1024 * 1024)}"]}`, contentType: 'application/json' });
    const sent = client.requestsSent(storeId);
    const large = await failsWith(client.get(storeId, '/products/'), ZidMalformedAnswer);
    assert.deepEqual([large.zidCode, large.retryable, client.requestsSent(storeId) - sent], ['too_large', true, 1]);
  });

  describe('the limiter under a simulator limit of 10 calls in any second', () => {
    // The limiter's window is the simulator's plus 300 ms: a call is counted when the limiter grants
    // it and by Zid when it arrives, so the slack absorbs uneven delays between the two (in
    // production 62 s against Zid's 60).
    const rate = { requests: 10, perMs: 1300 };
    const calls = (client: ZidClient, storeId: number, n: number) => Array.from({ length: n }, () => client.get(storeId, '/managers/store/categories'));
    // Every test store is the same Zid store to the simulator: a test starts once the simulator's
    // window holds none of the calls before it (its window is time, so this wait is exact).
    const windowEmpties = async () => {
      const wait = (sim.requests.at(-1)?.at ?? 0) + 1000 + 5 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    };
    before(() => sim.setRateLimit({ limit: 10, windowMs: 1000 }));
    after(() => sim.setRateLimit({ limit: 100_000, windowMs: 60_000 }));

    test('thirty calls at once meet no 429', async () => {
      const { storeId } = connectStore();
      await windowEmpties();
      const limited = sim.tooManyRequests;
      await Promise.all(calls(clientWith({ limiter: new ZidLimiter(rate) }), storeId, 30));
      assert.equal(sim.tooManyRequests - limited, 0);
    });

    test('two processes sharing the budget through Redis meet no 429; with a budget each they would', async () => {
      const { storeId } = connectStore();
      const keyPrefix = `souk:test:zid:${randomUUID()}:`;
      const shared = () => clientWith({ limiter: new ZidLimiter({ ...rate, redis, keyPrefix }) });
      await windowEmpties();
      let limited = sim.tooManyRequests;
      await Promise.all([...calls(shared(), storeId, 15), ...calls(shared(), storeId, 15)]);
      assert.equal(sim.tooManyRequests - limited, 0);
      // The control: the same two processes, each counting alone, go over Zid's limit at once.
      await windowEmpties();
      limited = sim.tooManyRequests;
      const alone = () => clientWith({ limiter: new ZidLimiter(rate), maxTries: 1 });
      await Promise.allSettled([...calls(alone(), storeId, 10), ...calls(alone(), storeId, 10)]);
      assert.ok(sim.tooManyRequests - limited > 0);
    });

    test('a grant in one process counts in the other', async () => {
      const keyPrefix = `souk:test:zid:${randomUUID()}:`;
      const [one, two] = [new ZidLimiter({ requests: 3, perMs: 60_000, redis, keyPrefix }), new ZidLimiter({ requests: 3, perMs: 60_000, redis, keyPrefix })];
      assert.deepEqual([await one.tryTake(5), await two.tryTake(5), await one.tryTake(5)], [0, 0, 0]);
      assert.ok((await two.tryTake(5)) > 59_000);
      assert.equal(await two.tryTake(6), 0, 'another store has its own budget');
    });

    test('when Redis cannot be reached, a log in the process keeps the budget instead of failing', async () => {
      const down = new Redis({ port: await closedPort(), host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        const limiter = new ZidLimiter({ requests: 2, perMs: 60_000, redis: down });
        assert.deepEqual([await limiter.tryTake(1), await limiter.tryTake(1)], [0, 0]);
        assert.ok((await limiter.tryTake(1)) > 59_000);
      } finally {
        down.disconnect();
      }
    });
  });

  test('no token, refresh token or client secret is in any log line or error', () => {
    assert.ok(logLines.length > 5 && failures.length > 10, 'the suite logged and failed');
    assert.ok(secrets.size > 20);
    for (const text of [...logLines, ...failures]) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in: ${text}`);
    }
  });
});

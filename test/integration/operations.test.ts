import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { loadConfig, type Env } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { createAccount, createApiKey, signRequestV2 } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { DATABASE_KINDS, POSTGRES_ADMIN_URL, createTestDatabase, type DatabaseKind, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { bearer, createLogin, createReseller, startTestSouk, testEnv, type TestSouk } from '../helpers/souk.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  status?: number;
  path?: string;
  [field: string]: unknown;
}

interface TokenBody {
  token: string;
  refresh_token: string;
}

/** Collects the JSON lines a server writes to its log stream. */
function logCollector() {
  const stream = new PassThrough();
  const raw: string[] = [];
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    raw.push(...lines.filter((line) => line.trim() !== ''));
  });
  return { stream, raw, parsed: () => raw.map((line) => JSON.parse(line) as LogLine) };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = WAIT_CEILING_MS): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) assert.fail(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition into samples (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

for (const kind of DATABASE_KINDS) {
  describe(`operations (${kind})`, () => {
    describe('request logs', () => {
      let t: TestSouk;
      const logs = logCollector();

      before(async () => {
        t = await startTestSouk(kind, { logStream: logs.stream, env: { SOUK_LOG_LEVEL: 'trace' } });
      });
      after(() => t?.close());

      test('every log line of a request carries its id, and no key, signature, password or token is written', async () => {
        const reseller = await createReseller(t.souk, { signed: true });
        const adminAccount = await createAccount(t.souk.db, { name: 'Signing admin', kind: 'admin' });
        const signedAdmin = await createApiKey(t.souk.db, t.souk.box, { accountId: adminAccount.id, signed: true });
        const login = await createLogin(t.souk, reseller.accountId, undefined, 'a password nobody should log');
        const unknownKey = `sk_live_${'Z9'.repeat(20)}`;
        const secrets: Record<string, string> = {
          'API key': reseller.apiKey,
          'signing secret': reseller.signingSecret!,
          'admin API key': signedAdmin.apiKey,
          'admin signing secret': signedAdmin.signingSecret!,
          password: login.password,
          'unknown key': unknownKey,
          'wrong password': 'not-the-password-either',
        };
        const responses: Array<{ id: string; status: number; sentId: string | undefined }> = [];
        const send = async (options: { method?: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }, requestId?: string) => {
          const res = await t.app.inject({
            method: options.method ?? 'GET',
            url: options.url,
            headers: { ...options.headers, ...(requestId !== undefined ? { 'x-request-id': requestId } : {}), ...(options.payload ? { 'content-type': 'application/json' } : {}) },
            ...(options.payload ? { payload: options.payload } : {}),
          });
          const id = res.headers['x-request-id'];
          assert.equal(typeof id, 'string', `${options.url}: no X-Request-Id in the response`);
          responses.push({ id: id as string, status: res.statusCode, sentId: requestId });
          return res;
        };

        // An API key three ways: Authorization: Bearer, X-API-Key, and a signed request.
        assert.equal((await send({ url: '/api/v1/me', headers: bearer(reseller.apiKey) }, 'ops-bearer-1')).statusCode, 200);
        assert.equal((await send({ url: '/api/v1/me', headers: { 'x-api-key': reseller.apiKey } }, 'ops-x-api-key')).statusCode, 200);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const readSignature = signRequestV2(reseller.signingSecret!, timestamp, 'GET', '/api/v1/me', '');
        secrets['read signature'] = readSignature.slice(3);
        const signedRead = await send({ url: '/api/v1/me', headers: { ...bearer(reseller.apiKey), 'x-signature': readSignature, 'x-timestamp': timestamp } });
        assert.equal(signedRead.statusCode, 200, signedRead.body);
        const body = JSON.stringify({ slug: 'logged-category', name: 'Logged' });
        const writeSignature = signRequestV2(signedAdmin.signingSecret!, timestamp, 'POST', '/admin/api/categories', body);
        secrets['write signature'] = writeSignature.slice(3);
        const signedWrite = await send({ method: 'POST', url: '/admin/api/categories', headers: { ...bearer(signedAdmin.apiKey), 'x-signature': writeSignature, 'x-timestamp': timestamp }, payload: body });
        assert.equal(signedWrite.statusCode, 201, signedWrite.body);
        const replay = await send({ method: 'POST', url: '/admin/api/categories', headers: { ...bearer(signedAdmin.apiKey), 'x-signature': writeSignature, 'x-timestamp': timestamp }, payload: body });
        assert.equal(replay.statusCode, 401);
        const badSignature = 'v2=' + 'ab'.repeat(32);
        secrets['bad signature'] = badSignature.slice(3);
        assert.equal((await send({ url: '/api/v1/me', headers: { 'x-api-key': reseller.apiKey, 'x-signature': badSignature, 'x-timestamp': timestamp } })).statusCode, 401);

        // Tokens: a password login, the token used bare and with Bearer, a refresh, and by key id + key.
        const issued = await send({ method: 'POST', url: '/api/v1/auth/token', payload: JSON.stringify({ username: login.username, password: login.password }) }, 'ops-token');
        assert.equal(issued.statusCode, 200, issued.body);
        const tokens = issued.json<TokenBody>();
        secrets.token = tokens.token;
        secrets['refresh token'] = tokens.refresh_token;
        assert.equal((await send({ url: '/api/v1/me', headers: { authorization: tokens.token } })).statusCode, 200);
        assert.equal((await send({ url: '/api/v1/me', headers: bearer(tokens.token) })).statusCode, 200);
        const refreshed = await send({ method: 'POST', url: '/api/v1/auth/refresh', payload: JSON.stringify({ refresh_token: tokens.refresh_token }) });
        assert.equal(refreshed.statusCode, 200, refreshed.body);
        secrets['refreshed token'] = refreshed.json<TokenBody>().token;
        secrets['refreshed refresh token'] = refreshed.json<TokenBody>().refresh_token;
        const byKey = await send({ method: 'POST', url: '/api/v1/auth/token', payload: JSON.stringify({ key_id: reseller.keyId, secret: reseller.apiKey }) });
        assert.equal(byKey.statusCode, 200, byKey.body);
        secrets['token from key'] = byKey.json<TokenBody>().token;

        // Refusals, which are the likeliest to be logged in detail.
        assert.equal((await send({ method: 'POST', url: '/api/v1/auth/token', payload: JSON.stringify({ username: login.username, password: secrets['wrong password'] }) })).statusCode, 401);
        assert.equal((await send({ method: 'POST', url: '/api/v1/auth/token', payload: `{"username":"${login.username}","password":"${login.password}"` })).statusCode, 400);
        assert.equal((await send({ url: '/api/v1/me', headers: bearer(unknownKey) })).statusCode, 401);
        assert.equal((await send({ url: '/api/v1/me', headers: { authorization: `${tokens.token}x` } })).statusCode, 401);
        assert.equal((await send({ url: '/admin/api/accounts', headers: { 'x-api-key': reseller.apiKey } })).statusCode, 403);
        // An X-Request-Id that is not a plain id is replaced, never echoed or logged.
        const replaced = await send({ url: '/api/v1/products', headers: { 'x-request-id': `not a plain id ${'x'.repeat(120)}` } });
        assert.equal(replaced.statusCode, 200);

        await waitFor(() => logs.parsed().filter((l) => l.msg === 'request').length >= responses.length, 'one request line per request');
        const lines = logs.parsed();
        const ids = new Set(responses.map((r) => r.id));
        assert.equal(ids.size, responses.length, 'every request got its own id');
        for (const line of lines) {
          assert.equal(typeof line.reqId, 'string', `a log line without reqId: ${JSON.stringify(line)}`);
          assert.ok(ids.has(line.reqId!), `a log line with an unknown reqId: ${JSON.stringify(line)}`);
        }
        for (const response of responses) {
          const requestLines = lines.filter((l) => l.reqId === response.id && l.msg === 'request');
          assert.equal(requestLines.length, 1, `request ${response.id}: ${requestLines.length} request lines`);
          assert.equal(requestLines[0]!.status, response.status);
          if (response.sentId !== undefined) assert.equal(response.id, response.sentId, 'a valid X-Request-Id is reused and echoed');
        }
        assert.match(responses.at(-1)!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'an unusable X-Request-Id is replaced by a UUID');

        const text = logs.raw.join('\n');
        for (const [what, secret] of Object.entries(secrets)) {
          assert.ok(secret.length >= 10, `${what} is long enough to search for`);
          assert.ok(!text.includes(secret), `the log contains the ${what}`);
        }
      });

      test('an error answer quotes the request id it was logged under', async () => {
        const res = await t.app.inject({ url: '/api/v1/me', headers: { 'x-request-id': 'ops-support-42' } });
        assert.equal(res.statusCode, 401);
        assert.equal(res.headers['x-request-id'], 'ops-support-42');
        assert.equal(res.json<{ request_id: string }>().request_id, 'ops-support-42');
        await waitFor(() => logs.parsed().some((l) => l.reqId === 'ops-support-42' && l.msg === 'request'), 'the request line');
      });
    });

    describe('metrics', () => {
      let t: TestSouk;
      let guarded: TestSouk;
      before(async () => {
        t = await startTestSouk(kind);
        guarded = await startTestSouk(kind, { env: { SOUK_METRICS_TOKEN: 'metrics-token-for-tests' } });
      });
      after(async () => {
        await Promise.allSettled([t?.close(), guarded?.close()]);
      });

      test('/metrics counts requests and their duration by route template and status; unknown paths are "unmatched"', async () => {
        for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ url: '/api/v1/products' })).statusCode, 200);
        assert.equal((await t.app.inject({ url: '/api/v1/products/NOPE-1' })).statusCode, 404);
        assert.equal((await t.app.inject({ url: '/api/v1/products/NOPE-2' })).statusCode, 404);
        assert.equal((await t.app.inject({ url: '/api/v1/me' })).statusCode, 401);
        assert.equal((await t.app.inject({ url: '/no/such/path-1' })).statusCode, 404);
        assert.equal((await t.app.inject({ method: 'POST', url: '/no/such/path-2' })).statusCode, 404);

        const res = await t.app.inject({ url: '/metrics' });
        assert.equal(res.statusCode, 200);
        assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
        const samples = parseMetrics(res.body);
        const count = (route: string, status: string, method = 'GET') => sampleValue(samples, 'souk_http_requests_total', { method, route, status });
        const durations = (route: string, status: string, method = 'GET') => sampleValue(samples, 'souk_http_request_duration_seconds_count', { method, route, status });
        assert.equal(count('/api/v1/products', '200'), 3);
        assert.equal(count('/api/v1/products/:ref', '404'), 2, 'a route with a parameter is one series');
        assert.equal(count('/api/v1/me', '401'), 1);
        assert.equal(count('unmatched', '404'), 1);
        assert.equal(count('unmatched', '404', 'POST'), 1);
        assert.equal(durations('/api/v1/products', '200'), 3);
        assert.equal(durations('/api/v1/products/:ref', '404'), 2);
        assert.equal(durations('unmatched', '404'), 1);
        assert.equal(sampleValue(samples, 'souk_http_request_duration_seconds_bucket', { route: '/api/v1/products', status: '200', le: '+Inf' }), 3);
        const sum = sampleValue(samples, 'souk_http_request_duration_seconds_sum', { route: '/api/v1/products', status: '200' });
        assert.ok(sum !== undefined && sum >= 0);
        const routes = new Set(samples.filter((s) => s.name.startsWith('souk_http_')).map((s) => s.labels.route));
        for (const route of routes) assert.ok(route === 'unmatched' || route?.startsWith('/'), `route label ${route}`);
        assert.ok(![...routes].some((r) => r?.includes('NOPE') || r?.includes('no/such')), `raw paths became series: ${[...routes].join(', ')}`);
        assert.ok(samples.some((s) => s.name === 'souk_process_cpu_user_seconds_total'), 'process metrics are exported too');
      });

      test('with SOUK_METRICS_TOKEN, /metrics needs Authorization: Bearer <token>', async () => {
        for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: 'Bearer metrics-token-for-tests-and-more' }, bearer(guarded.adminKey)]) {
          const refused = await guarded.app.inject({ url: '/metrics', headers });
          assert.equal(refused.statusCode, 401, JSON.stringify(headers));
          assert.equal(refused.json<{ error: string }>().error, 'unauthorized');
          assert.ok(!refused.body.includes('souk_http_requests_total'));
        }
        const allowed = await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-for-tests' } });
        assert.equal(allowed.statusCode, 200);
        assert.match(allowed.body, /souk_http_requests_total\{method="GET",route="\/metrics",status="401"\} 4/);
        // Without the setting, /metrics is open.
        assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 200);
      });
    });

    describe('graceful shutdown', () => {
      const PRODUCTS = 300;
      const HELD = 5;
      let database: TestDatabase | undefined;
      let env: Env = {};
      let adminKey = '';
      let server: ServerProcess | undefined;

      before(async () => {
        database = await createTestDatabase(kind);
        env = testEnv(database, { SOUK_LOG_LEVEL: 'info' });
        const souk = await openSouk(loadConfig(env));
        try {
          const admin = await createAccount(souk.db, { name: 'Admin', kind: 'admin' });
          adminKey = (await createApiKey(souk.db, souk.box, { accountId: admin.id })).apiKey;
          const description = 'A product description long enough to make the catalog page a few hundred kilobytes. '.repeat(12);
          await souk.db.transaction().execute(async (tx) => {
            for (let i = 1; i <= PRODUCTS; i++) {
              await createProduct({ db: tx, bus: souk.bus }, { code: `BULK-${String(i).padStart(4, '0')}`, name: { en: `Bulk product ${i}`, ar: `منتج ${i}` }, description, price: '1.25' });
            }
          });
        } finally {
          await souk.close();
        }
      });
      after(async () => {
        if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
        await database?.drop();
      });

      test('SIGTERM finishes every request in flight, then exits 0 with the database closed cleanly', { timeout: 90_000 }, async () => {
        server = await spawnServer(env);
        const running = server;
        const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
        const url = new URL(running.url);

        // The burst: 50 catalog reads, each answered (status line received) but not yet read when SIGTERM arrives.
        const inFlight = Array.from({ length: 50 }, () => send(url, { path: '/api/v1/products?limit=1000' }));
        // Held writes: the server has read their headers (it sent 100 Continue) but not their bodies,
        // so they are inside Souk when SIGTERM arrives; each must still be served, and committed.
        const held = Array.from({ length: HELD }, (_, i) =>
          send(url, { method: 'POST', path: '/admin/api/products', headers: bearer(adminKey), body: JSON.stringify({ code: `HELD-${i}`, name: `Held ${i}`, price: '2' }) }),
        );
        await waitFor(() => inFlight.every((r) => r.answered()) && held.every((r) => r.continued()), 'every request to reach the server', 20_000);
        running.child.kill('SIGTERM');
        // And some that race the shutdown: each is served whole or refused whole, never cut.
        const late = Array.from({ length: 10 }, () => send(url, { path: '/api/v1/products?limit=1000' }));
        await waitFor(() => running.output().includes('shutting down'), 'the shutdown to begin');
        for (const request of held) request.finish();
        for (const request of [...inFlight, ...held, ...late]) request.read();

        for (const [i, outcome] of (await Promise.all(inFlight.map((r) => r.outcome))).entries()) {
          assert.equal(outcome.error, undefined, `read ${i} failed: ${outcome.error}\n${running.output()}`);
          assert.equal(outcome.status, 200, `read ${i}`);
          assert.ok(outcome.complete, `read ${i} ended before its body was complete`);
          assert.equal((JSON.parse(outcome.body) as { products: unknown[] }).products.length, PRODUCTS, `read ${i} got a partial page`);
        }
        for (const [i, outcome] of (await Promise.all(held.map((r) => r.outcome))).entries()) {
          assert.equal(outcome.error, undefined, `held write ${i} failed: ${outcome.error}\n${running.output()}`);
          assert.equal(outcome.status, 201, `held write ${i}: ${outcome.body}`);
          assert.ok(outcome.complete);
          assert.equal((JSON.parse(outcome.body) as { product: { code: string } }).product.code, `HELD-${i}`);
        }
        for (const [i, outcome] of (await Promise.all(late.map((r) => r.outcome))).entries()) {
          if (outcome.status === undefined) {
            // Refused whole: not accepted, or closed before a status line (EPIPE: closed while the request was still being written).
            assert.ok(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(outcome.error ?? ''), `late read ${i}: ${outcome.error}`);
          } else {
            assert.ok(outcome.status === 200 || outcome.status === 503, `late read ${i}: status ${outcome.status}`);
            assert.equal(outcome.error, undefined, `late read ${i} was cut after its status line: ${outcome.error}`);
            assert.ok(outcome.complete, `late read ${i} ended before its body was complete`);
            if (outcome.status === 200) assert.equal((JSON.parse(outcome.body) as { products: unknown[] }).products.length, PRODUCTS);
            // Refused while shutting down: the envelope every other error uses, as the document says.
            else assert.equal((JSON.parse(outcome.body) as { error: string }).error, 'service_unavailable', `late read ${i}: ${outcome.body}`);
          }
        }

        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([exited, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 20_000)))]);
        clearTimeout(timer);
        assert.equal(code, 0, `the server exited with ${code}:\n${running.output()}`);
        await assertClosedCleanly(kind, database!, PRODUCTS + HELD);
      });
    });
  });
}

interface Outcome {
  status?: number;
  body: string;
  complete: boolean;
  error?: string;
}

interface SentRequest {
  outcome: Promise<Outcome>;
  /** The status line has arrived. */
  answered(): boolean;
  /** The server asked for the body (100 Continue). */
  continued(): boolean;
  /** Sends the held body. */
  finish(): void;
  /** Starts reading the response body (it is not read before). */
  read(): void;
}

/**
 * One request on its own connection (`Connection: close`). The response body is left unread until
 * read(); with a body, only the headers go out (with Expect: 100-continue) until finish().
 */
function send(url: URL, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): SentRequest {
  let response: http.IncomingMessage | undefined;
  let continued = false;
  let reading = false;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
    headers.expect = '100-continue';
  }
  const request = http.request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers, agent: false });
  const outcome = new Promise<Outcome>((resolve) => {
    const result: Outcome = { body: '', complete: false };
    request.on('continue', () => (continued = true));
    request.on('response', (res) => {
      response = res;
      result.status = res.statusCode;
      if (!reading) res.pause();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ ...result, body: Buffer.concat(chunks).toString('utf8'), complete: res.complete }));
      res.on('error', (error) => resolve({ ...result, error: error.message }));
      res.on('aborted', () => resolve({ ...result, error: 'aborted' }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ...result, error: error.code ?? error.message }));
  });
  if (options.body === undefined) request.end();
  else request.flushHeaders();
  return {
    outcome,
    answered: () => response !== undefined,
    continued: () => continued,
    finish: () => request.end(options.body),
    read: () => {
      reading = true;
      response?.resume();
    },
  };
}

/** After the process is gone: SQLite has checkpointed its WAL and is intact; PostgreSQL has no sessions left. */
async function assertClosedCleanly(kind: DatabaseKind, database: TestDatabase, products: number): Promise<void> {
  if (kind === 'sqlite') {
    const file = database.url.slice('sqlite:'.length);
    const wal = `${file}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'the WAL was not checkpointed: the database was not closed');
    const sqlite = new SQLite(file);
    try {
      assert.deepEqual(sqlite.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      assert.deepEqual(sqlite.prepare('select count(*) as n from products').get(), { n: products });
    } finally {
      sqlite.close();
    }
    return;
  }
  const name = new URL(database.url).pathname.slice(1);
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    let sessions = -1;
    for (let polls = 0; polls < 50; polls++) {
      const result = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
      sessions = Number(result.rows[0]?.n);
      if (sessions === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(sessions, 0, 'the server left PostgreSQL sessions open');
  } finally {
    await client.end();
  }
  const data = new pg.Client({ connectionString: database.url });
  await data.connect();
  try {
    const result = await data.query<{ n: string }>('select count(*) as n from products');
    assert.equal(Number(result.rows[0]?.n), products, 'every answered write was committed');
  } finally {
    await data.end();
  }
}

// The upstream HTTP client (src/core/upstream/http.ts) against a misbehaving server on 127.0.0.1
// (test/helpers/faulty-upstream.ts): every transport fault comes back as a classified
// UpstreamFailure (retryable when the request never left, unknown when it may have been taken),
// never a crash, never a redirect followed, never an answer read past its limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailure as failsWith } from '../helpers/upstream.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort, startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { createUpstreamHttp, MAX_ANSWER_BYTES, type UpstreamAnswer, type UpstreamHttp } from '../../src/core/upstream/http.js';

/** A configured deadline for calls that should end by it (not a measurement). */
const SHORT_DEADLINE_MS = 300;


function readJson(answer: UpstreamAnswer): Promise<unknown> {
  return Promise.resolve().then(() => answer.json());
}

describe('upstream HTTP transport faults', () => {
  let upstream: FaultyUpstream;
  let client: UpstreamHttp;
  let quick: UpstreamHttp;
  const post = (through: UpstreamHttp = client) => through.call({ method: 'POST', base: upstream.origin + '/api/v1', url: '/orders', json: { item_id: 1 } });

  before(async () => {
    upstream = await startFaultyUpstream();
    client = createUpstreamHttp({ allowPrivate: true });
    quick = createUpstreamHttp({ allowPrivate: true, timeoutMs: SHORT_DEADLINE_MS });
  });
  after(async () => {
    client.close();
    quick.close();
    await upstream.close();
  });

  test('a well-formed answer comes back whole, JSON readable, to the path under the base', async () => {
    upstream.next({ kind: 'answer', status: 201, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"order_id":"A1","price":"12.50"}' });
    const answer = await post();
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.json(), { order_id: 'A1', price: '12.50' });
    const seen = upstream.requests.at(-1);
    assert.deepEqual({ method: seen?.method, url: seen?.url, type: seen?.headers['content-type'], body: seen?.body }, { method: 'POST', url: '/api/v1/orders', type: 'application/json', body: '{"item_id":1}' });
  });

  test('garbage labelled JSON: unknown bad_json, with an excerpt of what came', async () => {
    upstream.next({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: '{"order_id": "A1", <<<\u0000 garbage' });
    const answer = await post();
    const failure = await failsWith(readJson(answer), 'unknown', 'bad_json');
    assert.match(failure.detail.excerpt ?? '', /garbage/);
  });

  test('a wrong content type: unknown not_json, even when the body would parse', async () => {
    upstream.next({ kind: 'answer', status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Maintenance</body></html>' });
    await failsWith(readJson(await post()), 'unknown', 'not_json');
    upstream.next({ kind: 'answer', status: 200, body: '{"ok":true}' });
    await failsWith(readJson(await post()), 'unknown', 'not_json');
  });

  test('a 2 MB body: unknown too_large', async () => {
    upstream.next({ kind: 'stream', bytes: 2 * 1024 * 1024 });
    const failure = await failsWith(post(), 'unknown', 'too_large');
    assert.equal(failure.detail.status, 200);
  });

  test('too_large is decided at the limit, not after buffering the whole body: a body that stalls past the limit still fails too_large, and the client hangs up', async () => {
    // The server sends a little over the limit of a declared 2 MB and then nothing: a client that
    // waited for the whole body would end on its deadline (timeout), not too_large.
    const request = upstream.requests.length;
    upstream.next({ kind: 'stream', bytes: 2 * 1024 * 1024, stallAfter: MAX_ANSWER_BYTES + 128 * 1024 });
    await failsWith(post(), 'unknown', 'too_large');
    await upstream.waitFor(() => upstream.streams.some((s) => s.request === request), 'the client closing the connection');
    assert.equal(upstream.streams.find((s) => s.request === request)?.complete, false);
  });

  test('a redirect loop: unknown redirect, and the redirect is never followed', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const before = upstream.requests.length;
      upstream.next({ kind: 'redirect_loop', status });
      const failure = await failsWith(post(), 'unknown', 'redirect');
      assert.equal(failure.detail.status, status);
      assert.equal(upstream.requests.length, before + 1, `${status}: one request only`);
    }
  });

  test('nothing at all (the request read, never answered): unknown timeout at the configured deadline', async () => {
    upstream.next({ kind: 'silence' });
    await failsWith(post(quick), 'unknown', 'timeout');
  });

  test('an answer that trickles in for ever: unknown timeout (the deadline covers the whole call)', async () => {
    upstream.next({ kind: 'trickle', everyMs: 50 });
    await failsWith(post(quick), 'unknown', 'timeout');
  });

  test('the connection closed after the request was read: unknown', async () => {
    upstream.next({ kind: 'hang_up' });
    await failsWith(post(), 'unknown', 'connection_lost');
  });

  test('an answer cut off mid-body: unknown', async () => {
    upstream.next({ kind: 'cut_off', declared: 1000, sent: '{"order_id":"A1","co' });
    await failsWith(post(), 'unknown', 'connection_lost');
  });

  test('an answer that is not HTTP at all: unknown', async () => {
    upstream.next({ kind: 'raw', text: 'SSH-2.0-OpenSSH_9.6\r\n' });
    await failsWith(post(), 'unknown', 'connection_lost');
  });

  // Bug in http.ts (not fixed here, see the report): Node hands a 101 to 'upgrade', never to
  // 'response', so the `status < 200` branch never sees it and the call waits for its deadline.
  test('a 101 Switching Protocols to a plain request: unknown upstream_error at once, not a timeout', async () => {
    upstream.next({ kind: 'raw', keepOpen: true, text: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' });
    const failure = await failsWith(post(quick), 'unknown', 'upstream_error');
    assert.equal(failure.detail.status, 101);
  });

  // Bug in http.ts (not fixed here, see the report): http.request throws ERR_INVALID_CHAR
  // synchronously for a header value with a newline or a character outside Latin-1 (a key pasted
  // with its line end), and the call rejects with that raw TypeError instead of a classified failure.
  test('a credential that cannot be a header value (a pasted newline, a non-Latin-1 letter) is refused, never a raw TypeError', async () => {
    for (const key of ['sk_live_abc\n', 'ключ', 'abc\r\nX-Injected: 1']) {
      await failsWith(client.call({ method: 'GET', base: upstream.origin, url: '/api/v1/me', headers: { 'x-api-key': key } }), 'refused', 'bad_request');
    }
  });

  test('a closed port: retryable unreachable (the request never left)', async () => {
    const port = await closedPort();
    await failsWith(client.call({ method: 'POST', url: `http://127.0.0.1:${port}/api/v1/orders`, json: {} }), 'retryable', 'unreachable');
  });

  test('429 with Retry-After in seconds or as a date: retryable rate_limited with retryAfterMs (capped at an hour)', async () => {
    upstream.next({ kind: 'answer', status: 429, headers: { 'retry-after': '7', 'content-type': 'application/json' }, body: '{"retry_after_seconds":7}' });
    const seconds = await failsWith(post(), 'retryable', 'rate_limited');
    assert.equal(seconds.detail.retryAfterMs, 7000);
    assert.equal(seconds.detail.status, 429);
    upstream.next({ kind: 'answer', status: 429, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } });
    const date = await failsWith(post(), 'retryable', 'rate_limited');
    assert.ok(date.detail.retryAfterMs !== undefined && date.detail.retryAfterMs > 60_000 && date.detail.retryAfterMs <= 120_000, String(date.detail.retryAfterMs));
    upstream.next({ kind: 'answer', status: 429, headers: { 'retry-after': '86400' } });
    assert.equal((await failsWith(post(), 'retryable', 'rate_limited')).detail.retryAfterMs, 3_600_000);
    upstream.next({ kind: 'answer', status: 429 });
    assert.equal((await failsWith(post(), 'retryable', 'rate_limited')).detail.retryAfterMs, undefined);
  });

  test('500 (and any 5xx): unknown upstream_error with an excerpt', async () => {
    for (const status of [500, 502, 503]) {
      upstream.next({ kind: 'answer', status, headers: { 'content-type': 'text/plain' }, body: `internal error ${status}` });
      const failure = await failsWith(post(), 'unknown', 'upstream_error');
      assert.equal(failure.detail.status, status);
      assert.equal(failure.detail.excerpt, `internal error ${status}`);
    }
  });

  test('a 4xx is an answer for the dialect to read, not a transport failure', async () => {
    upstream.next({ kind: 'answer', status: 409, headers: { 'content-type': 'application/json' }, body: '{"error_code":"out_of_stock"}' });
    const answer = await post();
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.json(), { error_code: 'out_of_stock' });
  });

  test('after each fault the client still works: no broken socket is reused', async () => {
    for (const fault of [{ kind: 'hang_up' }, { kind: 'cut_off', declared: 100, sent: '{' }, { kind: 'stream', bytes: 2 * 1024 * 1024 }, { kind: 'silence' }] as const) {
      upstream.next(fault);
      await assert.rejects(post(quick));
      upstream.next({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: '{"after":"' + fault.kind + '"}' });
      assert.deepEqual((await post(quick)).json(), { after: fault.kind });
    }
  });
});

describe('private addresses', () => {
  let upstream: FaultyUpstream;
  let guarded: UpstreamHttp;
  before(async () => {
    upstream = await startFaultyUpstream();
    guarded = createUpstreamHttp({ allowPrivate: false });
  });
  after(async () => {
    guarded.close();
    await upstream.close();
  });

  test('refused when allowPrivate is false, whether written as an address or a name, and nothing reaches the server', async () => {
    for (const url of [`http://127.0.0.1:${upstream.port}/api/v1/me`, `http://localhost:${upstream.port}/api/v1/me`, `http://[::ffff:127.0.0.1]:${upstream.port}/api/v1/me`, `http://2130706433:${upstream.port}/api/v1/me`]) {
      await failsWith(guarded.call({ method: 'GET', url }), 'refused', 'private_address');
    }
    assert.equal(upstream.requests.length, 0);
  });

  test('a URL that is not http(s) is refused bad_url', async () => {
    await failsWith(guarded.call({ method: 'GET', url: 'ftp://files.example/x' }), 'refused', 'bad_url');
    await failsWith(guarded.call({ method: 'GET', url: '/me', base: 'not a url' }), 'refused', 'bad_url');
  });
});

describe('the faulty upstream as a proxy (for the forwarding suites)', () => {
  let target: http.Server;
  let targetOrigin: string;
  let committed = 0;
  let proxy: FaultyUpstream;
  let client: UpstreamHttp;
  before(async () => {
    target = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        committed += 1;
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ order_id: `A${committed}`, path: request.url }));
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetOrigin = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    proxy = await startFaultyUpstream({ target: targetOrigin });
    client = createUpstreamHttp({ allowPrivate: true });
  });
  after(async () => {
    client.close();
    await proxy.close();
    target.closeAllConnections();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  test('passes a request through and relays the answer', async () => {
    const answer = await client.call({ method: 'POST', base: proxy.origin + '/api/v1', url: '/orders', json: {} });
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.json(), { order_id: 'A1', path: '/api/v1/orders' });
  });

  test('pass_then: the target commits, and the client sees a 500 (unknown) in its place', async () => {
    proxy.next({ kind: 'pass_then', then: { kind: 'answer', status: 500, body: 'oops' } });
    await failsWith(client.call({ method: 'POST', base: proxy.origin + '/api/v1', url: '/orders', json: {} }), 'unknown', 'upstream_error');
    assert.equal(committed, 2);
    assert.deepEqual(proxy.relayed.at(-1), { status: 201, body: JSON.stringify({ order_id: 'A2', path: '/api/v1/orders' }) });
  });
});

// The Zid client's transport against a misbehaving server on 127.0.0.1 (test/helpers/faulty-upstream.ts)
// standing in for Zid's API: a redirect is never followed (the tokens would go with it), an answer
// past 5 MB is cut at the limit, a silent or trickling server ends at the deadline and a GET is tried
// again, a POST that may have arrived is not, and a connection that was never made is. No database:
// this suite runs once, not per database kind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort, startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { collectingLog, MemoryKeeper } from '../helpers/zid-keeper.js';
import { ZidClient, type ZidClientOptions } from '../../src/core/zid/client.js';
import { ZidLimiter } from '../../src/core/zid/limiter.js';
import { ZidError, ZidMalformedAnswer, ZidRequestRefused, ZidUnavailable } from '../../src/core/zid/errors.js';
import type { ZidTokens } from '../../src/core/zid/tokens.js';

/** A configured deadline for calls that should end by it (not a measurement). */
const SHORT_DEADLINE_MS = 300;
const STORE = 1;
const TOKENS: ZidTokens = {
  authorization: 'Bearer faults-authorization-token',
  managerToken: 'faults-manager-token',
  refreshToken: 'faults-refresh-token',
  expiresAt: null,
  zidStoreId: 'store-7',
  storeUrl: null,
};

async function failsWith<T extends ZidError>(call: Promise<unknown>, kind: new (...args: never[]) => T, zidCode: string): Promise<T> {
  const error = await call.then(
    () => assert.fail(`expected ${kind.name}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
  assert.equal(error.zidCode, zidCode);
  return error;
}

describe('Zid client transport faults', () => {
  let zid: FaultyUpstream;
  let elsewhere: http.Server;
  let elsewhereHits = 0;
  const secrets = new Set<string>(['souk-faults-secret']);
  const logLines: string[] = [];
  const keeper = new MemoryKeeper(secrets);

  const clientFor = (apiUrl: string, options: Partial<ZidClientOptions> = {}) =>
    new ZidClient({
      settings: { clientId: 'app', clientSecret: 'souk-faults-secret', redirectUri: 'https://souk.example/connect/zid/callback', oauthUrl: apiUrl, apiUrl },
      keeper,
      limiter: new ZidLimiter(),
      log: collectingLog(logLines),
      retryBaseMs: 10,
      timeoutMs: SHORT_DEADLINE_MS,
      ...options,
    });
  const client = () => clientFor(`${zid.origin}/v1`);

  before(async () => {
    zid = await startFaultyUpstream();
    elsewhere = http.createServer((_request, response) => {
      elsewhereHits++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    keeper.set(STORE, TOKENS);
  });
  after(async () => {
    elsewhere.closeAllConnections();
    await new Promise((resolve) => elsewhere.close(resolve));
    await zid.close();
  });

  test('a redirect is not followed, to another server or in a loop', async () => {
    const to = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/v1/products/`;
    zid.next({ kind: 'answer', status: 302, headers: { location: to } });
    const refused = await failsWith(client().get(STORE, '/products/'), ZidRequestRefused, 'redirect');
    assert.equal(refused.site.zidStatus, 302);
    const sent = zid.requests.length;
    zid.next({ kind: 'redirect_loop', status: 307 });
    await failsWith(client().get(STORE, '/products/'), ZidRequestRefused, 'redirect');
    assert.deepEqual([zid.requests.length - sent, elsewhereHits], [1, 0]);
  });

  test('an answer streamed past 5 MB without a declared length is cut at the limit, not retried', async () => {
    const head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n';
    zid.next({ kind: 'raw', text: head + '['.padEnd(6 * 1024 * 1024, '1') });
    const sent = zid.requests.length;
    // A generous deadline: reading 5 MB on a loaded machine may outlast the short one, and a timeout is retried.
    const failure = await failsWith(clientFor(`${zid.origin}/v1`, { timeoutMs: 60_000 }).get(STORE, '/products/'), ZidMalformedAnswer, 'too_large');
    assert.deepEqual([failure.retryable, zid.requests.length - sent], [true, 1]);
  });

  test('a silent server, then a trickling one, end at the deadline; the GET is tried again and then succeeds', async () => {
    zid.next({ kind: 'silence' }, { kind: 'trickle', everyMs: 50 }, { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: '{"results":[]}' });
    assert.deepEqual(await client().get(STORE, '/products/'), { results: [] });
    assert.equal(logLines.filter((line) => line.includes('"code":"timeout"')).length >= 2, true);
  });

  test('three timeouts in a row: ZidUnavailable timeout after three tries', async () => {
    const sent = zid.requests.length;
    zid.next({ kind: 'silence' }, { kind: 'silence' }, { kind: 'silence' });
    const failure = await failsWith(client().get(STORE, '/products/'), ZidUnavailable, 'timeout');
    assert.deepEqual([failure.retryable, zid.requests.length - sent], [true, 3]);
  });

  test('a POST whose connection drops after it was sent is not sent again', async () => {
    const sent = zid.requests.length;
    zid.next({ kind: 'hang_up' });
    await failsWith(client().post(STORE, '/managers/webhooks', { event: 'order.create' }), ZidUnavailable, 'connection_lost');
    assert.equal(zid.requests.length - sent, 1);
    assert.equal(zid.requests.at(-1)?.body, '{"event":"order.create"}');
  });

  test('a connection never made is tried again, even for a POST, then ZidUnavailable unreachable', async () => {
    const nowhere = clientFor(`http://127.0.0.1:${await closedPort()}/v1`);
    const failure = await failsWith(nowhere.post(STORE, '/managers/webhooks', {}), ZidUnavailable, 'unreachable');
    assert.equal(nowhere.requestsSent(STORE), 3);
    assert.match(failure.message, /store 1: Zid POST \/v1\/managers\/webhooks/);
  });

  test('the stored tokens are sent exactly: Authorization as stored, both manager headers, Store-Id', async () => {
    zid.next({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    await client().get(STORE, '/managers/store/orders', { payload_type: 'default' });
    const seen = zid.requests.at(-1)!;
    assert.deepEqual(
      [seen.url, seen.headers.authorization, seen.headers['x-manager-token'], seen.headers['access-token'], seen.headers['store-id']],
      ['/v1/managers/store/orders?payload_type=default', TOKENS.authorization, TOKENS.managerToken, TOKENS.managerToken, TOKENS.zidStoreId],
    );
  });

  test('tokens that cannot be HTTP headers (a line end in them) are never sent', async () => {
    keeper.set(2, { ...TOKENS, managerToken: 'faults-manager\r\nx-evil: 1' });
    const sent = zid.requests.length;
    const refused = await failsWith(client().get(2, '/products/'), ZidRequestRefused, 'bad_tokens');
    assert.doesNotMatch(refused.message, /faults-manager/);
    assert.equal(zid.requests.length, sent);
  });

  test('no token or secret is in any log line', () => {
    assert.ok(logLines.length > 3);
    for (const line of logLines) for (const secret of secrets) assert.ok(!line.includes(secret), `a secret in: ${line}`);
  });
});

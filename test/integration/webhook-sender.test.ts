// The sender against real HTTP servers on 127.0.0.1: what it sends, and the limits it keeps (no
// redirects, 4 KB of an answer, a deadline, public addresses only, 256 KB bodies).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSender, MAX_RESPONSE_BYTES, type Sender } from '../../src/core/webhooks/sender.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function listen(handle: (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handle(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('webhook sender', () => {
  let sender: Sender;
  const servers: Array<{ close(): Promise<void> }> = [];
  const serve = async (handle: Parameters<typeof listen>[0]) => {
    const server = await listen(handle);
    servers.push(server);
    return server;
  };

  before(() => {
    sender = createSender({ allowPrivate: true, timeoutMs: 500 });
  });
  after(async () => {
    sender.close();
    for (const server of servers) await server.close();
  });

  test('POSTs the exact bytes with the signature headers, and a 2xx is a success', async () => {
    const receiver = await serve((_request, response) => response.writeHead(204).end());
    const body = JSON.stringify({ type: 'order.fulfilled', data: { note: 'naïve – ✓' } });
    const result = await sender.send(`${receiver.url}/hooks?tenant=7`, { 'webhook-id': 'msg_1', 'x-signature': 'abc' }, body);
    assert.equal(result.statusCode, 204);
    assert.equal(result.error, null);
    const [seen] = receiver.seen;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.url, '/hooks?tenant=7');
    assert.equal(seen?.body, body);
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(seen?.headers['webhook-id'], 'msg_1');
    assert.equal(seen?.headers['x-signature'], 'abc');
    assert.equal(seen?.headers['user-agent'], 'Souk-Webhooks/1');
  });

  test('a redirect is an answer, never followed', async () => {
    const elsewhere = await serve((_request, response) => response.writeHead(200).end());
    const receiver = await serve((_request, response) => response.writeHead(302, { location: `${elsewhere.url}/stolen` }).end());
    const result = await sender.send(`${receiver.url}/hook`, {}, '{}');
    assert.equal(result.statusCode, 302);
    assert.match(result.error ?? '', /answered 302/);
    assert.equal(elsewhere.seen.length, 0);
  });

  test('Retry-After of a 429 or 503 is handed back', async () => {
    const receiver = await serve((_request, response) => response.writeHead(503, { 'retry-after': '120' }).end('busy'));
    const result = await sender.send(`${receiver.url}/hook`, {}, '{}');
    assert.equal(result.statusCode, 503);
    assert.equal(result.retryAfter, '120');
  });

  test('an endless answer is read no further than 4 KB; its status still counts', { timeout: 20_000 }, async () => {
    let written = 0;
    const receiver = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(1024, 'x');
      // Writes until the client goes away (or 10 MB, so a failing test still ends).
      const pump = () => {
        while (written < 10 * 1024 * 1024 && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const result = await sender.send(`${receiver.url}/hook`, {}, '{}');
    assert.equal(result.statusCode, 200);
    assert.equal(result.error, null);
    assert.ok(written < 10 * 1024 * 1024, `the receiver wrote ${written} bytes before the sender hung up`);
    assert.equal(MAX_RESPONSE_BYTES, 4096);
  });

  test('a receiver that never answers, or answers too slowly, runs into the deadline', { timeout: 20_000 }, async () => {
    const silent = await serve(() => undefined);
    const quiet = await sender.send(`${silent.url}/hook`, {}, '{}');
    assert.equal(quiet.statusCode, null);
    assert.match(quiet.error ?? '', /no answer within 0.5 s/);

    // Headers at once, then a byte now and then: the deadline covers the whole answer.
    const dripping = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write('.')), 50);
      response.on('close', () => clearInterval(timer));
    });
    const slow = await sender.send(`${dripping.url}/hook`, {}, '{}');
    assert.equal(slow.statusCode, null);
    assert.match(slow.error ?? '', /no answer within 0.5 s/);
  });

  test('private addresses are refused unless allowed: by name (looked up when connecting) and as a literal', async () => {
    const receiver = await serve((_request, response) => response.writeHead(200).end());
    const strict = createSender({ allowPrivate: false, timeoutMs: 500 });
    try {
      const byName = await strict.send(`http://localhost:${receiver.port}/hook`, {}, '{}');
      assert.equal(byName.statusCode, null);
      assert.match(byName.error ?? '', /localhost resolves to .*not a public address/);
      const literal = await strict.send(`${receiver.url}/hook`, {}, '{}');
      assert.equal(literal.statusCode, null);
      assert.match(literal.error ?? '', /not a public address/);
      assert.equal(receiver.seen.length, 0);
    } finally {
      strict.close();
    }
  });

  test('a body over 256 KB, a URL that is not http(s), and a connection refused are failures without an answer', async () => {
    const big = await sender.send('http://127.0.0.1:9/hook', {}, 'x'.repeat(256 * 1024 + 1));
    assert.equal(big.final, true);
    assert.match(big.error ?? '', /over the 256 KB limit/);
    const ftp = await sender.send('ftp://127.0.0.1/hook', {}, '{}');
    assert.equal(ftp.final, true);
    const gone = await listen(() => undefined);
    await gone.close();
    const refused = await sender.send(`${gone.url}/hook`, {}, '{}');
    assert.equal(refused.statusCode, null);
    assert.match(refused.error ?? '', /ECONNREFUSED/);
  });
});

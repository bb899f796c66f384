// The OpenAPI document's `servers` is where this Souk is reached: SOUK_PUBLIC_URL when set, else
// the address it really listens on (a random port included), never a fixed port and never the
// Host a request claims. A client generated from the document then calls this server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { startTestSouk, testEnv, type TestSouk } from '../helpers/souk.js';
import { serverUrls } from '../../src/http/plugins/openapi.js';

interface Document {
  servers: Array<{ url: string; description: string }>;
}

/** The document from every place it is served, over real HTTP, with a Host that lies. */
async function documentsAt(base: string): Promise<Document[]> {
  const documents: Document[] = [];
  for (const path of ['/api/v1/openapi.json', '/docs/json']) {
    const res = await fetch(`${base}${path}`, { headers: { host: 'attacker.example:666', 'x-forwarded-host': 'attacker.example' } });
    assert.equal(res.status, 200, path);
    documents.push((await res.json()) as Document);
  }
  return documents;
}

for (const kind of DATABASE_KINDS) {
  describe(`the OpenAPI document's servers (${kind})`, () => {
    let database: TestDatabase;
    let server: ServerProcess;
    let published: TestSouk;

    before(async () => {
      database = await createTestDatabase(kind);
      server = await spawnServer(testEnv(database), ['--host', '127.0.0.1']);
      published = await startTestSouk(kind, { env: { SOUK_PUBLIC_URL: 'https://shop.example.com/souk/' } });
      await published.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await server?.stop();
      await database?.drop();
      await published?.close();
    });

    test('`souk serve --port 0` publishes the address it listens on, whatever Host the request names', async () => {
      const port = Number(new URL(server.url).port);
      assert.ok(port > 0 && port !== 8080, `a random port, got ${server.url}`);
      for (const document of await documentsAt(server.url)) assert.deepEqual(document.servers.map((s) => s.url), [server.url]);
    });

    test('with SOUK_PUBLIC_URL the document publishes that URL (without a trailing slash) instead', async () => {
      const { port } = published.app.server.address() as AddressInfo;
      for (const document of await documentsAt(`http://127.0.0.1:${port}`)) assert.deepEqual(document.servers.map((s) => s.url), ['https://shop.example.com/souk']);
    });
  });
}

test('a server bound to every interface publishes loopback on its port, and says to set SOUK_PUBLIC_URL', () => {
  const listening = (address: AddressInfo) => ({ server: { address: () => address } }) as unknown as FastifyInstance;
  const config = { publicUrl: undefined, host: '0.0.0.0', port: 0 };
  const [v4] = serverUrls(listening({ address: '0.0.0.0', family: 'IPv4', port: 4321 }), config);
  assert.equal(v4?.url, 'http://127.0.0.1:4321');
  assert.match(v4?.description ?? '', /SOUK_PUBLIC_URL/);
  assert.equal(serverUrls(listening({ address: '::', family: 'IPv6', port: 4321 }), { ...config, host: '::' })[0]?.url, 'http://[::1]:4321');
  assert.equal(serverUrls(listening({ address: '::1', family: 'IPv6', port: 9 }), { ...config, host: '::1' })[0]?.url, 'http://[::1]:9');
});

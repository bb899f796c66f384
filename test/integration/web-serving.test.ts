// The console and the storefront are served by Souk itself: their pages (with history-API
// fallbacks), their hashed assets with long cache headers, while every API prefix keeps answering
// its JSON 404 envelope; a checkout without the built apps still serves, with a page saying to build.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { buildServer } from '../../src/server.js';
import { DEFAULT_WEB_DIR } from '../../src/http/web.js';

const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

for (const kind of DATABASE_KINDS) {
  describe(`web apps served by Souk (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      assert.ok(existsSync(path.join(DEFAULT_WEB_DIR, 'index.html')), 'dist/web is built (npm run build)');
      t = await startTestSouk(kind);
    });
    after(async () => t?.close());

    const pages = [
      { path: '/', app: 'storefront', script: /storefront-/ },
      { path: '/products/steam-20-usd', app: 'storefront', script: /storefront-/ },
      { path: '/orders/lookup?x=1', app: 'storefront', script: /storefront-/ },
      { path: '/orders/', app: 'storefront', script: /storefront-/ },
      { path: '/admin', app: 'console', script: /console-/ },
      { path: '/admin/', app: 'console', script: /console-/ },
      { path: '/admin/orders/01HXYZ', app: 'console', script: /console-/ },
    ];
    for (const page of pages) {
      test(`GET ${page.path} answers the ${page.app}'s index.html, never cached`, async () => {
        const res = await t.app.inject({ url: page.path });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
        assert.equal(res.headers['cache-control'], 'no-cache');
        assert.match(res.body, /<div id="root">/);
        assert.ok(assetsOf(res.body).some((a) => page.script.test(a)), `the ${page.app}'s script is on the page:\n${res.body}`);
      });
    }

    test('every asset a page names is served with its type and a year-long immutable cache', async () => {
      const named = new Set<string>();
      for (const url of ['/', '/admin']) for (const asset of assetsOf((await t.app.inject({ url })).body)) named.add(asset);
      assert.ok([...named].some((a) => a.endsWith('.js')) && [...named].some((a) => a.endsWith('.css')), [...named].join(', '));
      for (const asset of named) {
        const res = await t.app.inject({ url: asset });
        assert.equal(res.statusCode, 200, asset);
        assert.match(String(res.headers['content-type']), asset.endsWith('.css') ? /^text\/css/ : /^(application|text)\/javascript/, asset);
        assert.match(String(res.headers['cache-control']), /max-age=31536000/, asset);
        assert.match(String(res.headers['cache-control']), /immutable/, asset);
      }
    });

    for (const url of ['/api/nope', '/api/v1/nope', '/admin/api/nope', '/v1/nope', '/docs/nope.js', '/hooks/nope', '/assets/nope.js', '/assets/..%2f..%2findex.html', '/favicon.ico', '/nope', '/no/such/page']) {
      test(`GET ${url} keeps its JSON 404 envelope, not a page`, async () => {
        const res = await t.app.inject({ url });
        assert.equal(res.statusCode, 404);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = res.json() as { ok: boolean; error: string };
        assert.equal(body.ok, false);
        assert.ok(body.error === 'not_found' || body.error === 'item_not_found', body.error);
      });
    }

    test('a page path asked with POST is a JSON 404, not a page', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/orders', payload: {} });
      assert.equal(res.statusCode, 404);
      assert.match(String(res.headers['content-type']), /^application\/json/);
    });

    test('the API reference stays at /docs', async () => {
      const res = await t.app.inject({ url: '/docs/json' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
    });

    test('without the built apps the server still serves, and the pages say to run npm run build', async () => {
      const empty = mkdtempSync(path.join(tmpdir(), 'souk-no-web-'));
      let app: FastifyInstance | undefined;
      try {
        const server: FastifyInstance = await buildServer(t.souk, { webDir: empty });
        app = server;
        await server.ready();
        for (const url of ['/', '/admin', '/products/x']) {
          const res = await server.inject({ url });
          assert.equal(res.statusCode, 200, url);
          assert.match(String(res.headers['content-type']), /^text\/plain/, url);
          assert.match(res.body, /npm run build/, url);
        }
        const api = await server.inject({ url: '/api/products' });
        assert.equal(api.statusCode, 200);
        assert.equal((await server.inject({ url: '/assets/x.js' })).statusCode, 404);
        assert.deepEqual(readdirSync(empty), []);
      } finally {
        await app?.close();
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { ROOT } from '../helpers/processes.js';
import { openApiPath, registeredRoutes } from '../helpers/routes.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { EVENT_TYPES } from '../../src/core/events/index.js';
import { webhookBodySchema } from '../../src/http/webhook-docs.js';

/** Routes deliberately left out of the document: the web apps' assets, metrics, the docs UI and the document itself. */
function isHidden(url: string): boolean {
  return url === '/assets/*' || url === '/metrics' || url === '/api/v1/openapi.json' || url === '/docs' || url.startsWith('/docs/');
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: unknown;
  summary?: unknown;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], Operation>>>;
}

/**
 * Loaded with `--require` into the lint process: any socket or DNS lookup is refused and reported,
 * so the lint can neither phone home nor fetch remote `$ref`s.
 */
const NO_NETWORK = `
const net = require('node:net');
const dns = require('node:dns');
function refuse(what) {
  return function () {
    process.stderr.write('no-network: blocked ' + what + '\\n');
    throw new Error('network access is disabled while linting (' + what + ')');
  };
}
net.Socket.prototype.connect = refuse('socket connect');
dns.lookup = refuse('dns lookup');
dns.promises.lookup = refuse('dns lookup');
`;

interface LintResult {
  code: number | null;
  output: string;
}

/** Runs the locally installed Redocly CLI on a file, offline, from the repository root (so a redocly.yaml there applies). */
function redoclyLint(file: string, dir: string): Promise<LintResult> {
  const preload = path.join(dir, 'no-network.cjs');
  writeFileSync(preload, NO_NETWORK);
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: dir,
    NODE_OPTIONS: `--require ${preload}`,
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    REDOCLY_SUPPRESS_NOTIFICATIONS: 'true',
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', file], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

/** Every `src` and `href` in an HTML page. */
function assetReferences(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1] ?? '');
}

/** Every `url(…)` and `@import "…"` in a stylesheet. */
function cssReferences(css: string): string[] {
  const urls = [...css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi)].map((m) => m[2] ?? '');
  const imports = [...css.matchAll(/@import\s+["']([^"']+)["']/gi)].map((m) => m[1] ?? '');
  return [...urls, ...imports];
}

const ORIGIN = 'http://souk.test';

for (const kind of DATABASE_KINDS) {
  describe(`OpenAPI document and /docs (${kind})`, () => {
    let t: TestSouk;
    let document: OpenApiDocument;
    let lintDir: string;

    before(async () => {
      t = await startTestSouk(kind);
      lintDir = mkdtempSync(path.join(tmpdir(), 'souk-openapi-'));
      const res = await t.app.inject({ url: '/api/v1/openapi.json' });
      assert.equal(res.statusCode, 200, res.body);
      document = res.json();
    });
    after(async () => {
      rmSync(lintDir, { recursive: true, force: true });
      await t.close();
    });

    test('GET /api/v1/openapi.json is an OpenAPI 3.1 document served as JSON', async () => {
      const res = await t.app.inject({ url: '/api/v1/openapi.json' });
      assert.match(res.headers['content-type'] as string, /^application\/json/);
      assert.match(document.openapi, /^3\.1\.\d+$/);
      assert.equal(typeof document.paths, 'object');
    });

    test('the document lists every public route the app registered, and nothing else', () => {
      const registered = registeredRoutes(t.app);
      const gets = new Set(registered.filter((r) => r.method === 'GET').map((r) => r.url));
      const expected = registered
        .filter((r) => !isHidden(r.url))
        // Fastify adds a HEAD route for every GET; the document describes the GET.
        .filter((r) => !(r.method === 'HEAD' && gets.has(r.url)))
        .map((r) => `${r.method} ${openApiPath(r.url)}`)
        .sort();
      const documented = Object.entries(document.paths)
        .flatMap(([url, item]) => HTTP_METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${url}`))
        .sort();
      assert.ok(expected.length >= 20, `only ${expected.length} public routes found: ${expected.join(', ')}`);
      assert.deepEqual(documented, expected);
    });

    test('the webhooks section describes every event type, its body schema being the one deliveries are checked against', () => {
      const webhooks = (document as unknown as { webhooks: Record<string, { post: { summary: string; requestBody: { content: Record<string, { schema: unknown }> } } }> }).webhooks;
      assert.deepEqual(Object.keys(webhooks).sort(), [...EVENT_TYPES].sort());
      for (const type of EVENT_TYPES) {
        const operation = webhooks[type]!.post;
        assert.ok(operation.summary.length > 10, `${type} has no summary`);
        assert.deepEqual(operation.requestBody.content['application/json']?.schema, JSON.parse(JSON.stringify(webhookBodySchema(type))), `${type}'s schema`);
      }
    });

    test('every operation has a unique operationId and a summary', () => {
      const seen = new Map<string, string>();
      for (const [url, item] of Object.entries(document.paths)) {
        for (const method of HTTP_METHODS) {
          const operation = item[method];
          if (!operation) continue;
          const where = `${method.toUpperCase()} ${url}`;
          assert.ok(typeof operation.operationId === 'string' && operation.operationId.length > 0, `${where} has no operationId`);
          assert.ok(typeof operation.summary === 'string' && operation.summary.trim().length > 0, `${where} has no summary`);
          assert.equal(seen.get(operation.operationId), undefined, `${where} reuses the operationId ${operation.operationId} of ${seen.get(operation.operationId)}`);
          seen.set(operation.operationId, where);
        }
      }
    });

    test('the document passes redocly lint (recommended rules) without errors, offline', async () => {
      const file = path.join(lintDir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document, null, 2));
      const { code, output } = await redoclyLint(file, lintDir);
      assert.doesNotMatch(output, /no-network: blocked/, `redocly tried to reach the network:\n${output}`);
      assert.equal(code, 0, `redocly lint failed (exit ${code}):\n${output}`);
      assert.match(output, /openapi\.json/, `redocly did not report on the document:\n${output}`);
    });

    test('/docs/json is the same document as /api/v1/openapi.json', async () => {
      const res = await t.app.inject({ url: '/docs/json' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), document);
    });

    // `/` is the storefront now (web-serving.test.ts); the reference lives at /docs.
    for (const entry of ['/docs', '/docs/']) {
      test(`${entry} leads to a reference page whose every asset is served by Souk itself`, async () => {
        let url = new URL(entry, ORIGIN);
        let res = await t.app.inject({ url: url.pathname });
        for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
          url = new URL(String(res.headers.location), url);
          assert.equal(url.origin, ORIGIN, `redirected off-site to ${url.href}`);
          res = await t.app.inject({ url: url.pathname + url.search });
        }
        assert.equal(res.statusCode, 200, `${url.pathname}: ${res.body}`);
        assert.match(res.headers['content-type'] as string, /^text\/html/);
        const references = assetReferences(res.body);
        assert.ok(references.some((r) => /\.js(\?|$)/.test(r)), `no script on the page:\n${res.body}`);
        assert.ok(references.some((r) => /\.css(\?|$)/.test(r)), `no stylesheet on the page:\n${res.body}`);

        const checked = new Set<string>();
        const check = async (reference: string, base: URL, from: string) => {
          if (reference === '' || reference.startsWith('#') || reference.startsWith('data:')) return;
          const target = new URL(reference, base);
          assert.equal(target.origin, ORIGIN, `${from} loads ${reference} from another host`);
          const local = target.pathname + target.search;
          if (checked.has(local)) return;
          checked.add(local);
          const asset = await t.app.inject({ url: local });
          assert.equal(asset.statusCode, 200, `${from} references ${reference} (${local}), which answers ${asset.statusCode}`);
          if (/\.css$/.test(target.pathname)) {
            for (const inner of cssReferences(asset.body)) await check(inner, target, local);
          }
        };
        for (const reference of references) await check(reference, url, url.pathname);
        assert.ok(checked.size >= 3, `only ${checked.size} local assets checked`);
      });
    }

    test('the Swagger UI initializer loads our document and sends nothing to a remote validator', async () => {
      const page = await t.app.inject({ url: '/docs/' });
      const script = assetReferences(page.body).find((r) => /initializer\.js$/.test(r));
      assert.ok(script, `no initializer script on the page:\n${page.body}`);
      const scriptUrl = new URL(script, new URL('/docs/', ORIGIN));
      const res = await t.app.inject({ url: scriptUrl.pathname });
      assert.equal(res.statusCode, 200);
      const config = /const config = (\{.*\})\s*$/m.exec(res.body);
      assert.ok(config?.[1], `no config object in the initializer:\n${res.body}`);
      const parsed = JSON.parse(config[1]) as Record<string, unknown>;
      assert.ok('validatorUrl' in parsed, `validatorUrl is not set, so Swagger UI would use validator.swagger.io: ${config[1]}`);
      assert.equal(parsed.validatorUrl, null);
      assert.ok(!('url' in parsed) && !('urls' in parsed), `the UI config names its own document URL: ${config[1]}`);
      // The UI fetches `./json` next to the page, which must be our document.
      assert.match(res.body, /url:\s*resolveUrl\('\.\/json'\)/);
      const spec = await t.app.inject({ url: new URL('./json', new URL('/docs/', ORIGIN)).pathname });
      assert.deepEqual(spec.json(), document);
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { openApiPath, registeredRoutes, type RegisteredRoute } from '../helpers/routes.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

// What the front door answers (auth, rate limits, the router, the body parser, the input checks)
// happens on every route, so every operation must list it: a generated client otherwise meets a
// status its document never mentioned.

type Responses = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, { responses: Responses }>> };

interface Operation {
  route: RegisteredRoute;
  responses: Responses;
}

async function documentedOperations(t: TestSouk): Promise<Operation[]> {
  const document: Document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
  const operations: Operation[] = [];
  for (const route of registeredRoutes(t.app)) {
    const operation = document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
    if (operation) operations.push({ route, responses: operation.responses });
  }
  assert.ok(operations.length >= 80, `only ${operations.length} documented operations`);
  return operations;
}

/** The route's path with every parameter set to `value`. */
const pathOf = (route: RegisteredRoute, value: string) => route.url.replace(/:[A-Za-z0-9_]+/g, value);

function assertListed(operation: Operation, res: LightMyRequestResponse, what: string) {
  const { method, url } = operation.route;
  assert.ok(String(res.statusCode) in operation.responses, `${method} ${url} (${what}) answered ${res.statusCode}, which its operation does not list: ${res.body.slice(0, 200)}`);
}

const sendsBody = (method: HTTPMethods) => method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';

for (const kind of DATABASE_KINDS) {
  describe(`every status the front door answers is documented (${kind})`, () => {
    let t: TestSouk;
    let limited: TestSouk;
    let operations: Operation[];
    before(async () => {
      t = await startTestSouk(kind);
      limited = await startTestSouk(kind, { env: { SOUK_IP_RATE_LIMIT: '1', SOUK_KEY_RATE_LIMIT: '1', SOUK_LOGIN_RATE_LIMIT: '1' } });
      operations = await documentedOperations(t);
    });
    after(async () => {
      await t.close();
      await limited.close();
    });

    test('a request without credentials, or with a NUL in its query string, gets a listed status on every operation', async () => {
      for (const operation of operations) {
        const { method } = operation.route;
        const url = `${pathOf(operation.route, '1')}?q=%00`;
        assertListed(operation, await t.app.inject({ method, url }), 'no credentials');
        assertListed(operation, await t.app.inject({ method, url, headers: bearer(t.adminKey) }), 'NUL in the query');
      }
    });

    test('an over-long path parameter (414) is listed by every operation that has one', async () => {
      for (const operation of operations.filter((o) => o.route.url.includes(':'))) {
        const res = await t.app.inject({ method: operation.route.method, url: pathOf(operation.route, 'a'.repeat(301)), headers: bearer(t.adminKey) });
        assert.equal(res.statusCode, 414);
        assertListed(operation, res, 'over-long parameter');
      }
    });

    test('a body that is not JSON (415) or too large (413) is listed by every operation that reads one', async () => {
      for (const operation of operations.filter((o) => sendsBody(o.route.method))) {
        const { method } = operation.route;
        const url = pathOf(operation.route, '1');
        const headers = { ...bearer(t.adminKey), 'content-type': 'text/plain' };
        assertListed(operation, await t.app.inject({ method, url, headers, payload: 'x' }), 'text/plain');
        const big = `{"a":"${'x'.repeat(20 * 1024 * 1024)}"}`;
        assertListed(operation, await t.app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: big }), 'too large');
      }
    });

    test('429 is listed by every operation that is rate limited, /admin/api included', async () => {
      let limitedSeen = 0;
      for (const operation of operations) {
        const { method } = operation.route;
        const url = pathOf(operation.route, '1');
        for (let attempt = 0; attempt < 2; attempt++) {
          const res = await limited.app.inject({ method, url, headers: bearer(limited.adminKey) });
          assertListed(operation, res, `attempt ${attempt + 1} with a budget of 1`);
          if (res.statusCode === 429) limitedSeen++;
        }
      }
      const adminOperations = operations.filter((o) => o.route.url.startsWith('/admin/api/'));
      assert.ok(adminOperations.length > 40);
      for (const operation of adminOperations) {
        for (const status of ['401', '403', '429']) assert.ok(status in operation.responses, `${operation.route.method} ${operation.route.url} does not list ${status}`);
      }
      assert.ok(limitedSeen > operations.length, `only ${limitedSeen} answers were 429`);
    });

    test('every operation lists 503 (a request that arrives while the server shuts down) and 500 (an unforeseen failure), in its surface\'s envelope', () => {
      for (const operation of operations) {
        for (const status of ['500', '503']) assert.ok(status in operation.responses, `${operation.route.method} ${operation.route.url} does not list ${status}`);
      }
    });
  });
}

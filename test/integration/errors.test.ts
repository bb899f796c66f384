import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

function assertEnvelope(body: Record<string, unknown>, code: string) {
  assert.equal(body.ok, false);
  assert.equal(body.error, code);
  assert.equal(body.errorCode, code);
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.request_id, 'string');
}

for (const kind of DATABASE_KINDS) {
  describe(`error envelope (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_BODY_LIMIT: '2048' } });
    });
    after(() => t.close());

    test('unknown paths are 404 not_found with the request id', async () => {
      for (const url of ['/nope', '/api/v1/nothing', '/api/v2/products', '/admin/api/zzz']) {
        const res = await t.app.inject({ url, headers: { 'x-request-id': 'trace-123' } });
        assert.equal(res.statusCode, 404);
        assertEnvelope(res.json(), 'not_found');
        assert.equal(res.json().request_id, 'trace-123');
        assert.equal(res.headers['x-request-id'], 'trace-123');
      }
    });

    test('a known path asked with a method it does not serve is 405 with Allow, in each surface\'s envelope', async () => {
      const cases: Array<{ method: 'DELETE' | 'GET' | 'PUT' | 'POST' | 'PATCH' | 'OPTIONS'; url: string; allow: string; shop?: true }> = [
        { method: 'DELETE', url: '/api/v1/products', allow: 'GET, HEAD' },
        { method: 'PUT', url: '/api/v1/orders/SK-0000-0000-0000', allow: 'GET, HEAD' },
        { method: 'POST', url: '/api/v1/products/APP-10/', allow: 'GET, HEAD' },
        { method: 'POST', url: '/admin/api/categories/gift-cards', allow: 'DELETE, PATCH' },
        { method: 'GET', url: '/admin/api/orders/9/refund', allow: 'POST' },
        { method: 'OPTIONS', url: '/v1/orders', allow: 'POST' },
        { method: 'DELETE', url: '/api/orders/query', allow: 'POST', shop: true },
        { method: 'PUT', url: '/api/products/gift-card-10', allow: 'GET, HEAD', shop: true },
      ];
      for (const { method, url, allow, shop } of cases) {
        const res = await t.app.inject({ method, url, headers: bearer(t.adminKey) });
        assert.equal(res.statusCode, 405, `${method} ${url}`);
        assert.equal(res.headers.allow, allow, `${method} ${url}`);
        assertEnvelope(res.json(), 'method_not_allowed');
        assert.equal(res.json().success, shop ? false : undefined, `${method} ${url}`);
      }
      const unknown = await t.app.inject({ method: 'DELETE', url: '/api/nothing-here' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.headers.allow, undefined);
      assert.equal(unknown.json().success, false);
    });

    test('malformed JSON is 400: `validation` on /api/v1 (seed 003), validation_error on /admin/api', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/json' }, payload: '{"username": ' });
      assert.equal(res.statusCode, 400);
      assertEnvelope(res.json(), 'validation');
      assert.match(res.json().message, /not valid JSON/);
      const admin = await t.app.inject({ method: 'POST', url: '/admin/api/categories', headers: { ...bearer(t.adminKey), 'content-type': 'application/json' }, payload: '{"slug": ' });
      assert.equal(admin.statusCode, 400);
      assertEnvelope(admin.json(), 'validation_error');
      assert.match(res.json().message, /not valid JSON/);
    });

    test('a body that is not JSON is 415 unsupported_media_type', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': type }, payload: 'username=a&password=b' });
        assert.equal(res.statusCode, 415, type);
        assertEnvelope(res.json(), 'unsupported_media_type');
      }
    });

    test('a body over the limit is 413 payload_too_large', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'x'.repeat(5000), password: 'y' }) });
      assert.equal(res.statusCode, 413);
      assertEnvelope(res.json(), 'payload_too_large');
    });

    test('validation errors name each bad field', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/api/products',
        headers: bearer(t.adminKey),
        payload: { code: 5, price: 'cheap', min_quantity: 0, status: 'gone' },
      });
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assertEnvelope(body, 'validation_error');
      const named = body.fields.map((f: { field: string }) => f.field);
      for (const field of ['name', 'min_quantity', 'status']) assert.ok(named.includes(field), `${field} missing from ${JSON.stringify(named)}`);
      const query = await t.app.inject({ url: '/api/v1/products?limit=0' });
      assert.equal(query.statusCode, 400);
      assert.deepEqual(query.json().fields.map((f: { field: string }) => f.field), ['limit']);
    });

    test('prototype pollution keys in bodies are dropped', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/api/categories',
        headers: { ...bearer(t.adminKey), 'content-type': 'application/json' },
        payload: '{"slug":"proto","name":"Proto","__proto__":{"polluted":true}}',
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
}

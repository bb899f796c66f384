import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';

// Rules the server enforces on a body are stated in the OpenAPI document's request schema, so a
// generated client and the server agree; and a body that breaks one is 400 naming what to send.

type Property = { pattern?: string; minLength?: number; anyOf?: Property[] };
type Schema = { anyOf?: Array<{ required: string[] }>; oneOf?: Array<{ required: string[] }>; properties?: Record<string, Property> };
type Document = { paths: Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: Schema } } }; parameters: Array<{ name: string; schema: Property }> }>> };

/** Whether the property's pattern (or its text branch's) accepts `value`. */
function fits(property: Property | undefined, value: string): boolean {
  const pattern = property?.pattern ?? property?.anyOf?.find((p) => p.pattern)?.pattern;
  assert.ok(pattern, `no pattern in ${JSON.stringify(property)}`);
  return new RegExp(pattern, 'u').test(value);
}

function assertRefused(res: LightMyRequestResponse, field: string, message: RegExp) {
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json();
  assert.ok(body.error === 'validation' || body.error === 'validation_error', res.body);
  const problem = (body.fields as Array<{ field: string; message: string }>).find((f) => f.field === field);
  assert.ok(problem, `no problem named ${field}: ${res.body}`);
  assert.match(problem.message, message);
}

for (const kind of DATABASE_KINDS) {
  describe(`body rules are in the schema (${kind})`, () => {
    let t: TestSouk;
    let document: Document;
    let reseller: TestReseller;
    const bodySchema = (method: string, path: string) => document.paths[path]![method]!.requestBody.content['application/json'].schema;
    const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });

    before(async () => {
      t = await startTestSouk(kind);
      document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
      reseller = await createReseller(t.souk);
    });
    after(() => t.close());

    test('POST /api/v1/orders needs product or item_id: stated as anyOf, refused as one problem', async () => {
      assert.deepEqual(bodySchema('post', '/api/v1/orders').anyOf, [{ required: ['product'] }, { required: ['item_id'] }]);
      assertRefused(await post('/api/v1/orders', { quantity: 1 }, bearer(reseller.apiKey)), 'body', /^needs product, or item_id$/);
    });

    test('POST /api/v1/auth/token takes username + password or key_id + secret, one pair only', async () => {
      const pairs = bodySchema('post', '/api/v1/auth/token').oneOf as Array<{ required: string[] }>;
      assert.deepEqual(pairs.map((branch) => branch.required), [['username', 'password'], ['key_id', 'secret']]);
      // A pair with a field of the other (a password beside a key_id) is refused by the schema too.
      assertRefused(await post('/api/v1/auth/token', { username: 'someone', password: 'whatever', key_id: 'key_x' }), 'body', /^takes only one of/);
      assertRefused(await post('/api/v1/auth/token', { username: 'someone' }), 'body', /^needs username and password, or key_id and secret$/);
      const login = await createLogin(t.souk, reseller.accountId);
      assertRefused(await post('/api/v1/auth/token', { ...login, key_id: reseller.keyId, secret: reseller.apiKey }), 'body', /^takes only one of/);
      assert.equal((await post('/api/v1/auth/token', login)).statusCode, 200);
      assert.equal((await post('/api/v1/auth/token', { key_id: reseller.keyId, secret: reseller.apiKey })).statusCode, 200);
    });

    test('a webhook ack names its event: event_id (or webhook_id, or id) is required by the schema', async () => {
      assert.deepEqual(bodySchema('post', '/api/v1/webhooks/ack').anyOf, [{ required: ['event_id'] }, { required: ['webhook_id'] }, { required: ['id'] }]);
      assert.deepEqual(bodySchema('post', '/v1/webhooks/ack').anyOf, bodySchema('post', '/api/v1/webhooks/ack').anyOf);
      assertRefused(await post('/api/v1/webhooks/ack', {}, bearer(reseller.apiKey)), 'body', /^needs event_id, or webhook_id, or id$/);
    });

    test('a coupon is a percent or an amount with its currency, never both', async () => {
      const kinds = bodySchema('post', '/admin/api/coupons').oneOf as Array<{ required: string[] }>;
      assert.deepEqual(kinds.map((branch) => branch.required), [['percent'], ['amount', 'currency']]);
      // A percent with an amount but no currency matches one set, yet gives a field of the other.
      assertRefused(await post('/admin/api/coupons', { code: 'HALF', percent: '10', amount: '5.00' }, bearer(t.adminKey)), 'body', /^takes only one of/);
      assertRefused(await post('/admin/api/coupons', { code: 'NOTHING' }, bearer(t.adminKey)), 'body', /^needs percent, or amount and currency$/);
      assertRefused(await post('/admin/api/coupons', { code: 'BOTH', percent: '10', amount: '5.00', currency: 'USD' }, bearer(t.adminKey)), 'body', /^takes only one of/);
      assert.equal((await post('/admin/api/coupons', { code: 'TENOFF', percent: '10' }, bearer(t.adminKey))).statusCode, 201);
    });

    test('shop registration states its e-mail form and password length, and refuses what breaks them', async () => {
      const schema = bodySchema('post', '/api/auth/register');
      assert.ok(new RegExp(schema.properties!.email!.pattern!).test(' Buyer@Example.com '));
      assert.equal(schema.properties!.password!.minLength, 10);
      const short = await post('/api/auth/register', { email: 'buyer@example.com', password: 'short' });
      assertRefused(short, 'password', /fewer than 10 characters/);
      assert.equal(short.json().success, false);
      assertRefused(await post('/api/auth/register', { email: 'not-an-address', password: 'long enough password' }), 'email', /^is not valid: An e-mail address/);
      assert.equal((await post('/api/auth/register', { email: ' Buyer@Example.com ', password: 'long enough password' })).statusCode, 200);
    });

    test('slugs, product codes, coupon codes, decimal strings and currency codes carry the patterns the core enforces', async () => {
      const category = bodySchema('post', '/admin/api/categories').properties!;
      const product = bodySchema('post', '/admin/api/products').properties!;
      const coupon = bodySchema('post', '/admin/api/coupons').properties!;
      assert.ok(fits(category.slug, 'gift-cards-2') && !fits(category.slug, 'Gift Cards') && !fits(category.slug, 'a--b'));
      assert.ok(fits(product.code, 'APP-10.v2') && !fits(product.code, '-APP') && !fits(product.code, 'APP 10'));
      assert.ok(fits(product.slug, 'app-10') && !fits(product.slug, 'app_10'));
      assert.ok(fits(product.price, '10.00') && fits(product.price, ' 5 ') && !fits(product.price, '1e3') && !fits(product.price, '-1') && !fits(product.price, '10,00'));
      assert.ok(fits(product.currency, 'usd') && !fits(product.currency, 'US') && !fits(product.currency, 'US$'));
      assert.ok(fits(coupon.code, 'SPRING_25') && !fits(coupon.code, 'no way'));
      assert.ok(fits(coupon.amount, '5.00') && !fits(coupon.amount, 'five'));
      const topUp = bodySchema('post', '/admin/api/accounts/{id}/wallets/topup').properties!;
      assert.ok(fits(topUp.amount, '-5.00') && !fits(topUp.amount, '5.'));
      assert.ok(fits(bodySchema('put', '/admin/api/fx-rates/{base}/{quote}').properties!.rate, '3.75') && !fits(bodySchema('put', '/admin/api/fx-rates/{base}/{quote}').properties!.rate, '3.75e0'));
      const fxParams = document.paths['/admin/api/fx-rates/{base}/{quote}']!.put!.parameters;
      assert.ok(fxParams.every((p) => fits(p.schema, 'sar') && !fits(p.schema, 'SARS')));
    });

    test('a body breaking a pattern is refused with the rule in words; what the core takes is still taken', async () => {
      const admin = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, payload, headers: bearer(t.adminKey) });
      assertRefused(await admin('POST', '/admin/api/categories', { slug: 'Gift Cards', name: 'Gift cards' }), 'slug', /^is not valid: A slug: lowercase letters and digits/);
      assertRefused(await admin('PUT', '/admin/api/fx-rates/usd/eur', { rate: '1e3' }), 'rate', /^is not valid: Units of quote per unit of base/);
      assertRefused(await admin('PUT', '/admin/api/fx-rates/us/eur', { rate: '0.9' }), 'base', /^is not valid: ISO 4217 code/);
      assert.equal((await admin('PUT', '/admin/api/fx-rates/usd/eur', { rate: '0.9' })).statusCode, 200);
      assert.equal((await admin('POST', '/admin/api/categories', { slug: 'gift-cards', name: 'Gift cards' })).statusCode, 201);
    });
  });
}

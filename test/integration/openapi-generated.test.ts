import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HTTPMethods } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { createApiKey, signBody } from '../../src/core/accounts/index.js';

// Requests generated from the OpenAPI document itself, for every operation: path and query
// parameters and bodies drawn from their schemas (with known ids, codes and slugs mixed in, and
// now and then a required field left out), sent with the credentials the operation's security
// names. startTestSouk checks every answer against the document (helpers/contract.ts): a listed
// status, a named content type, a body its schema accepts; and no answer is a 5xx.
// SOUK_TEST_FUZZ_RUNS and SOUK_TEST_FUZZ_SEED widen or replay a run.

const RUNS = Number(process.env.SOUK_TEST_FUZZ_RUNS ?? 12);
const SEED = process.env.SOUK_TEST_FUZZ_SEED === undefined ? undefined : Number(process.env.SOUK_TEST_FUZZ_SEED);

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  patternProperties?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Array<Record<string, string[]>>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** Values that exist, so generated requests also get past lookups. */
let known: string[] = [];

const branchesOf = (schema: Schema) => schema.anyOf ?? schema.oneOf;
const onlyRequired = (branches: Schema[]) => branches.every((b) => b.required && !b.type && !b.properties);

/** An arbitrary for values of `schema`: mostly valid ones, with known values mixed into text. */
function arbitraryOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = branchesOf(schema);
  if (branches && !onlyRequired(branches)) return fc.oneof(...branches.map((b) => arbitraryOf(b, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const generated =
        schema.format === 'date-time'
          ? fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
          : schema.format === 'email'
            ? fc.emailAddress()
            : schema.format === 'uri'
              ? fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:9/x')
              : schema.pattern
                ? fc.stringMatching(new RegExp(schema.pattern, 'u'))
                : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
      return fc.oneof({ weight: 3, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...known) });
    }
    case 'integer':
      return fc.oneof(fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 1_000_000, 1_000_000) }), fc.constantFrom(1, 2, 3));
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(arbitraryOf(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object':
      return objectOf(schema, depth);
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null));
  }
}

/** An object with its required fields (those of one of its alternative sets too) and some optional ones; now and then one is left out. */
function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant({});
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0 && schema.patternProperties) {
    const value = Object.values(schema.patternProperties)[0] ?? {};
    return fc.dictionary(fc.constantFrom('player_id', 'server', 'note'), arbitraryOf(value, depth + 1), { maxKeys: 2 });
  }
  const sets = branchesOf(schema)?.map((b) => b.required ?? []) ?? [[]];
  return fc
    .record({
      set: fc.constantFrom(...sets),
      values: fc.record(Object.fromEntries(properties.map(([name, property]) => [name, arbitraryOf(property, depth + 1)]))),
      include: fc.array(fc.boolean(), { minLength: properties.length, maxLength: properties.length }),
      drop: fc.option(fc.constantFrom(...properties.map(([name]) => name), undefined), { freq: 8 }),
    })
    .map(({ set, values, include, drop }) => {
      const required = new Set([...(schema.required ?? []), ...set]);
      const chosen: Record<string, unknown> = {};
      properties.forEach(([name], i) => {
        if ((required.has(name) || include[i]) && name !== drop) chosen[name] = (values as Record<string, unknown>)[name];
      });
      return chosen;
    });
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

for (const kind of DATABASE_KINDS) {
  describe(`requests generated from the OpenAPI document (${kind})`, () => {
    let t: TestSouk;
    let document: Document;
    let customerToken: string;
    let partner: { apiKey: string; secret: string };

    before(async () => {
      t = await startTestSouk(kind);
      document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
      const post = async (url: string, payload: object, headers: Record<string, string> = bearer(t.adminKey)) => {
        const res = await t.app.inject({ method: 'POST', url, headers, payload });
        assert.ok(res.statusCode < 300, `${url}: ${res.body}`);
        return res.json();
      };
      await post('/admin/api/categories', { slug: 'gift-cards', name: 'Gift cards' });
      const product = (await post('/admin/api/products', { code: 'APP-10', name: 'App card', price: '10.00', category: 'gift-cards' })).product;
      const reseller = await createReseller(t.souk);
      const signed = await createApiKey(t.souk.db, t.souk.box, { accountId: reseller.accountId, signed: true, requireSignature: true });
      partner = { apiKey: signed.apiKey, secret: signed.signingSecret! };
      customerToken = (await post('/api/auth/register', { email: 'generated@example.com', password: 'correct horse battery' }, {})).token;
      known = [String(product.id), product.code, product.slug, 'gift-cards', String(reseller.accountId), reseller.keyId, 'USD', 'EUR'];
    });
    after(() => t.close());

    test('every operation answers each generated request as its document says, never with a 5xx', async () => {
      let sent = 0;
      for (const [path, item] of Object.entries(document.paths)) {
        for (const method of HTTP_METHODS) {
          const operation = item[method];
          if (!operation) continue;
          const parameters = operation.parameters ?? [];
          const bodySchema = operation.requestBody?.content['application/json']?.schema;
          const request = fc.record({
            path: fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, arbitraryOf(p.schema)]))),
            query: fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, fc.option(arbitraryOf(p.schema), { freq: 2, nil: undefined })]))),
            body: bodySchema ? arbitraryOf(bodySchema) : fc.constant(undefined),
          });
          await fc.assert(
            fc.asyncProperty(request, async ({ path: values, query, body }) => {
              const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String((values as Record<string, unknown>)[name])));
              const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
              const payload = body === undefined ? undefined : JSON.stringify(body);
              const headers: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json' };
              if (path.startsWith('/v1/')) {
                Object.assign(headers, { 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': signBody(partner.secret, method === 'get' ? '' : (payload ?? '')) });
              } else if (path.startsWith('/api/') && !path.startsWith('/api/v1/')) {
                headers.authorization = `Bearer ${customerToken}`;
              } else if (operation.security?.length !== 0) {
                headers.authorization = `Bearer ${t.adminKey}`;
              }
              const fullUrl = `${url}${search.size > 0 ? `?${search}` : ''}`;
              // The contract check runs inside inject and throws on an answer the document does not allow.
              const res = await t.app.inject({ method: method.toUpperCase() as HTTPMethods, url: fullUrl, headers, ...(payload === undefined ? {} : { payload }) });
              sent++;
              assert.ok(res.statusCode < 500, `${method.toUpperCase()} ${fullUrl} ${payload ?? ''} answered ${res.statusCode}: ${res.body}`);
            }),
            { numRuns: RUNS, includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) },
          );
        }
      }
      assert.ok(sent >= 80 * RUNS, `only ${sent} requests sent`);
    });
  });
}

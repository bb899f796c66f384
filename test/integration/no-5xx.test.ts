import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { registeredRoutes, type RegisteredRoute } from '../helpers/routes.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { authenticateApiKey, createApiKey, signBody, signRequestV2 } from '../../src/core/accounts/index.js';

// Junk thrown at every route the server registered: path parameters, query strings, headers,
// credentials and bodies. Whatever arrives, the answer is never a 5xx, and every error is the
// envelope. SOUK_TEST_FUZZ_RUNS and SOUK_TEST_FUZZ_SEED replay or widen a run.

const RUNS = Number(process.env.SOUK_TEST_FUZZ_RUNS ?? 300);
const SEED = process.env.SOUK_TEST_FUZZ_SEED === undefined ? undefined : Number(process.env.SOUK_TEST_FUZZ_SEED);

// ---- what a request is made of (kept small and printable: big values are built at run time) ----

/** Something that exists, so junk also reaches the code behind a successful lookup. */
type Known = 'adminAccountId' | 'resellerAccountId' | 'resellerKeyId' | 'productId' | 'productCode' | 'categorySlug' | 'categoryId' | 'typeId';

type Segment =
  /** Put into the URL as written (already percent-encoded where needed). */
  | { raw: string }
  /** Percent-encoded as UTF-8 first. */
  | { text: string }
  | { known: Known }
  /** Whatever exists for this parameter of this route (the product for `/products/:ref`, …). */
  | { fitting: true }
  | { repeat: string; times: number };

type Who = 'admin' | 'reseller';

type Credential =
  | { kind: 'none' }
  /** The admin key on admin routes, the reseller key elsewhere. */
  | { kind: 'fitting' }
  | { kind: 'key'; who: Who; header: 'bearer' | 'bare' | 'x-api-key' | 'both'; mangle: 'none' | 'truncate' | 'append' | 'upper' | 'padded' }
  | { kind: 'token'; who: Who; bare: boolean }
  /** A key with a signing secret; the request is signed correctly (v2) unless junk signature headers override it. */
  | { kind: 'signed'; who: Who; requireSignature: boolean }
  | { kind: 'raw'; authorization?: string; apiKey?: string };

type Body =
  | { kind: 'none' }
  /** A valid body for the route, with some fields dropped or replaced by junk. */
  | { kind: 'fitting'; drop: string[]; junk: Record<string, unknown> }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'deep'; open: '[' | '{"a":'; depth: number }
  | { kind: 'huge'; fields: string[]; length: number };

type Query = { pairs: Array<[Segment, Segment]> } | { raw: string };

interface JunkRequest {
  target: { route: RegisteredRoute } | { prefix: string; segments: Segment[] };
  /** Another method than the route's, when set. */
  method: HTTPMethods | null;
  params: Segment[];
  /** For a wildcard (`*`) route: the rest of the path. */
  rest: Segment;
  query: Query;
  credential: Credential;
  /** Extra headers; `@now` and `@now+N` in a value become the current UNIX time (plus N). */
  headers: Record<string, string>;
  contentType: string | null;
  body: Body;
}

// ---- arbitraries ----

const JUNK_SEGMENTS = [
  '..', '.', '%2e%2e', '..%2F..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json', '%00', 'APP-10%00', 'a%00b',
  '%', '%Z', '%ZZ', '%C0%AF', '%FF%FE', '%ED%A0%80', '%F0%9F%92%A9', '%E2%80%AE', '%EF%BB%BF',
  '-1', '0', '1', '2', '01', '2147483647', '2147483648', '4294967296', '9007199254740991', '9007199254740993',
  '999999999999999', '1000000000000000', '99999999999999999999', '1e308', '1e309', '-0', '0x1F', '1.5', '+1', '%2B1', '١٢٣',
  'NaN', 'Infinity', 'null', 'undefined', 'true', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString',
  'APP-10', 'app-10', 'gift-cards', 'us', 'key_', 'key_000000000000000000', '%20', '%09', '+', '%2F', ';', '%3B', ',', '~', '*',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E', "'%20OR%20'1'='1", '%24%7Bjndi%3Aldap%3A%2F%2Fx%7D', '%0D%0ASet-Cookie:%20x=1',
];
const WILDCARD_SEGMENTS = [
  'swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'oauth2-redirect.html', 'index.html',
  '..%2F..%2Fpackage.json', '..%2f..%2f..%2fetc%2fpasswd', '%2Fetc%2Fpasswd', 'a/b/c', 'swagger-ui.css%00.png', 'nope.js', '',
];
const KNOWN: Known[] = ['adminAccountId', 'resellerAccountId', 'resellerKeyId', 'productId', 'productCode', 'categorySlug', 'categoryId', 'typeId'];

const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2147483647, 2147483648, 4294967296, 9007199254740991, 1e20, 1e308, -1e308, 5e-324, -0, 0.1, 1.005),
);

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...JUNK_SEGMENTS).map((raw) => ({ raw })) },
  { weight: 2, arbitrary: fc.constantFrom(...KNOWN).map((known) => ({ known })) },
  { weight: 5, arbitrary: fc.constant({ fitting: true as const }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', 'APP-10', 'gift-cards', 'key_'), fc.constantFrom('\u0000', '\u0001', '\u007f', '\uFFFF', '\uD800')).map(([a, b]) => ({ text: a + b })) },
  { weight: 2, arbitrary: fc.oneof(number.map(String), fc.bigInt().map(String)).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.record({ repeat: fc.constantFrom('a', '9', '%00', '%F0%9F%92%A9', '..%2F', '-'), times: fc.integer({ min: 100, max: 5000 }) }) },
);

/** What an HTTP parser lets through in a header value: tab, printable ASCII and the Latin-1 upper half. */
const headerText = fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));
const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 60 });
const jwtShaped = fc.tuple(base64url, base64url, base64url).map((parts) => parts.join('.'));

const GARBAGE_AUTHORIZATION = [
  '', ' ', 'Bearer', 'Bearer ', 'bearer   ', 'Basic dXNlcjpwYXNzd29yZA==', 'Token abc', 'Bearer sk_live_', 'Bearer sk_live_abcdef',
  `Bearer sk_live_${'A'.repeat(43)}`, `sk_live_${'x'.repeat(250)}`, 'Bearer a.b.c', 'Bearer aa.bb.cc', 'aa.bb.', 'Bearer Bearer sk_live_xxxxxxxxxxxx',
  // Tokens: alg "none" for user 1; HS256 for user 1e20 with a made-up signature; an RS256 header
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0eXAiOiJhY2Nlc3MiLCJ1c3IiOjF9.',
  'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJhY2Nlc3MiLCJ1c3IiOjFlMjB9.c2lnbmF0dXJl',
  'Bearer eyJhbGciOiJSUzI1NiJ9.e30.AAAA',
];

const credential: fc.Arbitrary<Credential> = fc.oneof(
  { weight: 20, arbitrary: fc.constant<Credential>({ kind: 'fitting' }) },
  { weight: 2, arbitrary: fc.constant<Credential>({ kind: 'none' }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('key' as const),
      who: fc.constantFrom<Who>('admin', 'admin', 'reseller'),
      header: fc.constantFrom('bearer' as const, 'bearer' as const, 'bare' as const, 'x-api-key' as const, 'both' as const),
      mangle: fc.oneof(
        { weight: 6, arbitrary: fc.constant('none' as const) },
        { weight: 1, arbitrary: fc.constantFrom('truncate' as const, 'append' as const, 'upper' as const, 'padded' as const) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('token' as const), who: fc.constantFrom<Who>('admin', 'reseller'), bare: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('signed' as const), who: fc.constantFrom<Who>('admin', 'reseller'), requireSignature: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('raw' as const),
        authorization: fc.oneof(fc.constantFrom(...GARBAGE_AUTHORIZATION), headerText, headerText.map((s) => `Bearer ${s}`), headerText.map((s) => `Bearer sk_live_${s}`), jwtShaped, jwtShaped.map((s) => `Bearer ${s}`)),
        apiKey: fc.oneof(fc.constantFrom('', 'sk_live_', `sk_live_${'B'.repeat(43)}`), headerText),
      },
      { requiredKeys: ['kind'] },
    ),
  },
);

/** Spellings of the JSON media type that clients really send. */
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8'];
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-16', 'APPLICATION/JSON', 'application/vnd.api+json',
  'application/merge-patch+json', 'application/jsonx', 'application/json-patch', 'text/json', 'text/plain', 'text/html',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/xml', '', ';', '*/*',
  'application/json; charset', 'application/json; boundary="', 'application/+json',
];

const junkHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'x-signature': fc.oneof(fc.constantFrom('', 'v2=', `v2=${'0'.repeat(64)}`, '0'.repeat(64), 'V2=ab', 'zz', `v2=${'f'.repeat(10_000)}`), headerText),
    'x-timestamp': fc.oneof(fc.constantFrom('', '0', '-1', '@now', '@now+100000', '@now-100000', '999999999999', '9999999999999', '1e9', ' 1 ', '@now.5'), headerText),
    'x-request-id': fc.oneof(fc.constantFrom('abc', 'a'.repeat(101), '../..', 'x y'), headerText),
    'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"x"', ',,,', '"', `"${'x'.repeat(2000)}"`), headerText),
    'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4', '::1', 'unknown', '999.999.999.999, 1.1.1.1'), headerText),
    'accept': fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*;q=0', ''),
    'content-length': fc.constantFrom('0', '1', '-1', 'abc', '99999999999', '1e3', ''),
    'transfer-encoding': fc.constantFrom('chunked', 'gzip', 'identity'),
  },
  { requiredKeys: [] },
);
/** Most requests keep their headers plain, so that junk elsewhere gets past authentication. */
const headers = fc.oneof({ weight: 4, arbitrary: fc.constant<Record<string, string>>({}) }, { weight: 1, arbitrary: junkHeaders });

const FIELD_NAMES = [
  'username', 'password', 'key_id', 'secret', 'refresh_token', 'name', 'kind', 'currency', 'credit_limit', 'rate_limit_per_minute',
  'status', 'scopes', 'label', 'signed', 'require_signature', 'slug', 'parent', 'position', 'code', 'description', 'price',
  'min_quantity', 'max_quantity', 'fulfillment', 'fields', 'category', 'type', 'en', 'ar', 'zh', 'pattern', 'max_length', 'required',
];
const JUNK_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', 'APP-10\u0000', 'gift-cards\u0000', '\uD800', '\uFEFF', '\u202E', '💩', 'x'.repeat(201), 'x'.repeat(10_001), '1.234', '1e5', '-5', '10.00', '0.1', '5',
  '1e309', '-1e309', 'Infinity', '-Infinity', 'NaN', '2147483648', '99999999999999999999', '0x10', ' 7 ',
  'USD', 'usd', 'JPY', 'KWD', 'ZZZ', 'US', 'USDD', 'active', 'inactive', 'archived', 'suspended', 'reseller', 'admin', 'partner',
  'customer', 'stock', 'upstream', 'manual', 'APP-10', 'app-10', 'gift-cards', 'us', 'catalog:read', 'orders:write', 'account:read',
  'player_id', '(a+)+$', '[', '^\\d+$', 'correct horse battery', 'sk_live_nope', 'key_nope', 'eyJhbGciOiJIUzI1NiJ9.e30.e30',
];

const junkValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...JUNK_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 3, arbitrary: number },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie('value'), { maxKeys: 3 }) },
  ),
})).value;

const INVALID_JSON = [
  '{', '}', '[', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '{"a":}', '{"a" 1}', '"unterminated', '\uFEFF{}', '{}garbage', '{}{}',
  '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"name":"x","name":"y"}', '\u0000', '   ',
  '{"price":1e999}', '{"price":-0}', '{"position":1.0}', '{"id":12345678901234567890123}', '0', '-', '[]', 'null', 'true', '""',
];

const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant('fitting' as const),
      drop: fc.subarray(FIELD_NAMES, { maxLength: 2 }),
      junk: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom(...FIELD_NAMES), junkValue, { maxKeys: 2 })),
    }),
  },
  { weight: 3, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): Body => ({ kind: 'json', value })) },
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), junkValue, { maxKeys: 7 }).map((value): Body => ({ kind: 'json', value })) },
  { weight: 2, arbitrary: fc.constantFrom(...INVALID_JSON).map((text): Body => ({ kind: 'text', text })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }).map((text): Body => ({ kind: 'text', text })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), open: fc.constantFrom('[' as const, '{"a":' as const), depth: fc.integer({ min: 100, max: 100_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), fields: fc.subarray(FIELD_NAMES, { minLength: 1, maxLength: 3 }), length: fc.integer({ min: 150, max: 1_200_000 }) }) },
);

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
const PATH_PREFIXES = ['', '/api/v1', '/api/v1/products', '/admin/api', '/admin/api/accounts', '/docs', '/docs/static', '/api', '/api/v2', '/metrics'];

function junkRequest(routes: RegisteredRoute[]): fc.Arbitrary<JunkRequest> {
  return fc.record({
    target: fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...routes).map((route) => ({ route })) },
      { weight: 1, arbitrary: fc.record({ prefix: fc.constantFrom(...PATH_PREFIXES), segments: fc.array(segment, { maxLength: 3 }) }) },
    ),
    method: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    params: fc.array(segment, { minLength: 3, maxLength: 3 }),
    rest: fc.oneof(fc.constantFrom(...WILDCARD_SEGMENTS).map((raw) => ({ raw })), segment),
    query: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ raw: '' }) },
      {
        weight: 4,
        arbitrary: fc.record({
          pairs: fc.array(
            fc.tuple(
              fc.oneof(fc.constantFrom('category', 'type', 'q', 'cursor', 'limit', 'lang', 'status', 'limit[]', 'lang[0]', '__proto__', 'constructor[prototype][x]', 'a[b][c]', '').map((raw) => ({ raw })), segment),
              fc.oneof(
                fc
                  // eyJhZnRlciI6LTF9 = {"after":-1}, eyJhZnRlciI6MWUzMDh9 = {"after":1e308}, bnVsbA = null, W10 = []
                  .constantFrom('', '-1', '0', '1', '1000', '1001', '1.5', '1e3', '1e309', 'Infinity', '-Infinity', 'NaN', 'true', 'en', 'ar', 'zz', 'EN', 'active', 'archived', 'eyJhZnRlciI6LTF9', 'eyJhZnRlciI6MWUzMDh9', 'bnVsbA', 'W10')
                  .map((raw) => ({ raw })),
                segment,
              ),
            ),
            { maxLength: 6 },
          ),
        }),
      },
      { weight: 1, arbitrary: fc.constantFrom('&&&', '==', '=', 'a', '%', '?', 'limit=1&limit=2', 'lang=en&lang=ar', `q=${'x'.repeat(5000)}`, 'a=%ZZ', '%00=%00').map((raw) => ({ raw })) },
    ),
    credential,
    headers,
    contentType: fc.oneof(
      { weight: 2, arbitrary: fc.constant(null) },
      { weight: 12, arbitrary: fc.constantFrom(...JSON_TYPES) },
      { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 1, arbitrary: headerText },
    ),
    body,
  });
}

// ---- turning a JunkRequest into a real request ----

/** Percent-encodes every byte of the UTF-8 text except the unreserved characters. */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What exists for a path parameter: the reseller's account for `/accounts/:id`, the product for `/products/:ref`, … */
function fittingParam(route: string, param: string, known: Record<Known, string>): string {
  if (param === 'idOrSlug') return known.productId;
  if (param === 'keyId') return known.resellerKeyId;
  if (route.includes('/category-types/')) return known.typeId;
  if (route.includes('/accounts/')) return known.resellerAccountId;
  if (route.includes('/categories/')) return known.categorySlug;
  return known.productCode;
}

function renderSegment(s: Segment, known: Record<Known, string>, fitting: string): string {
  if ('raw' in s) return s.raw;
  if ('text' in s) return percentEncode(s.text);
  if ('known' in s) return known[s.known];
  if ('fitting' in s) return percentEncode(fitting);
  return s.repeat.repeat(s.times);
}

/** Makes codes, slugs and usernames unique, so valid creations keep succeeding instead of conflicting. */
let serial = 0;

/** A valid body for each route that takes one. */
function fittingBody(route: string, who: Identities): Record<string, unknown> {
  const n = ++serial;
  switch (route) {
    case 'POST /api/v1/auth/token':
      return n % 2 ? { username: 'fuzz-admin', password: 'correct horse battery' } : { key_id: who.known.resellerKeyId, secret: who.resellerKey };
    case 'POST /api/v1/auth/refresh':
      return { refresh_token: who.refreshToken };
    case 'POST /admin/api/accounts':
      return { name: `Fuzz ${n}`, kind: 'partner', currency: 'EUR', credit_limit: '10.50', rate_limit_per_minute: 1000 };
    case 'PATCH /admin/api/accounts/:id':
      return { name: `Renamed ${n}`, status: 'active', credit_limit: 5, rate_limit_per_minute: null };
    case 'POST /admin/api/accounts/:id/users':
      return { username: `fuzz-${n}`, password: 'correct horse battery' };
    case 'POST /admin/api/accounts/:id/keys':
      return { scopes: ['catalog:read', 'account:read'], label: `key ${n}`, signed: true, require_signature: false };
    case 'POST /admin/api/categories':
      return { slug: `c-${n}`, name: { en: 'Category', ar: 'فئة' }, parent: 'gift-cards', position: 3 };
    case 'PATCH /admin/api/categories/:ref':
      return { name: 'Gift cards', position: 2 };
    case 'POST /admin/api/categories/:ref/types':
      return { slug: `t-${n}`, name: 'Type' };
    case 'POST /admin/api/products':
      return {
        code: `P-${n}`,
        name: { en: 'Product', zh: '产品' },
        description: 'A product',
        price: '1.25',
        currency: 'USD',
        min_quantity: 1,
        max_quantity: 10,
        status: 'active',
        fulfillment: 'manual',
        fields: ['player_id', { name: 'zone', label: 'Zone', pattern: '^[0-9]+$', max_length: 10, required: false }],
        category: 'gift-cards',
        type: 'us',
      };
    case 'POST /api/auth/register':
      return { email: `fuzz-${n}@example.com`, password: 'correct horse battery' };
    case 'POST /api/auth/login':
      return { email: 'fuzz-customer@example.com', password: 'correct horse battery' };
    case 'POST /api/orders':
      return { productId: who.known.productId, quantity: 1, contactEmail: 'fuzz@example.com', paymentMethod: n % 2 ? 'balance_cny' : 'balance_crypto' };
    case 'POST /api/orders/query':
      return { orderNo: 'SK-0000-0000-0000', email: 'fuzz@example.com' };
    case 'PATCH /admin/api/products/:ref':
      return { name: 'App card', price: '12.00', status: 'active', category: 'gift-cards', type: 'us' };
    // Unique bodies: seed 000 signs only the body, and a repeated (key, signature, second) is a replay.
    case 'POST /v1/orders':
      return { partner_order_id: `FZ-${n}`, flow_type: 'buy_direct_id', product_code: who.known.productCode, buyer: { name: 'Fuzz', email: 'fuzz@example.com' }, delivery_channel: 'api', fields: { player_id: 'p1' } };
    case 'POST /v1/webhooks/ack':
      return { event_id: `evt_${String(n).padStart(26, '0')}` };
    default:
      return {};
  }
}

function bodyText(b: Body, route: string, who: Identities): string | undefined {
  switch (b.kind) {
    case 'none':
      return undefined;
    case 'fitting': {
      const value = fittingBody(route, who);
      for (const field of b.drop) delete value[field];
      return JSON.stringify({ ...value, ...b.junk });
    }
    case 'text':
      return b.text;
    case 'json':
      return JSON.stringify(b.value) ?? 'null';
    case 'deep':
      return b.open.repeat(b.depth) + (b.open === '[' ? ']'.repeat(b.depth) : `1${'}'.repeat(b.depth)}`);
    case 'huge': {
      const text = 'é'.repeat(b.length);
      return JSON.stringify(Object.fromEntries(b.fields.map((f) => [f, text])));
    }
  }
}

interface Identities {
  known: Record<Known, string>;
  refreshToken: string;
  adminKey: string;
  resellerKey: string;
  /** A shop customer's token: the fitting credential on the shop profile (/api, not /api/v1). */
  customerToken: string;
  tokens: Record<Who, string>;
  signed: Record<Who, Record<'optional' | 'required', { apiKey: string; secret: string }>>;
}

interface BuiltRequest {
  method: HTTPMethods;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

function mangle(key: string, how: 'none' | 'truncate' | 'append' | 'upper' | 'padded'): string {
  switch (how) {
    case 'none':
      return key;
    case 'truncate':
      return key.slice(0, -1);
    case 'append':
      return `${key}x`;
    case 'upper':
      return key.toUpperCase();
    case 'padded':
      return `\t${key}  `;
  }
}

let lastPartnerStamp = 0;

function build(junk: JunkRequest, who: Identities): BuiltRequest {
  const render = (s: Segment, fitting = who.known.productCode) => renderSegment(s, who.known, fitting);
  let method: HTTPMethods;
  let url: string;
  const route = 'route' in junk.target ? junk.target.route.url : '';
  if ('route' in junk.target) {
    method = junk.method ?? junk.target.route.method;
    let i = 0;
    url = route.replace(/:([A-Za-z0-9_]+)|\*/g, (part, name: string | undefined) =>
      part === '*' ? render(junk.rest, 'swagger-ui.css') : render(junk.params[i++] ?? { raw: '' }, fittingParam(route, name ?? '', who.known)),
    );
  } else {
    method = junk.method ?? 'GET';
    url = [junk.target.prefix, ...junk.target.segments.map((s) => render(s))].join('/') || '/';
  }
  const query = 'raw' in junk.query ? junk.query.raw : junk.query.pairs.map(([k, v]) => `${render(k)}=${render(v)}`).join('&');
  if (query !== '') url += `?${query}`;

  const now = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(junk.headers)) {
    headers[name] = value.replace(/@now([+-]\d+)?/g, (_m, offset: string | undefined) => String(now + Number(offset ?? 0)));
  }
  if (junk.contentType !== null) headers['content-type'] = junk.contentType;
  const payload = bodyText(junk.body, `${method} ${route}`, who);

  const c = junk.credential;
  if (c.kind === 'fitting' && route.startsWith('/v1/')) {
    // Seed 000's profile takes only signed keys, in X-API-Key, signing the raw body.
    const key = who.signed.reseller.optional;
    headers['x-api-key'] = key.apiKey;
    // A second of its own for every request: the same body signed in the same second is a replay.
    lastPartnerStamp = Math.min(Math.max(now - 110, lastPartnerStamp + 1), now + 110);
    headers['x-timestamp'] ??= String(lastPartnerStamp);
    // Fastify reads no body on GET and HEAD, so the server checks those against the empty body.
    headers['x-signature'] ??= signBody(key.secret, method === 'GET' || method === 'HEAD' ? '' : (payload ?? ''));
  } else if (c.kind === 'fitting') {
    const shop = route.startsWith('/api/') && !route.startsWith('/api/v1/');
    headers.authorization = `Bearer ${route.startsWith('/admin/') ? who.adminKey : shop ? who.customerToken : who.resellerKey}`;
  } else if (c.kind === 'key') {
    const key = mangle(c.who === 'admin' ? who.adminKey : who.resellerKey, c.mangle);
    if (c.header === 'bearer' || c.header === 'both') headers.authorization = `Bearer ${key}`;
    if (c.header === 'bare') headers.authorization = key;
    if (c.header === 'x-api-key' || c.header === 'both') headers['x-api-key'] = key;
  } else if (c.kind === 'token') {
    headers.authorization = c.bare ? who.tokens[c.who] : `Bearer ${who.tokens[c.who]}`;
  } else if (c.kind === 'signed') {
    const key = who.signed[c.who][c.requireSignature ? 'required' : 'optional'];
    headers.authorization = `Bearer ${key.apiKey}`;
    // Sign what the server will see: the normalized path and query, and the body it keeps for JSON.
    const sent = new URL(url, 'http://localhost');
    headers['x-timestamp'] ??= String(now);
    headers['x-signature'] ??= signRequestV2(key.secret, headers['x-timestamp'], method, sent.pathname + sent.search, payload ?? '');
  } else if (c.kind === 'raw') {
    if (c.authorization !== undefined) headers.authorization = c.authorization;
    if (c.apiKey !== undefined) headers['x-api-key'] = c.apiKey;
  }
  return { method, url, headers, payload };
}

/** Why a response breaks the contract, or undefined when it keeps it. */
function contractBreach(request: BuiltRequest, res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) return `answered ${res.statusCode}`;
  if (res.statusCode < 400 || request.method === 'HEAD') return undefined;
  // Zid sends the merchant's browser back to this page: it answers a page, even to say why not.
  if (request.url.startsWith('/connect/zid/callback') && /^text\/html/.test(String(res.headers['content-type'])) && (res.statusCode === 400 || res.statusCode === 409)) return undefined;
  // A payment gateway is answered in its own words (Alipay the text `fail`, WeChat Pay its JSON) when its notification is refused.
  if (request.url.startsWith('/hooks/payments/') && res.statusCode === 400 && !/^application\/json/.test(String(res.headers['content-type'])) && res.body === 'fail') return undefined;
  if (!/^application\/json/.test(String(res.headers['content-type']))) return `error ${res.statusCode} is ${res.headers['content-type']}, not JSON`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return `error ${res.statusCode} body is not JSON`;
  }
  if (typeof parsed !== 'object' || parsed === null) return `error ${res.statusCode} body is not an object`;
  const e = parsed as Record<string, unknown>;
  if (e.ok !== false) return 'ok is not false';
  if (typeof e.error !== 'string' || e.error === '') return 'error is not a code';
  if (e.errorCode !== e.error) return 'errorCode differs from error';
  if (typeof e.message !== 'string' || e.message === '') return 'message is missing';
  if (typeof e.request_id !== 'string' || e.request_id === '') return 'request_id is missing';
  if (e.request_id !== res.headers['x-request-id']) return 'request_id differs from the X-Request-Id header';
  return undefined;
}

/**
 * A request that is right in every way the server checks before the route runs (the route's own
 * method, the right credential, no stray headers, JSON when there is a body) is never refused for
 * its credentials or its media type, whatever its parameters and body hold.
 */
function wellFormedRefusal(junk: JunkRequest, request: BuiltRequest, res: LightMyRequestResponse): string | undefined {
  if (!('route' in junk.target) || junk.method !== null || junk.credential.kind !== 'fitting' || Object.keys(junk.headers).length > 0) return undefined;
  if (junk.contentType === null ? request.payload !== undefined : !JSON_TYPES.includes(junk.contentType)) return undefined;
  // Alipay posts forms: its notification route takes nothing else (issue 18), so JSON there is 415.
  if (res.statusCode === 415 && !junk.target.route.url.startsWith('/hooks/payments/alipay')) return 'a JSON body was refused as an unsupported media type';
  // The token endpoints answer 401 to wrong credentials in the body.
  if ((res.statusCode === 401 || res.statusCode === 403) && !junk.target.route.url.startsWith('/api/v1/auth/')) return 'the right credential was refused';
  return undefined;
}

function describeRequest(request: BuiltRequest, res: LightMyRequestResponse): string {
  const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  return [
    `${request.method} ${clip(request.url, 300)}`,
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${clip(v, 200)}`),
    request.payload === undefined ? '(no body)' : `body: ${clip(request.payload)}`,
    `→ ${res.statusCode} ${String(res.headers['content-type'] ?? '')}`,
    clip(res.body),
  ].join('\n');
}

for (const kind of DATABASE_KINDS) {
  describe(`no 5xx for junk requests (${kind})`, () => {
    let t: TestSouk;
    let routes: RegisteredRoute[];
    let identities: Identities;

    before(async () => {
      t = await startTestSouk(kind);
      routes = registeredRoutes(t.app);
      const admin = await authenticateApiKey(t.souk.db, t.souk.box, t.adminKey);
      assert.ok(admin?.principal.keyId);
      const adminAccountId = admin.principal.accountId;
      const post = async (url: string, payload: object) => {
        const res = await t.app.inject({ method: 'POST', url, headers: bearer(t.adminKey), payload });
        assert.ok(res.statusCode < 300, `${url}: ${res.body}`);
        return res.json();
      };
      const category = (await post('/admin/api/categories', { slug: 'gift-cards', name: 'Gift cards' })).category;
      const type = (await post('/admin/api/categories/gift-cards/types', { slug: 'us', name: 'United States' })).type;
      const product = (await post('/admin/api/products', { code: 'APP-10', name: 'App card', price: '10.00', category: 'gift-cards', type: 'us', fields: ['player_id'] })).product;
      const reseller = await createReseller(t.souk);
      await createLogin(t.souk, adminAccountId, 'fuzz-admin');
      const token = async (payload: object) => (await post('/api/v1/auth/token', payload)) as { token: string; refresh_token: string };
      const signedKey = async (accountId: number, requireSignature: boolean) => {
        const key = await createApiKey(t.souk.db, t.souk.box, { accountId, signed: true, requireSignature });
        assert.ok(key.signingSecret);
        return { apiKey: key.apiKey, secret: key.signingSecret };
      };
      const resellerTokens = await token({ key_id: reseller.keyId, secret: reseller.apiKey });
      const customer = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'fuzz-customer@example.com', password: 'correct horse battery' } });
      assert.equal(customer.statusCode, 200, customer.body);
      identities = {
        known: {
          adminAccountId: String(adminAccountId),
          resellerAccountId: String(reseller.accountId),
          resellerKeyId: reseller.keyId,
          productId: String(product.id),
          productCode: product.code,
          categorySlug: category.slug,
          categoryId: String(category.id),
          typeId: String(type.id),
        },
        adminKey: t.adminKey,
        resellerKey: reseller.apiKey,
        customerToken: customer.json<{ token: string }>().token,
        tokens: {
          admin: (await token({ username: 'fuzz-admin', password: 'correct horse battery' })).token,
          reseller: resellerTokens.token,
        },
        // A login of its own: the fuzz sends this refresh token again and again, and a used one
        // revokes its family; the reseller's access token above must stay good.
        refreshToken: (await token({ key_id: reseller.keyId, secret: reseller.apiKey })).refresh_token,
        signed: {
          admin: { optional: await signedKey(adminAccountId, false), required: await signedKey(adminAccountId, true) },
          reseller: { optional: await signedKey(reseller.accountId, false), required: await signedKey(reseller.accountId, true) },
        },
      };
    });
    after(() => t.close());

    test('junk at every route (params, query, headers, credentials, body): never a 5xx, every error the envelope, well-formed requests never refused at the door', async (ctx) => {
      const statuses = new Map<number, number>();
      let accountsTouched = false;
      await fc.assert(
        fc.asyncProperty(junkRequest(routes), async (junk) => {
          // Junk may suspend or throttle the test's own accounts, or revoke their keys; undo that so
          // every run still gets past authentication.
          if (accountsTouched) {
            await t.souk.db.updateTable('accounts').set({ status: 'active', rate_limit_per_minute: null }).execute();
            await t.souk.db.updateTable('api_keys').set({ revoked_at: null }).execute();
          }
          const request = build(junk, identities);
          accountsTouched = !['GET', 'HEAD'].includes(request.method) && /\/(accounts|keys)\//.test(request.url);
          const res = await t.app.inject({ method: request.method, url: request.url, headers: request.headers, payload: request.payload });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const breach = contractBreach(request, res) ?? wellFormedRefusal(junk, request, res);
          assert.equal(breach, undefined, `${breach}:\n${describeRequest(request, res)}`);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
      ctx.diagnostic(`statuses: ${summary}`);
      // The junk must get past the front door often enough to mean something.
      const count = (matches: (status: number) => boolean) => [...statuses.entries()].filter(([s]) => matches(s)).reduce((n, [, c]) => n + c, 0);
      assert.ok(count((s) => s >= 200 && s < 300) > 0, `no request succeeded: ${summary}`);
      assert.ok(count((s) => s === 400) > 0, `no request reached validation: ${summary}`);
    });
  });
}

// The Zid simulator keeps the quirks of Zid's document that the connector depends on: the
// `Authorization` value arriving prefixed with "Bearer ", Store-Id everywhere but the profile,
// orders without products unless payload_type=default, absolute next URLs, refresh needing
// redirect_uri and rotating, invalid_grant, a strict sliding 60/min with Retry-After; and
// `souk zid simulate` starts it. No database is involved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startZidSimulator, type ZidSimulator, type ZidTokens } from '../fakes/zid/index.js';
import { SlidingWindowLimiter } from '../fakes/zid/limiter.js';
import { ROOT, START_CEILING_MS } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const SCOPE = 'products.read orders.read categories.read webhooks.read webhooks.write';

function authorizeUrl(sim: ZidSimulator, overrides: Record<string, string> = {}): string {
  const query = new URLSearchParams({ client_id: sim.clientId, redirect_uri: sim.redirectUri, response_type: 'code', scope: SCOPE, state: 'st-1', ...overrides });
  return `${sim.oauthUrl}/oauth/authorize?${query}`;
}

async function token(sim: ZidSimulator, fields: Record<string, string>, json = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const all = { client_id: sim.clientId, client_secret: sim.clientSecret, ...fields };
  const response = await fetch(`${sim.oauthUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(all) : new URLSearchParams(all).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Connects as Souk will: approval, then the code traded for tokens. */
async function connect(sim: ZidSimulator): Promise<ZidTokens> {
  const back = new URL(await sim.authorize(authorizeUrl(sim)));
  const traded = await token(sim, { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: sim.redirectUri });
  assert.equal(traded.status, 200, JSON.stringify(traded.body));
  return traded.body as unknown as ZidTokens;
}

function headersOf(tokens: ZidTokens, storeId = true): Record<string, string> {
  return { Authorization: tokens.Authorization, 'X-Manager-Token': tokens.access_token, 'Access-Token': tokens.access_token, ...(storeId ? { 'Store-Id': tokens.store_id } : {}) };
}

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> & { results: Array<Record<string, unknown>> } };
}

describe('Zid simulator', () => {
  let sim: ZidSimulator;
  let tokens: ZidTokens;
  before(async () => {
    sim = await startZidSimulator({ seed: true });
    tokens = await connect(sim);
  });
  after(() => sim.close());

  test('authorize checks the client and redirect URI, sends the state back, and can be denied', async () => {
    assert.equal((await fetch(authorizeUrl(sim, { client_id: 'someone-else' }), { redirect: 'manual' })).status, 401);
    assert.equal((await fetch(authorizeUrl(sim, { redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' })).status, 400);
    const approved = new URL(await sim.authorize(authorizeUrl(sim, { state: 'xyz' })));
    assert.equal(`${approved.origin}${approved.pathname}`, sim.redirectUri);
    assert.equal(approved.searchParams.get('state'), 'xyz');
    assert.ok(approved.searchParams.get('code'));
    assert.deepEqual(sim.approvedScopes, SCOPE.split(' '));
    sim.denyNextApproval();
    const denied = new URL(await sim.authorize(authorizeUrl(sim, { state: 'no' })));
    assert.equal(denied.search, '?error=access_denied&state=no');
  });

  test('the token answer is the document\'s shape, with Authorization already prefixed; codes are single-use and form-only', async () => {
    const back = new URL(await sim.authorize(authorizeUrl(sim)));
    const code = back.searchParams.get('code') ?? '';
    const asJson = await token(sim, { grant_type: 'authorization_code', code, redirect_uri: sim.redirectUri }, true);
    assert.equal(asJson.status, 400);
    assert.equal(asJson.body.error, 'invalid_request');
    const wrongSecret = await token(sim, { grant_type: 'authorization_code', code, redirect_uri: sim.redirectUri, client_secret: 'nope' });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    const traded = await token(sim, { grant_type: 'authorization_code', code, redirect_uri: sim.redirectUri });
    assert.equal(traded.status, 200);
    assert.deepEqual(Object.keys(traded.body), ['Authorization', 'access_token', 'refresh_token', 'token_type', 'expires_in', 'store_id', 'store_url']);
    assert.match(String(traded.body.Authorization), /^Bearer \S+$/);
    assert.notEqual(traded.body.Authorization, `Bearer ${traded.body.access_token}`);
    assert.equal(traded.body.expires_in, 31536000);
    assert.equal(traded.body.store_id, sim.storeId);
    const again = await token(sim, { grant_type: 'authorization_code', code, redirect_uri: sim.redirectUri });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  test('every API call needs the three token headers as given, and Store-Id except for the profile', async () => {
    const products = `${sim.apiUrl}/products/`;
    assert.equal((await get(products, headersOf(tokens))).status, 200);
    const doubled = await get(products, { ...headersOf(tokens), Authorization: `Bearer ${tokens.Authorization}` });
    assert.equal(doubled.status, 401);
    assert.equal((doubled.body.error as { code: string }).code, 'unauthorized');
    const { 'X-Manager-Token': _dropped, ...withoutManager } = headersOf(tokens);
    assert.equal((await get(products, withoutManager)).status, 401);
    const noStore = await get(products, headersOf(tokens, false));
    assert.equal(noStore.status, 400);
    assert.equal((noStore.body.error as { code: string }).code, 'store_id_required');
    const profile = await get(`${sim.apiUrl}/managers/account/profile`, headersOf(tokens, false));
    assert.equal(profile.status, 200);
    assert.deepEqual(Object.keys(profile.body), ['user', 'store']);
    assert.equal((profile.body.store as { currency: string }).currency, 'SAR');
    const narrow = sim.issueTokens(['products.read']);
    assert.equal((await get(`${sim.apiUrl}/managers/store/orders`, headersOf(narrow))).status, 403);
    const requests = JSON.stringify(sim.requests);
    for (const secret of [tokens.access_token, tokens.Authorization, tokens.refresh_token]) assert.ok(!requests.includes(secret), 'no token kept in the request log');
  });

  test('products page by absolute next URLs (at most 50 a page) and carry the document\'s quirks', async () => {
    sim.addProducts(100);
    const ids: number[] = [];
    const items: Array<Record<string, unknown>> = [];
    let url: string | null = `${sim.apiUrl}/products/?page_size=100&extended=true&ordering=updated_at`;
    let previous: unknown = 'unset';
    while (url) {
      const page = await get(url, headersOf(tokens));
      assert.equal(page.status, 200);
      assert.ok(page.body.results.length <= 50);
      assert.equal(page.body.count, sim.productCount());
      if (previous === 'unset') previous = page.body.previous;
      for (const item of page.body.results) {
        ids.push(item.id as number);
        items.push(item);
      }
      url = page.body.next as string | null;
      if (url) assert.ok(url.startsWith(`${sim.apiUrl}/products/?`), url);
    }
    assert.equal(previous, null);
    assert.equal(new Set(ids).size, sim.productCount());
    assert.ok(items.some((p) => typeof p.name === 'object') && items.some((p) => typeof p.name === 'string'), 'names a string or {en, ar}');
    assert.ok(items.some((p) => p.sale_price === null), 'a null sale_price');
    assert.ok(items.some((p) => p.is_infinite === true), 'is_infinite');
    assert.ok(items.some((p) => (p.stocks as unknown[]).length > 1), 'several stocks');
    assert.ok(items.some((p) => !('is_published' in p) && typeof p.status === 'string'), 'status instead of is_published');
    const detail = await get(`${sim.apiUrl}/products/${ids[0]}/`, headersOf(tokens));
    assert.ok('options' in detail.body && 'variants' in detail.body && 'metadata' in detail.body);
    const absent = await get(`${sim.apiUrl}/products/1/`, headersOf(tokens));
    assert.equal(absent.status, 404);
    assert.deepEqual(Object.keys(absent.body.error as object), ['code', 'message']);
  });

  test('orders come with their products only when payload_type=default', async () => {
    const [product] = sim.addProducts(1, { quirks: false });
    const order = sim.addOrder({ products: [{ id: product!.id, quantity: 2 }], payment_status: 'paid', customer: { email: 'buyer@example.com' } });
    const bare = await get(`${sim.apiUrl}/managers/store/orders?per_page=50`, headersOf(tokens));
    assert.ok(bare.body.results.length >= 3);
    assert.ok(bare.body.results.every((o) => !('products' in o)));
    const full = await get(`${sim.apiUrl}/managers/store/orders?payload_type=default&per_page=50`, headersOf(tokens));
    const listed = full.body.results.find((o) => o.id === order.id);
    assert.deepEqual(listed?.products, [{ id: product!.id, name: product!.name, quantity: 2, price: product!.sale_price }]);
    sim.setPaymentStatus(order.id, 'refunded');
    const view = await get(`${sim.apiUrl}/managers/store/orders/${order.id}/view`, headersOf(tokens));
    assert.equal(view.body.payment_status, 'refunded');
    assert.equal((view.body.customer as { email: string }).email, 'buyer@example.com');
    assert.equal((view.body.products as unknown[]).length, 1);
  });

  test('webhooks are registered from JSON and fired to their URLs, the object bare or wrapped', async () => {
    const received: unknown[] = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/zid/t0k3n`;
    try {
      const register = (body: string, type = 'application/json') =>
        fetch(`${sim.apiUrl}/managers/webhooks`, { method: 'POST', headers: { ...headersOf(tokens), 'content-type': type }, body });
      assert.equal((await register(new URLSearchParams({ url: hook, event: 'order.create', app_id: '1' }).toString(), 'application/x-www-form-urlencoded')).status, 400);
      assert.equal((await register(JSON.stringify({ url: hook, event: 'order.shipped', app_id: '1' }))).status, 400);
      const made = await register(JSON.stringify({ url: hook, event: 'order.create', app_id: '1' }));
      assert.equal(made.status, 200);
      assert.deepEqual(Object.keys((await made.json()) as object), ['id', 'url', 'event', 'created_at']);
      assert.equal((await get(`${sim.apiUrl}/managers/webhooks`, headersOf(tokens))).body.results.length, 1);
      const order = sim.order(456789)!;
      assert.deepEqual(await sim.fireWebhook('order.create', order.id), [{ url: hook, status: 200 }]);
      await sim.fireWebhook('order.create', order.id, { wrap: 'data' });
      assert.deepEqual(await sim.fireWebhook('product.update', 123456), []);
      assert.equal((received[0] as { id: number }).id, order.id);
      assert.deepEqual(received[1], { event: 'order.create', data: (received[0] as object) });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  test('injected faults answer instead, then the simulator answers again', async () => {
    sim.failNext({ path: /^\/v1\/products\/$/, status: 503, times: 2 });
    sim.failNext({ path: /^\/v1\/managers\/store\/categories$/, status: 200, body: '{"results": [' });
    assert.equal((await fetch(`${sim.apiUrl}/products/`, { headers: headersOf(tokens) })).status, 503);
    assert.equal((await fetch(`${sim.apiUrl}/products/`, { headers: headersOf(tokens) })).status, 503);
    assert.equal((await fetch(`${sim.apiUrl}/products/`, { headers: headersOf(tokens) })).status, 200);
    await assert.rejects((await fetch(`${sim.apiUrl}/managers/store/categories`, { headers: headersOf(tokens) })).json());
    assert.equal(sim.requests.filter((r) => r.injected).length, 3);
    assert.equal(sim.tooManyRequests, 0);
  });
});

describe('Zid simulator refresh', () => {
  test('a refresh needs redirect_uri, rotates the refresh token, and a revoked one is invalid_grant', async () => {
    // Its own simulator: expiring and revoking here must not touch the other tests' tokens.
    const sim = await startZidSimulator();
    try {
      const own = await connect(sim);
      const refresh = (fields: Record<string, string> = {}) => token(sim, { grant_type: 'refresh_token', refresh_token: own.refresh_token, ...fields });
      const missing = await refresh();
      assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
      const wrong = await refresh({ redirect_uri: 'https://elsewhere.example/cb' });
      assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_request']);
      sim.expireAccessTokens();
      assert.equal((await get(`${sim.apiUrl}/managers/account/profile`, headersOf(own))).status, 401);
      const renewed = await refresh({ redirect_uri: sim.redirectUri });
      assert.equal(renewed.status, 200);
      const fresh = renewed.body as unknown as ZidTokens;
      assert.notEqual(fresh.refresh_token, own.refresh_token);
      assert.equal((await get(`${sim.apiUrl}/managers/account/profile`, headersOf(fresh))).status, 200);
      const replayed = await refresh({ redirect_uri: sim.redirectUri });
      assert.deepEqual([replayed.status, replayed.body.error], [400, 'invalid_grant']);
      sim.revokeRefreshTokens();
      const revoked = await token(sim, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token, redirect_uri: sim.redirectUri });
      assert.equal(revoked.status, 400);
      assert.equal(revoked.body.error, 'invalid_grant');
      assert.equal(typeof revoked.body.error_description, 'string');
      const asked = sim.tokenRequests.filter((r) => r.grantType === 'refresh_token').map((r) => [r.redirectUri, r.status]);
      assert.deepEqual(asked, [[false, 400], [true, 400], [true, 200], [true, 400], [true, 400]]);
    } finally {
      await sim.close();
    }
  });
});

describe('Zid simulator rate limit', () => {
  test('the sliding window refuses a call when the last `limit` fell within any window, however the minutes fall', () => {
    const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 60_000 });
    for (const at of [0, 50_000, 59_000]) assert.deepEqual(limiter.take('s', at), { ok: true });
    assert.deepEqual(limiter.take('s', 59_999), { ok: false, retryAfterSeconds: 1 });
    assert.deepEqual(limiter.take('s', 60_000), { ok: true }); // the call at 0 has left the window
    assert.deepEqual(limiter.take('s', 61_000), { ok: false, retryAfterSeconds: 49 });
    assert.deepEqual(limiter.take('other', 61_000), { ok: true }); // per store
  });

  test('the call past the limit gets 429 with Retry-After and the error body, and is counted', async () => {
    const sim = await startZidSimulator({ limit: 5, windowMs: 1000 });
    try {
      const tokens = sim.issueTokens();
      const profile = () => fetch(`${sim.apiUrl}/managers/account/profile`, { headers: headersOf(tokens, false) });
      for (let i = 0; i < 5; i++) assert.equal((await profile()).status, 200);
      const refused = await profile();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'too_many_requests');
      assert.equal(sim.tooManyRequests, 1);
      await until(async () => (await profile()).status, (status) => status === 200, 'a slot frees once the window has slid');
    } finally {
      await sim.close();
    }
  });
});

describe('souk zid simulate', () => {
  test('starts a seeded simulator, prints the settings and a ready line, and answers', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/souk.js'), 'zid', 'simulate', '--port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const ready = await until(() => /Zid simulator ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output), (m) => m !== null || child.exitCode !== null, 'the ready line', START_CEILING_MS);
      assert.ok(ready, output);
      const base = ready[1]!;
      assert.match(output, new RegExp(`SOUK_ZID_OAUTH_URL=${base}\\n`));
      assert.match(output, new RegExp(`SOUK_ZID_API_URL=${base}/v1\\n`));
      assert.match(output, /SOUK_ZID_CLIENT_ID=\S+/);
      assert.match(output, /SOUK_ZID_CLIENT_SECRET=\S+/);
      const unauthenticated = await fetch(`${base}/v1/products/`);
      assert.equal(unauthenticated.status, 401);
      const placed = await fetch(`${base}/_sim/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"quantity": 1}' });
      assert.equal(placed.status, 200);
      assert.equal(((await placed.json()) as { order: { payment_status: string } }).order.payment_status, 'paid');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

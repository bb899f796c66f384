// Reading Zid's token answers and refusals (src/core/zid/tokens.ts, errors.ts) without a server:
// the prefixed Authorization kept as is, what a refresh answer may leave out, the authorize URL,
// and the two shapes of a refusal; Zid's words are redacted of every secret before they are shown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeUrl, tokensOf, ZID_SCOPES } from '../../src/core/zid/tokens.js';
import { redact, zidErrorOf } from '../../src/core/zid/errors.js';
import { isJsonType, retryAfterMs } from '../../src/core/zid/http.js';

const ANSWER = {
  Authorization: 'Bearer auth-token-1',
  access_token: 'manager-token-1',
  refresh_token: 'refresh-token-1',
  token_type: 'Bearer',
  expires_in: 31_536_000,
  store_id: 'store-123',
  store_url: 'https://store.zid.store',
};

describe('Zid token answers', () => {
  test('the Authorization value is kept exactly as Zid sent it, already prefixed', () => {
    const before = Date.now();
    const tokens = tokensOf(ANSWER);
    assert.ok(typeof tokens === 'object');
    assert.deepEqual({ ...tokens, expiresAt: undefined }, {
      authorization: 'Bearer auth-token-1',
      managerToken: 'manager-token-1',
      refreshToken: 'refresh-token-1',
      expiresAt: undefined,
      zidStoreId: 'store-123',
      storeUrl: 'https://store.zid.store',
    });
    const expires = Date.parse(tokens.expiresAt!);
    assert.ok(expires >= before + 31_536_000_000 && expires <= Date.now() + 31_536_000_000);
  });

  test('a bare Authorization gets its Bearer scheme once; a numeric store_id becomes text', () => {
    const tokens = tokensOf({ ...ANSWER, Authorization: 'auth-token-1', store_id: 42 });
    assert.ok(typeof tokens === 'object');
    assert.equal(tokens.authorization, 'Bearer auth-token-1');
    assert.equal(tokens.zidStoreId, '42');
  });

  test('no expires_in: no expiry', () => {
    const tokens = tokensOf({ ...ANSWER, expires_in: undefined });
    assert.ok(typeof tokens === 'object');
    assert.equal(tokens.expiresAt, null);
  });

  test('a refresh answer without store_id or store_url keeps the previous ones', () => {
    const tokens = tokensOf({ ...ANSWER, store_id: undefined, store_url: undefined }, { zidStoreId: 'store-9', storeUrl: 'https://nine.zid.store' });
    assert.ok(typeof tokens === 'object');
    assert.deepEqual([tokens.zidStoreId, tokens.storeUrl], ['store-9', 'https://nine.zid.store']);
  });

  test('missing tokens are named, never their values', () => {
    const missing = tokensOf({ ...ANSWER, access_token: '', refresh_token: undefined, store_id: null });
    assert.equal(missing, 'the token answer lacks access_token, refresh_token, store_id');
    assert.equal(tokensOf(['Bearer x']), 'the answer is not a JSON object');
    const noAuthorization = tokensOf({ ...ANSWER, Authorization: undefined });
    assert.equal(typeof noAuthorization, 'string');
    assert.doesNotMatch(String(noAuthorization), /manager-token-1|refresh-token-1/);
  });
});

describe('Zid authorize URL', () => {
  test('carries client_id, redirect_uri, response_type=code, the scopes space-separated and the state', () => {
    const url = new URL(authorizeUrl({ clientId: 'app-1', clientSecret: 's3cret-value', redirectUri: 'https://souk.example/connect/zid/callback', oauthUrl: 'https://oauth.zid.sa/' }, 'state-abc', ZID_SCOPES));
    assert.equal(url.origin + url.pathname, 'https://oauth.zid.sa/oauth/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      client_id: 'app-1',
      redirect_uri: 'https://souk.example/connect/zid/callback',
      response_type: 'code',
      scope: 'products.read orders.read categories.read webhooks.read webhooks.write',
      state: 'state-abc',
    });
    assert.doesNotMatch(url.toString(), /s3cret-value/);
  });
});

describe('Zid refusals', () => {
  test("Zid's envelope, OAuth's pair, and a bare message are all read", () => {
    assert.deepEqual(zidErrorOf({ error: { code: 'invalid_parameters', message: 'The provided parameters are invalid' } }), { code: 'invalid_parameters', message: 'The provided parameters are invalid' });
    assert.deepEqual(zidErrorOf({ error: 'invalid_grant', error_description: 'expired' }), { code: 'invalid_grant', message: 'expired' });
    assert.deepEqual(zidErrorOf({ detail: 'Not found.' }), { code: undefined, message: 'Not found.' });
    assert.deepEqual(zidErrorOf('<html>'), { code: undefined, message: '' });
  });

  test('redaction removes each secret, with or without its Bearer scheme, and cuts long text', () => {
    const text = redact('token Bearer abcdef123 and abcdef123 and mgr-999 in it', ['Bearer abcdef123', 'mgr-999', undefined, '']);
    assert.equal(text, 'token [redacted] and [redacted] and [redacted] in it');
    assert.ok(redact('x'.repeat(500), []).length <= 201);
  });
});

describe('Zid answers: Retry-After and content types', () => {
  test('Retry-After in seconds or as a date, capped; absent or unreadable is undefined', () => {
    assert.equal(retryAfterMs('60', 120_000), 60_000);
    assert.equal(retryAfterMs('0', 120_000), 0);
    assert.equal(retryAfterMs('99999', 120_000), 120_000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = retryAfterMs(inTenSeconds, 120_000)!;
    assert.ok(fromDate > 8_000 && fromDate <= 10_000, String(fromDate));
    assert.equal(retryAfterMs(null, 120_000), undefined);
    assert.equal(retryAfterMs('soon', 120_000), undefined);
  });

  test('JSON is application/json or application/*+json, with or without parameters', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/problem+json']) assert.ok(isJsonType(type), type);
    for (const type of ['', 'text/html', 'text/json', 'application/jsonp', 'application/x-json-stream']) assert.ok(!isJsonType(type), type);
  });
});

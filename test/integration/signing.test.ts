import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';

const now = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

for (const kind of DATABASE_KINDS) {
  describe(`request signing (${kind})`, () => {
    let t: TestSouk;
    let signed: TestReseller;
    let required: TestReseller;
    let unsignedKey: TestReseller;

    before(async () => {
      t = await startTestSouk(kind);
      // Admin keys, so a state-changing route (creating a category) is at hand to sign.
      signed = await createReseller(t.souk, { kind: 'admin', signed: true });
      required = await createReseller(t.souk, { kind: 'admin', requireSignature: true });
      unsignedKey = await createReseller(t.souk, { kind: 'admin' });
    });
    after(() => t.close());

    let serial = 0;
    /** A fresh category body each call, so a request that gets through answers 201. */
    const newBody = () => JSON.stringify({ slug: `signed-${++serial}`, name: 'Signed' });
    function send(key: TestReseller, body: string, headers: Record<string, string>) {
      return t.app.inject({ method: 'POST', url: '/admin/api/categories', headers: { ...bearer(key.apiKey), 'content-type': 'application/json', ...headers }, payload: body });
    }
    /** v2: the signature covers time, method, path and body. */
    const v2 = (key: TestReseller, body: string, ts = String(now()), path = '/admin/api/categories') => ({
      'x-signature': 'v2=' + hmac(key.signingSecret!, `${ts}.POST.${path}.${body}`),
      'x-timestamp': ts,
    });
    const passed = (response: Awaited<ReturnType<typeof send>>) => assert.equal(response.statusCode, 201, response.body);
    async function expectRejected(response: Awaited<ReturnType<typeof send>>, message: RegExp) {
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error, 'unauthorized');
      assert.match(response.json().message, message);
    }

    test('a seed 000 signature (hex HMAC of the raw body) passes on a request idempotent by nature (an ack)', async () => {
      const body = JSON.stringify({ event_id: 'evt_unknown' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks/ack',
        headers: { ...bearer(signed.apiKey), 'content-type': 'application/json', 'x-signature': hmac(signed.signingSecret!, body), 'x-timestamp': String(now()) },
        payload: body,
      });
      assert.equal(res.statusCode, 404, `past the signature check to the route: ${res.body}`);
    });

    test('a seed 000 signature on a state-changing request that names no reference of its own is refused, pointing to v2', async () => {
      const body = newBody();
      await expectRejected(await send(signed, body, { 'x-signature': hmac(signed.signingSecret!, body), 'x-timestamp': String(now()) }), /cover the body only.*v2=/);
      assert.equal((await t.souk.db.selectFrom('categories').select('id').where('slug', '=', `signed-${serial}`).execute()).length, 0);
    });

    test('the v2 signature over timestamp, method, path and body passes', async () => {
      const body = newBody();
      const ts = String(now());
      const sig = 'v2=' + hmac(signed.signingSecret!, `${ts}.POST./admin/api/categories.${body}`);
      passed(await send(signed, body, { 'x-signature': sig, 'x-timestamp': ts }));
    });

    test('a signed GET passes on a route with no body, and repeating it is not a replay', async () => {
      const ts = String(now());
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({ url: '/api/v1/me', headers: { ...bearer(signed.apiKey), 'x-signature': hmac(signed.signingSecret!, ''), 'x-timestamp': ts } });
        assert.equal(res.statusCode, 200, res.body);
      }
    });

    test('a wrong signature is refused and says so', async () => {
      const body = newBody();
      await expectRejected(await send(signed, body, { 'x-signature': hmac('wrong secret', body), 'x-timestamp': String(now()) }), /X-Signature does not match/);
      await expectRejected(await send(signed, body, { 'x-signature': hmac(signed.signingSecret!, body + ' '), 'x-timestamp': String(now()) }), /does not match/);
      const ts = String(now());
      const otherPath = 'v2=' + hmac(signed.signingSecret!, `${ts}.POST./admin/api/products.${body}`);
      await expectRejected(await send(signed, body, { 'x-signature': otherPath, 'x-timestamp': ts }), /does not match/);
    });

    test('stale and future timestamps are refused with the drift named', async () => {
      const body = newBody();
      const sig = hmac(signed.signingSecret!, body);
      await expectRejected(await send(signed, body, { 'x-signature': sig, 'x-timestamp': String(now() - 121) }), /s old; the allowed drift is 120 s/);
      await expectRejected(await send(signed, body, { 'x-signature': sig, 'x-timestamp': String(now() + 300) }), /in the future/);
      await expectRejected(await send(signed, body, { 'x-signature': sig, 'x-timestamp': 'yesterday' }), /UNIX time in seconds/);
    });

    test('a missing signature or timestamp header is named', async () => {
      const body = newBody();
      await expectRejected(await send(signed, body, { 'x-timestamp': String(now()) }), /Missing X-Signature/);
      await expectRejected(await send(signed, body, { 'x-signature': hmac(signed.signingSecret!, body) }), /Missing X-Timestamp/);
    });

    test('a repeated v2 request without a reference of its own, inside the window, is a replay', async () => {
      const body = newBody();
      const headers = v2(signed, body);
      passed(await send(signed, body, headers));
      await expectRejected(await send(signed, body, headers), /replay/);
      // Signed again at another second, it is a new request and reaches the route, which refuses
      // the duplicate slug on its own. (A second before the first one's, not now() - 1: the clock
      // may have ticked since, and then that is the first one's second again.)
      const later = await send(signed, body, v2(signed, body, String(Number(headers['x-timestamp']) - 1)));
      assert.equal(later.statusCode, 409);
    });

    test('concurrent copies of one signed request: exactly one gets through', async () => {
      const body = newBody();
      const headers = v2(signed, body);
      const results = await Promise.all(Array.from({ length: 10 }, () => send(signed, body, headers)));
      const created = results.filter((r) => r.statusCode === 201);
      const replays = results.filter((r) => r.statusCode === 401 && /replay/.test(r.json().message));
      assert.equal(created.length, 1);
      assert.equal(replays.length, 9);
    });

    test('a key that requires signatures refuses unsigned requests; others accept them', async () => {
      await expectRejected(await send(required, newBody(), {}), /requires signed requests/);
      const body = newBody();
      passed(await send(required, body, v2(required, body)));
      passed(await send(signed, newBody(), {}));
      passed(await send(unsignedKey, newBody(), {}));
    });

    test('signature headers on a key without a signing secret are refused', async () => {
      const body = newBody();
      await expectRejected(await send(unsignedKey, body, { 'x-signature': hmac('guess', body), 'x-timestamp': String(now()) }), /no signing secret/);
    });

    test('the signing secret is sealed at rest, not stored in plaintext', async () => {
      const row = await t.souk.db.selectFrom('api_keys').select('signing_secret_enc').where('id', '=', signed.keyId).executeTakeFirstOrThrow();
      assert.ok(row.signing_secret_enc);
      assert.ok(!row.signing_secret_enc.includes(signed.signingSecret!));
      assert.match(row.signing_secret_enc, new RegExp(`^${t.souk.box.keyId}\\.`));
    });
  });
}

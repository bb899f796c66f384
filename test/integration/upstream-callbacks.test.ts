// POST /upstream/callbacks/{provider}: a provider's callback is verified by its dialect with the
// provider's secret before anything is done; a verified one only hurries the order's run (or a
// sync), a forged or tampered one is 401 and logged in the API failures, and a provider that
// takes no callbacks, or none at all, is 404. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { assertError } from '../helpers/envelope.js';

const SECRET = randomBytes(24);

/** A callback as another Souk signs it (Standard Webhooks: `v1,` HMAC-SHA256 of "id.timestamp.body"). */
function signed(body: string, secret = SECRET) {
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

for (const kind of DATABASE_KINDS) {
  describe(`upstream callbacks (${kind})`, () => {
    let t: TestSouk;
    let soukProvider = 0;
    let storeProvider = 0;

    before(async () => {
      t = await startTestSouk(kind);
      soukProvider = (await t.souk.upstream.add({ name: 'Souk A', url: 'https://a.example.com/api/v1', dialect: 'souk', key: 'sk_live_a', secret: `whsec_${SECRET.toString('base64')}` })).id;
      storeProvider = (await t.souk.upstream.add({ name: 'Store', url: 'https://store.example.com/api/v1', dialect: 'store', key: 'sk_live_s' })).id;
    });
    after(() => t?.close());

    const orderEvent = (reference: string) => JSON.stringify({ id: 'evt_1', type: 'order.fulfilled', created_at: '2026-12-02T10:00:00Z', data: { order: { order_id: 'X', client_order_id: reference, status: 'fulfilled' } } });

    test('a callback signed with the provider’s secret is taken: 200, it names an order, and nothing is logged as failed', async () => {
      const body = orderEvent('01JORDERREFERENCE0000000000');
      const res = await t.app.inject({ method: 'POST', url: `/upstream/callbacks/${soukProvider}`, headers: signed(body), payload: body });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { ok: true, kind: 'order' });
      assert.equal((await t.souk.db.selectFrom('api_failures').select('id').where('provider_id', '=', soukProvider).execute()).length, 0);
    });

    test('a tampered callback, or one signed with another secret, is 401 and logged as a failed callback', async () => {
      const body = orderEvent('01JORDERREFERENCE0000000001');
      const tampered = await t.app.inject({ method: 'POST', url: `/upstream/callbacks/${soukProvider}`, headers: signed(body), payload: body.replace('fulfilled', 'rejected') });
      assertError(tampered, 401, 'unauthorized');
      const forged = await t.app.inject({ method: 'POST', url: `/upstream/callbacks/${soukProvider}`, headers: signed(body, randomBytes(24)), payload: body });
      assertError(forged, 401, 'unauthorized');
      const rows = await t.souk.db.selectFrom('api_failures').select(['operation', 'error_code']).where('provider_id', '=', soukProvider).execute();
      assert.deepEqual(rows, [{ operation: 'callback', error_code: 'bad_signature' }, { operation: 'callback', error_code: 'bad_signature' }]);
    });

    test('a provider whose dialect takes no callbacks, or no such provider, is 404', async () => {
      const body = orderEvent('01JORDERREFERENCE0000000002');
      assertError(await t.app.inject({ method: 'POST', url: `/upstream/callbacks/${storeProvider}`, headers: signed(body), payload: body }), 404, 'not_found');
      assertError(await t.app.inject({ method: 'POST', url: '/upstream/callbacks/999999', headers: signed(body), payload: body }), 404, 'not_found');
    });
  });
}

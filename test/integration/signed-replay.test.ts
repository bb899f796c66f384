// A captured signed request buys nothing. Seed 000's scheme signs the body only: an attacker who
// saw one request can send its body again with any X-Timestamp, to any path, with any header.
// Each test replays a captured request the way an attacker would and counts orders and money.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';

const now = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

for (const kind of DATABASE_KINDS) {
  describe(`captured signed requests (${kind})`, () => {
    let t: TestSouk;
    let partner: TestReseller;
    let productId: number;

    before(async () => {
      t = await startTestSouk(kind);
      partner = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Partner' });
      await fund(t.souk, partner.accountId, 100_000);
      productId = await stockedProduct(t.souk, { code: 'REPLAY-5', price: '5.00' }, 50);
    });
    after(() => t.close());

    const ordersOf = async () => (await t.souk.db.selectFrom('orders').select('id').where('account_id', '=', partner.accountId).execute()).length;

    function post(path: string, body: string, headers: Record<string, string>) {
      return t.app.inject({ method: 'POST', url: path, headers: { 'x-api-key': partner.apiKey, 'content-type': 'application/json', ...headers }, payload: body });
    }
    const v1 = (body: string, ts: number) => ({ 'x-signature': hmac(partner.signingSecret!, body), 'x-timestamp': String(ts) });
    const v2 = (path: string, body: string, ts: number) => ({ 'x-signature': 'v2=' + hmac(partner.signingSecret!, `${ts}.POST.${path}.${body}`), 'x-timestamp': String(ts) });

    test('a captured seed 000 order body without a reference of its own places nothing, at any timestamp', async () => {
      const before = await ordersOf();
      const body = JSON.stringify({ item_id: productId, quantity: 1 });
      const ts = now();
      for (const stamp of [ts, ts - 1, ts - 2]) {
        const res = await post('/api/v1/orders', body, v1(body, stamp));
        assert.equal(res.statusCode, 401, res.body);
        assert.match(res.json().message, /v2/);
      }
      assert.equal(await ordersOf(), before);
    });

    test('a seed 000 order with an Idempotency-Key header only is refused: no scheme signs the header', async () => {
      const before = await ordersOf();
      const body = JSON.stringify({ item_id: productId, quantity: 1 });
      for (const key of ['first-key', 'attacker-key']) {
        const res = await post('/api/v1/orders', body, { ...v1(body, now()), 'idempotency-key': key });
        assert.equal(res.statusCode, 401, res.body);
      }
      assert.equal(await ordersOf(), before);
    });

    test('a captured partner order replayed with three new timestamps places one order and charges once', async () => {
      const before = await ordersOf();
      const balance = await balanceOf(t.souk, partner.accountId);
      const body = JSON.stringify({ partner_order_id: 'CAPTURED-1', flow_type: 'buy_direct_id', product_code: 'REPLAY-5', buyer: { name: 'B', email: 'b@example.com' } });
      const ts = now();
      const answers = [];
      for (const stamp of [ts, ts, ts - 1, ts - 2]) answers.push(await post('/v1/orders', body, v1(body, stamp)));
      for (const res of answers) assert.equal(res.statusCode, 200, res.body);
      const ids = new Set(answers.map((r) => r.json().order.order_id));
      assert.equal(ids.size, 1, 'every replay answers the first order');
      assert.deepEqual(answers.map((r) => r.json().replayed), [false, true, true, true]);
      assert.deepEqual(answers[3]!.json().order, answers[0]!.json().order, 'a byte-identical retry gets the original answer');
      assert.equal(await ordersOf(), before + 1);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance - 500);
    });

    test('a captured canonical order with client_order_id, replayed, repeats only its answer', async () => {
      const before = await ordersOf();
      const body = JSON.stringify({ product: 'REPLAY-5', client_order_id: 'CAPTURED-2' });
      const ts = now();
      const first = await post('/api/v1/orders', body, v1(body, ts));
      const again = await post('/api/v1/orders', body, v1(body, ts - 5));
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().order_id, first.json().order_id);
      assert.equal(await ordersOf(), before + 1);
    });

    test('a captured body sent to another path gains nothing: cancelling an order needs v2', async () => {
      const placed = await post('/api/v1/orders', JSON.stringify({ product: 'REPLAY-5', client_order_id: 'VICTIM-1' }), v1(JSON.stringify({ product: 'REPLAY-5', client_order_id: 'VICTIM-1' }), now()));
      assert.equal(placed.statusCode, 200, placed.body);
      const captured = JSON.stringify({ event_id: 'evt_whatever' });
      const res = await post(`/api/v1/orders/${placed.json().order_id}/cancel`, captured, v1(captured, now()));
      assert.equal(res.statusCode, 401, res.body);
      const order = await t.souk.db.selectFrom('orders').select('status').where('id', '=', placed.json().order_id).executeTakeFirstOrThrow();
      assert.equal(order.status, 'fulfilled');
    });

    test('a v2 retry with its Idempotency-Key gets the first answer; the same signature with another key or none is a replay', async () => {
      const before = await ordersOf();
      const path = '/api/v1/orders';
      const body = JSON.stringify({ product: 'REPLAY-5' });
      const headers = v2(path, body, now());
      const first = await post(path, body, { ...headers, 'idempotency-key': 'v2-key-1' });
      assert.equal(first.statusCode, 200, first.body);
      const retry = await post(path, body, { ...headers, 'idempotency-key': 'v2-key-1' });
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().order_id, first.json().order_id);
      assert.equal(retry.json().replayed, true);
      const swapped = await post(path, body, { ...headers, 'idempotency-key': 'attacker-key' });
      assert.equal(swapped.statusCode, 401, swapped.body);
      assert.match(swapped.json().message, /replay/);
      const bare = await post(path, body, headers);
      assert.equal(bare.statusCode, 401, bare.body);
      assert.equal(await ordersOf(), before + 1);
    });

    test('two signed reads in one second both work', async () => {
      const ts = String(now());
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({ url: '/v1/products', headers: { 'x-api-key': partner.apiKey, 'x-timestamp': ts, 'x-signature': hmac(partner.signingSecret!, '') } });
        assert.equal(res.statusCode, 200, res.body);
      }
    });
  });
}

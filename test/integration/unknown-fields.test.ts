// The canonical API refuses what it does not understand on a paid route: a misspelt or unknown
// field on POST /api/v1/orders is 400 naming it, never an order placed without it. The seed
// profiles keep taking the extra fields their documents' clients send. GET /api/v1/orders takes
// the product as POST /orders does: an id, a code or a slug.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';

for (const kind of DATABASE_KINDS) {
  describe(`unknown fields and product references on /api/v1 (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let productId: number;
    const order = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload });
    const orderCount = async () => Number((await t.souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk, { name: 'Careful buyer' });
      productId = await stockedProduct(t.souk, { code: 'UF-CARD', slug: 'uf-gift-card', price: '2.00', fields: [{ name: 'player_id', required: false }] }, 40);
      await stockedProduct(t.souk, { code: 'UF-OTHER', price: '1.00' }, 5);
      await fund(t.souk, buyer.accountId, 10_000);
    });
    after(() => t.close());

    test('POST /api/v1/orders with an unknown field (qty for quantity) is 400 naming it and buys nothing', async () => {
      const before = { balance: await balanceOf(t.souk, buyer.accountId), orders: await orderCount() };
      for (const [payload, field] of [
        [{ item_id: productId, qty: 3 }, 'qty'],
        [{ item_id: productId, player_id: 'user@example.com', quantity: 2, Quantity: 3 }, 'Quantity'],
        [{ product: 'UF-CARD', buyer: { name: 'Rahim', phone: '+8801700000000' } }, 'buyer.phone'],
      ] as const) {
        const res = await order(payload);
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json();
        assert.equal(body.error, 'validation');
        assert.equal(body.errorCode, 'validation');
        assert.deepEqual(body.fields.map((f: { field: string }) => f.field), [field], JSON.stringify(payload));
        assert.match(body.message, new RegExp(field.replace('.', '\\.')));
      }
      // A quantity sent as text is refused too, not read as a number.
      for (const quantity of ['3', '1', true, [2]]) {
        const res = await order({ item_id: productId, quantity });
        assert.equal(res.statusCode, 400, `${JSON.stringify(quantity)}: ${res.body}`);
        assert.equal(res.json().error, 'validation');
        assert.deepEqual(res.json().fields.map((f: { field: string }) => f.field), ['quantity']);
      }
      assert.equal(await balanceOf(t.souk, buyer.accountId), before.balance);
      assert.equal(await orderCount(), before.orders);
      // What the documents' clients send still buys.
      const ok = await order({ item_id: productId, player_id: 'user@example.com', checkout: { cf_server: 'eu' }, quantity: 2 });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().order.quantity, 2);
    });

    test('the seed profiles keep accepting the extra fields their clients send (/v1 seed 000, /api seed 004)', async () => {
      // Seed 000: the document's body plus a field of the partner's own, signed as the document says.
      const partner = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Partner' });
      await fund(t.souk, partner.accountId, 1_000);
      const raw = JSON.stringify({
        partner_order_id: 'UF-1',
        flow_type: 'buy_direct_id',
        product_code: 'UF-OTHER',
        buyer: { name: 'Rahim Uddin', email: 'rahim@example.com', phone: '+8801700000000' },
        delivery_channel: 'gmail_transfer',
        note: 'a field seed 000 does not list',
      });
      const signature = createHmac('sha256', partner.signingSecret ?? '').update(raw).digest('hex');
      const placed = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { 'x-api-key': partner.apiKey, 'x-signature': signature, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'content-type': 'application/json' },
        payload: raw,
      });
      assert.ok(placed.statusCode === 200 || placed.statusCode === 201 || placed.statusCode === 202, placed.body);

      // Seed 004: a shop customer's order with a field the document does not list.
      const registered = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'extra@example.com', password: 'correct horse battery', confirmPassword: 'correct horse battery' } });
      assert.equal(registered.statusCode, 200, registered.body);
      const customer = await t.souk.db.selectFrom('accounts').select('id').where('name', '=', 'extra@example.com').executeTakeFirstOrThrow();
      await fund(t.souk, customer.id, 100_000, 'CNY');
      await fund(t.souk, customer.id, 100_000, 'USD');
      // The shop prices in CNY and balance_crypto pays in USD: both rates, as a shop selling USD products sets them.
      for (const [base, quote, rate] of [['USD', 'CNY', '7.2'], ['CNY', 'USD', '0.138888888888']]) {
        const set = await t.app.inject({ method: 'PUT', url: `/admin/api/fx-rates/${base}/${quote}`, headers: bearer(t.adminKey), payload: { rate } });
        assert.equal(set.statusCode, 200, set.body);
      }
      const shop = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: bearer(registered.json().token),
        payload: { productId: String(productId), quantity: 1, contactEmail: 'extra@example.com', paymentMethod: 'balance_crypto', remark: 'not in seed 004' },
      });
      assert.equal(shop.statusCode, 200, shop.body);
      assert.equal(shop.json().success, true);
    });

    test('GET /api/v1/orders?product= takes an id, a code or a slug, as POST /orders does', async () => {
      const lister = await createReseller(t.souk, { name: 'Lister' });
      await fund(t.souk, lister.accountId, 10_000);
      const place = async (product: string | number) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(lister.apiKey), payload: { product } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().order_id as string;
      };
      const mine = [await place(productId), await place('uf-gift-card')].reverse();
      await place('UF-OTHER');
      const listed = async (query: string) => {
        const res = await t.app.inject({ url: `/api/v1/orders?${query}`, headers: bearer(lister.apiKey) });
        assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
        return res.json().orders.map((o: { order_id: string }) => o.order_id);
      };
      for (const reference of [String(productId), 'UF-CARD', 'uf-gift-card']) assert.deepEqual(await listed(`product=${reference}`), mine, reference);
      const unknown = await t.app.inject({ url: '/api/v1/orders?product=no-such-card', headers: bearer(lister.apiKey) });
      assert.equal(unknown.statusCode, 404, unknown.body);
      assert.equal(unknown.json().error, 'item_not_found');
    });
  });
}

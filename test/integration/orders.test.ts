import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { setWalletCheckout, checkInvariants } from '../../src/core/orders/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`orders over the API (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let productId: number;
    const order = (key: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload });

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk, { name: 'Buyer' });
      productId = await stockedProduct(t.souk, { code: 'GC-5', price: '5.00', fields: [{ name: 'player_id', required: false }] }, 20);
      await fund(t.souk, buyer.accountId, 10_000);
    });
    after(() => t.close());

    test('seed 003 body: item_id and player_id; the answer has ok, order_id, status, amount, currency and the codes', async () => {
      const res = await order(buyer.apiKey, { item_id: productId, player_id: 'user@example.com' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.ok, true);
      assert.match(body.order_id, /^[0-9A-Z]{26}$/);
      assert.equal(body.status, 'fulfilled');
      assert.equal(body.amount, 5);
      assert.equal(body.currency, 'USD');
      assert.equal(body.order.items.length, 1);
      assert.match(body.order.items[0].code, /^GC-5-\d{4}$/);
      assert.equal(body.order.fields.player_id, 'user@example.com');
      assert.deepEqual(body.order.timeline.map((e: { to: string }) => e.to), ['queued', 'fulfilled']);
      assert.equal(await balanceOf(t.souk, buyer.accountId), 9_500);
    });

    test('canonical body by code with quantity; retries with the same client_order_id return the same order and charge once', async () => {
      const payload = { product: 'GC-5', quantity: 3, client_order_id: 'reseller-0001', buyer: { name: 'Rahim', email: 'rahim@example.com' } };
      const before = await balanceOf(t.souk, buyer.accountId);
      const first = await order(buyer.apiKey, payload);
      assert.equal(first.statusCode, 200, first.body);
      const again = await order(buyer.apiKey, payload);
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().order_id, first.json().order_id);
      assert.equal(again.json().replayed, true);
      assert.deepEqual(again.json().order.items, first.json().order.items);
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 1_500);
      const reused = await order(buyer.apiKey, { ...payload, quantity: 2 });
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json().error, 'idempotency_key_reused');
      const detail = await t.app.inject({ url: '/api/v1/orders/reseller-0001', headers: bearer(buyer.apiKey) });
      assert.equal(detail.json().order.order_id, first.json().order_id);
    });

    test('errors: unknown product 404, quantity outside bounds 400 naming them, price guard 409', async () => {
      const missing = await order(buyer.apiKey, { item_id: 999999 });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error, 'item_not_found');
      const tooMany = await order(buyer.apiKey, { product: 'GC-5', quantity: 201 });
      assert.equal(tooMany.statusCode, 400);
      assert.match(tooMany.json().message, /from 1 to 200/);
      assert.equal(tooMany.json().fields[0].field, 'quantity');
      const guarded = await order(buyer.apiKey, { product: 'GC-5', max_unit_price: 4.99 });
      assert.equal(guarded.statusCode, 409);
      assert.equal(guarded.json().error, 'price_above_limit');
      const noProduct = await order(buyer.apiKey, { quantity: 1 });
      assert.equal(noProduct.statusCode, 400);
    });

    test('402 insufficient_balance and 409 out_of_stock change nothing', async () => {
      const poor = await createReseller(t.souk, { name: 'Poor' });
      await fund(t.souk, poor.accountId, 400);
      const res = await order(poor.apiKey, { product: 'GC-5' });
      assert.equal(res.statusCode, 402);
      assert.equal(res.json().error, 'insufficient_balance');
      assert.equal(await balanceOf(t.souk, poor.accountId), 400);
      const stock = (await t.app.inject({ url: '/api/v1/products/GC-5' })).json().product.stock;
      const short = await order(buyer.apiKey, { product: 'GC-5', quantity: stock + 1 });
      assert.equal(short.statusCode, 409);
      assert.equal(short.json().error, 'out_of_stock');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('503 wallet_disabled when wallet checkout is off', async () => {
      await setWalletCheckout(t.souk.db, false);
      try {
        const res = await order(buyer.apiKey, { product: 'GC-5' });
        assert.equal(res.statusCode, 503);
        assert.equal(res.json().error, 'wallet_disabled');
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
    });

    test('a manual product waits in processing and can be cancelled for a refund; a fulfilled one cannot', async () => {
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'MANUAL-1', name: 'Manual', price: '2.00', fulfillment: 'manual' });
      const before = await balanceOf(t.souk, buyer.accountId);
      const placed = await order(buyer.apiKey, { product: 'MANUAL-1' });
      assert.equal(placed.json().status, 'processing');
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 200);
      const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.json().order_id}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.json().order.status, 'cancelled');
      assert.equal(cancelled.json().order.payment_status, 'refunded');
      assert.equal(await balanceOf(t.souk, buyer.accountId), before);
      const fulfilled = await order(buyer.apiKey, { product: 'GC-5' });
      const refused = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${fulfilled.json().order_id}/cancel`, headers: bearer(buyer.apiKey) });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error, 'invalid_state');
    });

    test('another account sees none of my orders', async () => {
      const mine = await order(buyer.apiKey, { product: 'GC-5' });
      const stranger = await createReseller(t.souk, { name: 'Stranger' });
      const peek = await t.app.inject({ url: `/api/v1/orders/${mine.json().order_id}`, headers: bearer(stranger.apiKey) });
      assert.equal(peek.statusCode, 404);
      const cancel = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${mine.json().order_id}/cancel`, headers: bearer(stranger.apiKey) });
      assert.equal(cancel.statusCode, 404);
      const list = await t.app.inject({ url: '/api/v1/orders', headers: bearer(stranger.apiKey) });
      assert.deepEqual(list.json().orders, []);
    });

    test('lists my orders newest first with filters and a cursor', async () => {
      const all = (await t.app.inject({ url: '/api/v1/orders?limit=200', headers: bearer(buyer.apiKey) })).json().orders;
      assert.ok(all.length >= 5);
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.app.inject({ url, headers: bearer(buyer.apiKey) })).json() as { orders: Array<{ order_id: string }>; next_cursor: string | null };
        ids.push(...page.orders.map((o) => o.order_id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(ids, all.map((o: { order_id: string }) => o.order_id));
      assert.deepEqual([...ids].sort().reverse(), ids);
      const cancelled = (await t.app.inject({ url: '/api/v1/orders?status=cancelled', headers: bearer(buyer.apiKey) })).json().orders;
      assert.ok(cancelled.length >= 1 && cancelled.every((o: { status: string }) => o.status === 'cancelled'));
      const byClient = (await t.app.inject({ url: '/api/v1/orders?client_order_id=reseller-0001', headers: bearer(buyer.apiKey) })).json().orders;
      assert.equal(byClient.length, 1);
    });

    test('GET /me shows seed 003 and seed 001 account details', async () => {
      const me = (await t.app.inject({ url: '/api/v1/me', headers: bearer(buyer.apiKey) })).json();
      const balance = (await balanceOf(t.souk, buyer.accountId)) / 100;
      assert.equal(me.currency, 'USD');
      assert.equal(me.balance, balance);
      assert.equal(me.balance_display, `${balance.toFixed(2)} USD`);
      assert.equal(me.user.balance, balance.toFixed(2));
      assert.equal(me.user.balance_display, me.balance_display);
      assert.equal(me.api_key_id, buyer.keyId);
      assert.equal(me.balances[0].currency, 'USD');
      assert.equal(typeof me.credit_limit, 'number');
      assert.equal(typeof me.rate_limit_per_minute, 'number');
    });

    test('a wallet in another currency is charged by the FX table, rounded up', async () => {
      const { createAccount, createApiKey } = await import('../../src/core/accounts/index.js');
      const account = await createAccount(t.souk.db, { name: 'Riyadh reseller', currency: 'SAR' });
      const key = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      await fund(t.souk, account.id, 10_000, 'SAR');
      const noRate = await order(key.apiKey, { product: 'GC-5' });
      assert.equal(noRate.statusCode, 409);
      assert.equal(noRate.json().error, 'currency_unavailable');
      await setFxRate(t.souk, 'USD', 'SAR', '3.7512');
      const res = await order(key.apiKey, { product: 'GC-5' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().currency, 'SAR');
      assert.equal(res.json().amount, 18.76);
      assert.equal(res.json().order.price_currency, 'USD');
      assert.equal(res.json().order.unit_price, 5);
    });

    test('a price, exchange rate or tier changed between two orders applies to the very next one, whatever planning had cached', async () => {
      const { createAccount, createApiKey } = await import('../../src/core/accounts/index.js');
      const { updateProduct, setPriceTier } = await import('../../src/core/catalog/index.js');
      const deps = { db: t.souk.db, bus: t.souk.bus };
      await stockedProduct(t.souk, { code: 'MOVING', price: '10.00' }, 10);
      const account = await createAccount(t.souk.db, { name: 'Cairo reseller', currency: 'EGP' });
      const key = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      await fund(t.souk, account.id, 1_000_000, 'EGP');
      await setFxRate(t.souk, 'USD', 'EGP', '50');
      const charged = async () => {
        const res = await order(key.apiKey, { product: 'MOVING' });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().amount;
      };
      assert.equal(await charged(), 500);
      await updateProduct(deps, 'MOVING', { price: '12.00' });
      assert.equal(await charged(), 600);
      await setFxRate(t.souk, 'USD', 'EGP', '48.5');
      assert.equal(await charged(), 582);
      await setPriceTier(t.souk, 'egypt', 10);
      await t.souk.db.updateTable('accounts').set({ tier: 'egypt' }).where('id', '=', account.id).execute();
      assert.equal(await charged(), 523.8);
      await setPriceTier(t.souk, 'egypt', 20);
      assert.equal(await charged(), 465.6);
      await updateProduct(deps, 'MOVING', { status: 'archived' });
      assert.equal((await order(key.apiKey, { product: 'MOVING' })).statusCode, 404);
    });

    test('failed order attempts are in the API failures log, redacted', async () => {
      await order(buyer.apiKey, { item_id: 424242, checkout: { cf_secret_token: 'hunter2' } });
      // The failure is written after the answer has gone out: poll briefly for it.
      let row;
      for (let i = 0; i < 100 && !row; i++) {
        const rows = await t.souk.db.selectFrom('api_failures').selectAll().where('account_id', '=', buyer.accountId).orderBy('id', 'desc').execute();
        row = rows.find((r) => r.request_excerpt.includes('424242'));
        if (!row) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(row);
      assert.equal(row.error_code, 'item_not_found');
      assert.equal(row.status, 404);
      assert.equal(row.route, '/api/v1/orders');
      assert.ok(!row.request_excerpt.includes('hunter2'));
      assert.match(row.request_excerpt, /424242/);
    });

    test('the list filters by product, by created time given with Z, with an offset or without milliseconds, and with status, client_order_id and the cursor together', async () => {
      const lister = await createReseller(t.souk, { name: 'Lister' });
      await fund(t.souk, lister.accountId, 10_000);
      const cardId = await stockedProduct(t.souk, { code: 'LIST-CARD', price: '1.00' }, 10);
      const hand = await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'LIST-HAND', name: 'By hand', price: '1.00', fulfillment: 'manual' });
      // Placed in this order, then dated (as stored: UTC with milliseconds) so the bounds below are exact.
      const placed: Array<{ ref: string; product: string; at: string }> = [
        { ref: 'list-1', product: 'LIST-CARD', at: '2025-03-01T10:00:00.000Z' },
        { ref: 'list-2', product: 'LIST-CARD', at: '2025-03-01T10:00:00.500Z' },
        { ref: 'list-3', product: 'LIST-HAND', at: '2025-03-01T11:00:00.000Z' },
        { ref: 'list-4', product: 'LIST-HAND', at: '2025-03-01T11:59:59.999Z' },
        { ref: 'list-5', product: 'LIST-CARD', at: '2025-03-01T12:00:00.000Z' },
      ];
      const ids: Record<string, string> = {};
      for (const p of placed) {
        const res = await order(lister.apiKey, { product: p.product, client_order_id: p.ref });
        assert.equal(res.statusCode, 200, res.body);
        ids[p.ref] = res.json().order_id;
        await t.souk.db.updateTable('orders').set({ created_at: p.at }).where('id', '=', ids[p.ref]!).execute();
      }
      const cancel = await t.app.inject({ method: 'POST', url: `/api/v1/orders/${ids['list-4']}/cancel`, headers: bearer(lister.apiKey) });
      assert.equal(cancel.statusCode, 200, cancel.body);

      const list = async (query: string) => {
        const res = await t.app.inject({ url: `/api/v1/orders?${query}`, headers: bearer(lister.apiKey) });
        assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
        return res.json() as { orders: Array<{ order_id: string; client_order_id: string; item_id: number; status: string }>; next_cursor: string | null };
      };
      const refs = async (query: string) => (await list(query)).orders.map((o) => o.client_order_id);
      /** Every page of a listing, `limit` at a time, following next_cursor. */
      const allPages = async (query: string, limit: number) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
          assert.ok(page.orders.length <= limit);
          seen.push(...page.orders.map((o) => o.client_order_id));
          cursor = page.next_cursor;
        } while (cursor);
        return seen;
      };
      const q = (value: string) => encodeURIComponent(value);

      // product, alone and with the other filters
      assert.deepEqual(await refs(`product=${cardId}`), ['list-5', 'list-2', 'list-1']);
      assert.deepEqual(await refs(`product=${hand.id}`), ['list-4', 'list-3']);
      assert.deepEqual(await refs(`product=${hand.id}&status=cancelled`), ['list-4']);
      assert.deepEqual(await refs(`product=${cardId}&status=cancelled`), []);
      assert.deepEqual(await refs(`product=${hand.id}&status=processing&client_order_id=list-3`), ['list-3']);
      assert.deepEqual(await refs(`product=${cardId}&client_order_id=list-3`), []);
      assert.deepEqual(await refs('status=fulfilled&client_order_id=list-3'), []);
      assert.deepEqual(await allPages(`product=${cardId}&status=fulfilled`, 1), ['list-5', 'list-2', 'list-1']);
      assert.deepEqual(await allPages('status=fulfilled', 2), ['list-5', 'list-2', 'list-1']);

      // created_from (inclusive) and created_to (exclusive), in Z with milliseconds
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T10:00:00.500Z')}&created_to=${q('2025-03-01T12:00:00.000Z')}`), ['list-4', 'list-3', 'list-2']);
      // without milliseconds: 10:00:00Z is 10:00:00.000Z, so list-1 is in (as text "…00Z" sorts after "…00.000Z")
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T10:00:00Z')}`), ['list-5', 'list-4', 'list-3', 'list-2', 'list-1']);
      assert.deepEqual(await refs(`created_to=${q('2025-03-01T11:00:00Z')}`), ['list-2', 'list-1']);
      // with an offset: 13:00+02:00 is 11:00Z, 12:30+01:00 is 11:30Z
      assert.deepEqual(await refs(`created_to=${q('2025-03-01T13:00:00+02:00')}`), ['list-2', 'list-1']);
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T12:30:00.000+01:00')}`), ['list-5', 'list-4']);
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T06:00:00.5-04:00')}&created_to=${q('2025-03-01T07:00:00-04:00')}`), ['list-2']);
      // …and with every other filter and the cursor
      assert.deepEqual(await allPages(`created_from=${q('2025-03-01T11:00:00+01:00')}&created_to=${q('2025-03-01T12:00:00Z')}&product=${cardId}&status=fulfilled`, 1), ['list-2', 'list-1']);
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T12:00:00+01:00')}&client_order_id=list-3&status=processing&product=${hand.id}`), ['list-3']);
      assert.deepEqual(await refs(`created_from=${q('2025-03-01T11:00:01Z')}&client_order_id=list-3`), []);

      // an unreadable time is a 400 `validation` (seed 003's word) in the envelope, naming the parameter
      for (const [param, value] of [
        ['created_from', 'yesterday'],
        ['created_to', '2025-02-30T00:00:00Z'],
        ['created_from', '2025-03-01T10:00:00'],
        ['created_to', '2016-12-31T23:59:60Z'],
      ] as const) {
        const res = await t.app.inject({ url: `/api/v1/orders?${param}=${q(value)}`, headers: bearer(lister.apiKey) });
        assert.equal(res.statusCode, 400, `${param}=${value}: ${res.body}`);
        const body = res.json();
        assert.equal(body.ok, false);
        assert.equal(body.error, 'validation');
        assert.equal(body.errorCode, 'validation');
        assert.equal(typeof body.request_id, 'string');
        assert.deepEqual(
          body.fields.map((f: { field: string }) => f.field),
          [param],
          `${param}=${value}`,
        );
      }
      for (const query of ['status=lost', 'cursor=not-a-cursor', 'product=']) {
        assert.equal((await t.app.inject({ url: `/api/v1/orders?${query}`, headers: bearer(lister.apiKey) })).statusCode, 400, query);
      }
      // product names one as POST /orders does; none matching is 404
      for (const query of ['product=0', 'product=card', 'product=999999']) {
        const res = await t.app.inject({ url: `/api/v1/orders?${query}`, headers: bearer(lister.apiKey) });
        assert.equal(res.statusCode, 404, query);
        assert.equal(res.json().error, 'item_not_found', query);
      }
    });

    test('the invariants hold after all of the above', async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

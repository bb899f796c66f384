// The `store` upstream dialect (seed 003's Store API) against a real Souk listening on 127.0.0.1,
// whose /api/v1 is a superset of seed 003: GET /products, GET /me and POST /orders with item_id,
// player_id and checkout. Seed 003 has no client reference and no order lookup, so the dialect has
// neither; what it cannot read after a create (checked against a server answering what a seed 003
// server might) is unknown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { assertFailure, connectionTo, listenOnLoopback, upstreamDebits, upstreamOrders } from '../helpers/upstream.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { setWalletCheckout } from '../../src/core/orders/index.js';
import { capabilitiesOf, type UpstreamConnection } from '../../src/core/upstream/dialect.js';
import { createUpstreamHttp, type UpstreamHttp } from '../../src/core/upstream/http.js';
import { dialectNamed } from '../../src/core/upstream/dialects/index.js';
import { storeDialect as store } from '../../src/core/upstream/dialects/store.js';

/** A server that answers POST /orders as `answer` says and records what it was sent. */
async function startFakeStore(answer: () => { status: number; type: string; body: string }) {
  const requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const { status, type, body } = answer();
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const kind of DATABASE_KINDS) {
  describe(`the store dialect (seed 003) against a real Souk on 127.0.0.1 (${kind})`, () => {
    let t: TestSouk;
    let upstreamHttp: UpstreamHttp;
    let baseUrl: string;
    let buyer: TestReseller;
    let conn: UpstreamConnection;
    let cardId: number;
    let gameId: number;
    let emptyId: number;
    let manualId: number;
    let priceyId: number;
    let packId: number;
    const order = (productRef: string, fields: Record<string, string> = {}, quantity = 1) =>
      store.createOrder(conn, { reference: `ours-${Date.now().toString(36)}`, productRef, quantity, fields });

    before(async () => {
      t = await startTestSouk(kind);
      baseUrl = await listenOnLoopback(t);
      upstreamHttp = createUpstreamHttp({ allowPrivate: true });
      buyer = await createReseller(t.souk, { name: 'Store client' });
      await fund(t.souk, buyer.accountId, 50_000);
      conn = connectionTo(baseUrl, upstreamHttp, { key: buyer.apiKey });
      cardId = await stockedProduct(t.souk, { code: 'ST-CARD', name: { en: 'Store card', zh: '商店卡' }, description: 'Seven and a quarter.', price: '7.25' }, 5);
      gameId = await stockedProduct(
        t.souk,
        { code: 'ST-GAME', name: 'Game top-up', price: '4.00', fields: [{ name: 'player_id', label: 'Player ID' }, { name: 'cf_server', label: 'Server' }] },
        3,
      );
      emptyId = await stockedProduct(t.souk, { code: 'ST-EMPTY', price: '1.00' }, 0);
      priceyId = await stockedProduct(t.souk, { code: 'ST-PRICEY', price: '900.00' }, 1);
      packId = await stockedProduct(t.souk, { code: 'ST-PACK', price: '1.00', min_quantity: 2 }, 4);
      manualId = (await createProduct(stockDeps(t.souk), { code: 'ST-MANUAL', name: 'By hand', price: '2.50', fulfillment: 'manual' })).id;
    });
    after(async () => {
      upstreamHttp.close();
      await t.close();
    });

    test('is the dialect named store: a catalog, orders and a balance; no lookup, no reference, no cancel, no callbacks', () => {
      assert.equal(dialectNamed('store'), store);
      assert.equal(store.delivers, 'codes');
      assert.equal(store.findsByReference, false);
      assert.deepEqual(capabilitiesOf(store), ['balance']);
      assert.equal(store.findOrder, undefined);
    });

    test("lists every product of GET /products across Souk's pages: names, decimal price, currency, stock, status; one unit an order", async () => {
      // Souk pages GET /products by 50 when seed 003's client asks for no more.
      for (let i = 1; i <= 50; i++) await createProduct(stockDeps(t.souk), { code: `ST-FILL-${i}`, name: `Filler ${i}`, price: '0.50' });
      const products = await store.listProducts(conn);
      const active = await t.souk.db.selectFrom('products').select('id').where('status', '=', 'active').execute();
      assert.ok(active.length > 50);
      assert.deepEqual(products.map((p) => p.ref).sort(), active.map((p) => String(p.id)).sort());
      assert.deepEqual(products.find((p) => p.ref === String(cardId)), {
        ref: String(cardId),
        name: { en: 'Store card', zh: '商店卡' },
        description: { en: 'Seven and a quarter.' },
        price: '7.25',
        currency: 'USD',
        stock: 5,
        status: 'active',
        minQuantity: 1,
        maxQuantity: 1,
        fields: [],
      });
      assert.deepEqual(products.find((p) => p.ref === String(gameId))?.fields, [
        { name: 'player_id', label: { en: 'Player ID' }, required: true },
        { name: 'cf_server', label: { en: 'Server' }, required: true },
      ]);
      assert.equal(products.find((p) => p.ref === String(emptyId))?.stock, 0);
      assert.equal(products.find((p) => p.ref === String(manualId))?.stock, null);
      // Seed 003 orders carry no quantity; Souk would sell this one two at a time.
      assert.equal(products.find((p) => p.ref === String(packId))?.status, 'inactive');
    });

    test('a create delivers the code imported upstream and says what it charged, once', async () => {
      const balance = await balanceOf(t.souk, buyer.accountId);
      const debits = await upstreamDebits(t.souk, buyer.accountId);
      const placed = await order(String(cardId));
      assert.equal(placed.state, 'delivered');
      assert.ok(placed.state === 'delivered');
      assert.deepEqual(placed.codes, ['ST-CARD-0001']);
      assert.deepEqual(placed.charged, { amount: '7.25', currency: 'USD' });
      assert.equal(await balanceOf(t.souk, buyer.accountId), balance - 725);
      assert.equal(await upstreamDebits(t.souk, buyer.accountId), debits + 1);
      const upstream = await upstreamOrders(t.souk, buyer.accountId);
      assert.equal(upstream.at(-1)?.id, placed.upstreamId);
      assert.equal(upstream.at(-1)?.client_order_id, null, 'seed 003 has no client reference');
    });

    test('player_id goes to player_id and the other fields into checkout, as the upstream records them', async () => {
      const placed = await order(String(gameId), { player_id: 'hero-42', cf_server: 'eu-1' });
      assert.ok(placed.state === 'delivered');
      assert.deepEqual(placed.codes, ['ST-GAME-0001']);
      const upstream = (await t.app.inject({ url: `/api/v1/orders/${placed.upstreamId}`, headers: bearer(buyer.apiKey) })).json().order;
      assert.deepEqual(upstream.fields, { player_id: 'hero-42', cf_server: 'eu-1' });
    });

    test('a manual product is pending, with the upstream order id', async () => {
      const placed = await order(String(manualId));
      assert.equal(placed.state, 'pending');
      assert.equal(placed.upstreamId, (await upstreamOrders(t.souk, buyer.accountId)).at(-1)?.id);
      assert.deepEqual(placed.charged, { amount: '2.50', currency: 'USD' });
    });

    test("seed 003's errors are refusals with its codes, and nothing is charged: 409 out_of_stock, 404 item_not_found, 400 validation, 402 insufficient_balance, 503 wallet_disabled", async () => {
      const balance = await balanceOf(t.souk, buyer.accountId);
      const orders = (await upstreamOrders(t.souk, buyer.accountId)).length;
      assert.equal((await assertFailure(order(String(emptyId)), 'refused', 'out_of_stock')).detail.status, 409);
      assert.equal((await assertFailure(order('999999'), 'refused', 'item_not_found')).detail.status, 404);
      assert.equal((await assertFailure(order(String(gameId), { cf_server: 'eu-1' }), 'refused', 'validation')).detail.status, 400);
      assert.equal((await assertFailure(order(String(priceyId)), 'refused', 'insufficient_balance')).detail.status, 402);
      await setWalletCheckout(t.souk.db, false);
      try {
        assert.equal((await assertFailure(order(String(cardId)), 'refused', 'wallet_disabled')).detail.status, 503);
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
      assert.equal(await balanceOf(t.souk, buyer.accountId), balance);
      assert.equal((await upstreamOrders(t.souk, buyer.accountId)).length, orders);
    });

    test('more than one unit is refused before anything is sent: seed 003 orders carry no quantity', async () => {
      const orders = (await upstreamOrders(t.souk, buyer.accountId)).length;
      await assertFailure(order(String(cardId), {}, 2), 'refused', 'quantity_unsupported');
      assert.equal((await upstreamOrders(t.souk, buyer.accountId)).length, orders);
    });

    test("balance is GET /me's user.balance (USD); without it, balance_display in the store's currency", async () => {
      assert.deepEqual(await store.balance!(conn), { amount: (await balanceOf(t.souk, buyer.accountId) / 100).toFixed(2), currency: 'USD' });
      // An account in GBP on a shop with no GBP/USD rate: user.balance is null.
      const account = await createAccount(t.souk.db, { name: 'In GBP', currency: 'GBP' });
      const key = await createApiKey(t.souk.db, t.souk.box, { accountId: account.id });
      await fund(t.souk, account.id, 1_234, 'GBP');
      assert.deepEqual(await store.balance!({ ...conn, credentials: { key: key.apiKey } }), { amount: '12.34', currency: 'GBP' });
      await assertFailure(store.balance!({ ...conn, credentials: { key: `sk_live_${'y'.repeat(43)}` } }), 'refused', 'unauthorized');
    });

    test('sends exactly seed 003: Bearer key, item_id as a number, player_id, checkout; no quantity, no reference', async () => {
      const fake = await startFakeStore(() => ({ status: 200, type: 'application/json', body: '{"ok":true,"order_id":"77","status":"processing","amount":"4.00","currency":"BDT"}' }));
      try {
        const placed = await store.createOrder(connectionTo(fake.baseUrl, upstreamHttp, { key: 'sk_live_test' }), { reference: 'ours-1', productRef: '123', quantity: 1, fields: { player_id: 'user@example.com', cf_zone: '7' } });
        assert.deepEqual(placed, { state: 'pending', upstreamId: '77', charged: { amount: '4.00', currency: 'BDT' } });
        const [sent] = fake.requests;
        assert.equal(sent?.method, 'POST');
        assert.equal(sent?.url, '/api/v1/orders');
        assert.equal(sent?.headers.authorization, 'Bearer sk_live_test');
        assert.deepEqual(JSON.parse(sent!.body), { item_id: 123, player_id: 'user@example.com', checkout: { cf_zone: '7' } });
      } finally {
        await fake.close();
      }
    });

    test('an answer that cannot be read after the create is unknown: not JSON, no order_id, not ok, an unknown status, fulfilled without its code', async () => {
      const answers = [
        { status: 200, type: 'text/html', body: '<html>ok</html>' },
        { status: 200, type: 'application/json', body: '{"ok":true,"status":"fulfilled"}' },
        { status: 200, type: 'application/json', body: '{"ok":false,"order_id":"9"}' },
        { status: 200, type: 'application/json', body: '{"ok":true,"order_id":"9","status":"teleported"}' },
        // What a seed 003 server answers for a delivered order: its status, no code.
        { status: 200, type: 'application/json', body: '{"ok":true,"order_id":"9","status":"fulfilled","amount":"4.00","currency":"BDT"}' },
      ];
      let next = 0;
      const fake = await startFakeStore(() => answers[next++]!);
      try {
        const fakeConn = connectionTo(fake.baseUrl, upstreamHttp, { key: 'sk_live_test' });
        for (const _ of answers) await assertFailure(store.createOrder(fakeConn, { reference: 'ours-2', productRef: '5', quantity: 1, fields: {} }), 'unknown');
        assert.equal(fake.requests.length, answers.length);
      } finally {
        await fake.close();
      }
    });
  });
}

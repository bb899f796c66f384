// Two Souks chained on 127.0.0.1 (A, a real `souk serve` process with its worker, upstream of
// B), following orders and prices by A's callbacks. B has a public URL, so each create carries
// B's callback URL (`<public URL>/upstream/callbacks/<provider id>`); a small relay stands at that
// URL and hands each callback to `souk.upstream.receiveCallback`, as B's HTTP route does. An
// order A delivers by hand later reaches B by A's signed order callback alone (B never polls
// here: no background work, no resume from the test), for the souk and partner dialects, the two
// whose APIs call back (store, shop and the smm panel have no callbacks). A price change on A
// reaches B by A's product.updated webhook alone (souk; seed 000 sends no product events). A
// tampered callback is refused and recorded without a credential. B follows A's catalog by its
// rules: a product gone or off sale at A goes off sale at B (never deleted) and comes back with
// it; one the owner repriced by hand keeps its price, and goes off sale when A's price rises
// above it, until the owner reprices. And B sells what it imported
// through its other surfaces like its own: seed 004's shop at /api, seed 000 at /v1, and an order
// whose payment arrives after it was placed (bought once it is paid).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { balanceOf, fund, orderDeps, stockDeps } from '../helpers/orders.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import {
  accountOnA,
  API_PATH,
  driveUntil,
  ledgerOf,
  orderOnA,
  orderOnB,
  ordersOf,
  productOnA,
  repriceOnA,
  secretsOf,
  startChainUpstream,
  statusOnB,
  type AccountOnA,
  type ChainUpstream,
  type ProductOnA,
} from '../helpers/upstream-chain.js';
import { createProduct, findProduct, updateProduct } from '../../src/core/catalog/index.js';
import { formatMinor } from '../../src/core/money.js';
import { registerCustomer } from '../../src/core/customers/index.js';
import { checkInvariants, confirmOrderPayment, placeOrder } from '../../src/core/orders/index.js';
import { callbackSecret, createWebhookEndpoint } from '../../src/core/webhooks/index.js';

const DIALECTS = ['souk', 'partner'] as const;
type CallbackDialect = (typeof DIALECTS)[number];

interface Relayed {
  providerId: number;
  status: number;
  body: string;
}

/** B's callback route, as a relay: POST /upstream/callbacks/:id → receiveCallback; 200 when it verifies, 401 when not. */
async function startRelay(receive: (providerId: number, callback: { headers: Record<string, string | undefined>; body: string }) => Promise<unknown>) {
  const relayed: Relayed[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const providerId = Number(/^\/upstream\/callbacks\/(\d+)$/.exec(request.url ?? '')?.[1]);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
      receive(providerId, { headers, body }).then(
        () => 200,
        () => 401,
      ).then((status) => {
        relayed.push({ providerId, status, body });
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status === 200 ? 'ok' : 'refused');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    relayed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Seeded {
  accounts: Record<CallbackDialect, AccountOnA>;
  /** Delivered by A's admin, by hand, some time after the order. */
  byHand: { id: number; code: string };
  priced: ProductOnA;
  stocked: ProductOnA;
  goes: ProductOnA;
  repriced: ProductOnA;
}

for (const kind of DATABASE_KINDS) {
  describe(`two Souks chained, B following A (callbacks, catalog rules) and selling on every surface (${kind})`, () => {
    let a: ChainUpstream & { seeded: Seeded };
    let b: TestSouk;
    let relay: Awaited<ReturnType<typeof startRelay>>;
    let buyer: TestReseller;
    const providers = {} as Record<CallbackDialect, number>;
    const imported = {} as Record<CallbackDialect, string>;
    let pricedOnB: number;
    let stockedOnB: { product_id: number; code: string };
    /** B's order is fulfilled (driving B's forwarding as its schedule would) with exactly the codes A sold for it. */
    async function deliveredFromA(orderId: string) {
      await driveUntil(b, "B's order fulfilled", async () => (await statusOnB(b, orderId)) === 'fulfilled', orderId);
      const row = await b.souk.db.selectFrom('upstream_orders').select(['state', 'upstream_order_id']).where('order_id', '=', orderId).executeTakeFirstOrThrow();
      assert.equal(row.state, 'delivered');
      const sold = await orderOnA(a, row.upstream_order_id!);
      const items = await b.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', orderId).execute();
      assert.deepEqual(items.map((i) => b.souk.vault.open(i.code_enc)).sort(), sold.codes);
      assert.equal(sold.codes.length, 1);
      assert.deepEqual((await ledgerOf(b.souk, orderId)).map((e) => e.kind), ['order']);
    }
    let serial = 0;

    before(async () => {
      relay = await startRelay((providerId, callback) => b.souk.upstream.receiveCallback(providerId, callback));
      // A posts its callbacks to B (127.0.0.1), and runs its worker whatever the database.
      a = await startChainUpstream(
        kind,
        async (souk) => {
          const accounts = {} as Seeded['accounts'];
          for (const dialect of DIALECTS) accounts[dialect] = await accountOnA(souk, dialect, 100_000, `B via ${dialect}, called back`);
          // The souk dialect verifies A's Standard Webhooks signatures with the account's callback secret.
          const deps = { db: souk.db, box: souk.box, allowPrivate: true };
          accounts.souk.credentials.secret = await callbackSecret(deps, accounts.souk.accountId);
          const byHand = await createProduct(stockDeps(souk), { code: 'CB-HAND', name: 'Delivered by hand', price: '4.00', fulfillment: 'manual' });
          const priced = await productOnA(souk, 'CB-PRICED', '2.00', 5);
          const stocked = await productOnA(souk, 'CB-STOCKED', '1.50', 10);
          const goes = await productOnA(souk, 'CB-GOES', '3.00', 3);
          const repriced = await productOnA(souk, 'CB-REPRICED', '3.00', 3);
          return { accounts, byHand: { id: byHand.id, code: byHand.code }, priced, stocked, goes, repriced };
        },
        { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' },
        ['--worker'],
      );
      b = await startTestSouk(kind, { env: { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_TIMEOUT_MS: '5000', SOUK_UPSTREAM_WAIT_MS: '1000', SOUK_PUBLIC_URL: relay.origin, SOUK_SHOP_CURRENCY: 'USD' } });
      buyer = await createReseller(b.souk, { name: 'B buyer' });
      await fund(b.souk, buyer.accountId, 100_000);
      for (const dialect of DIALECTS) {
        providers[dialect] = (await b.souk.upstream.add({ name: `A (${dialect})`, url: `${a.origin}${API_PATH[dialect]}`, dialect, ...a.seeded.accounts[dialect].credentials })).id;
        const ref = dialect === 'partner' ? a.seeded.byHand.code : String(a.seeded.byHand.id);
        imported[dialect] = (await b.souk.upstream.import(providers[dialect], [{ ref }]))[0]!.code;
      }
      pricedOnB = (await b.souk.upstream.import(providers.souk, [{ ref: String(a.seeded.priced.id) }]))[0]!.product_id;
      stockedOnB = (await b.souk.upstream.import(providers.souk, [{ ref: String(a.seeded.stocked.id) }]))[0]!;
    });

    after(async () => {
      await b?.close();
      await a?.close();
      await relay?.close();
    });

    for (const dialect of DIALECTS) {
      test(`${dialect}: an order A delivers by hand later reaches B by A's signed callback alone, with A's codes`, async () => {
        const placed = await orderOnB(b, buyer.apiKey, { product: imported[dialect], quantity: 1, client_order_id: `cb-${kind}-${++serial}` });
        const row = await until(
          () => b.souk.db.selectFrom('upstream_orders').select(['state', 'upstream_order_id']).where('order_id', '=', placed.order_id).executeTakeFirst(),
          (r) => r?.state === 'pending',
          'A took the order, to deliver by hand',
        );
        assert.equal(await statusOnB(b, placed.order_id), 'processing');
        const onA = await orderOnA(a, row!.upstream_order_id!);
        assert.equal(onA.status, 'processing');
        const code = `HAND-${dialect}-${serial}`;
        const fulfilled = await fetch(`${a.origin}/admin/api/orders/${onA.id}/fulfil`, {
          method: 'POST',
          headers: { authorization: `Bearer ${a.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ codes: [code] }),
        });
        assert.equal(fulfilled.status, 200, await fulfilled.text());
        await until(() => statusOnB(b, placed.order_id), (status) => status === 'fulfilled', `B's ${dialect} order delivered on A's callback`);
        const items = await b.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', placed.order_id).execute();
        assert.deepEqual(items.map((i) => b.souk.vault.open(i.code_enc)), [code]);
        assert.ok(relay.relayed.some((r) => r.providerId === providers[dialect] && r.status === 200 && r.body.includes(placed.order_id)), 'a verified callback named our order');
      });
    }

    test("souk: a price change on A reaches B by A's product.updated webhook alone", async () => {
      // A's owner points a webhook for product.updated at B's callback URL, signed with its own secret.
      const deps = { db: a.souk.db, box: a.souk.box, allowPrivate: true };
      const endpoint = await createWebhookEndpoint(deps, a.seeded.accounts.souk.accountId, { url: `${relay.origin}/upstream/callbacks/${providers.souk}`, events: ['product.updated'] });
      // B keeps both secrets: the callback secret, then the endpoint's.
      await b.souk.db.updateTable('providers').set({ credentials: b.souk.box.seal(JSON.stringify({ ...a.seeded.accounts.souk.credentials, secret: `${a.seeded.accounts.souk.credentials.secret} ${endpoint.secret}` })) }).where('id', '=', providers.souk).execute();
      assert.equal(formatMinor((await findProduct(b.souk.db, pricedOnB)).price_minor, 'USD'), '2.00');
      await repriceOnA(a, 'CB-PRICED', '2.50');
      await until(async () => formatMinor((await findProduct(b.souk.db, pricedOnB)).price_minor, 'USD'), (price) => price === '2.50', 'B follows A to 2.50');
    });

    test('a tampered callback is refused and recorded, without a credential', async () => {
      const genuine = relay.relayed.find((r) => r.providerId === providers.partner && r.status === 200);
      assert.ok(genuine, 'a genuine partner callback came');
      const tampered = genuine.body.replace('"fulfilled"', '"rejected"');
      await assert.rejects(b.souk.upstream.receiveCallback(providers.partner, { headers: { 'x-signature': '0'.repeat(64) }, body: tampered }));
      const rows = await b.souk.db.selectFrom('api_failures').selectAll().where('provider_id', '=', providers.partner).where('operation', '=', 'callback').execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.error_code, 'bad_signature');
      const recorded = JSON.stringify(rows);
      for (const secret of secretsOf(Object.values(a.seeded.accounts))) assert.ok(!recorded.includes(secret));
    });

    test('a product off sale or gone at A goes off sale at B, never deleted, and comes back with it', async () => {
      const [imported] = await b.souk.upstream.import(providers.souk, [{ ref: String(a.seeded.goes.id) }]);
      const onB = async () => {
        await b.souk.upstream.sync(providers.souk);
        const product = await findProduct(b.souk.db, imported!.product_id);
        const link = await b.souk.db.selectFrom('upstream_products').select('paused').where('product_id', '=', product.id).executeTakeFirstOrThrow();
        return { status: product.status, paused: link.paused };
      };
      const patchOnA = (body: object) =>
        fetch(`${a.origin}/admin/api/products/CB-GOES`, { method: 'PATCH', headers: { authorization: `Bearer ${a.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await patchOnA({ status: 'inactive' })).status, 200);
      await until(onB, (p) => p.status === 'inactive' && p.paused !== null, 'B takes it off sale');
      assert.equal((await patchOnA({ status: 'active' })).status, 200);
      await until(onB, (p) => p.status === 'active' && p.paused === null, 'B puts it back on sale');
      const archived = await fetch(`${a.origin}/admin/api/products/CB-GOES`, { method: 'DELETE', headers: { authorization: `Bearer ${a.adminKey}` } });
      assert.equal(archived.status, 200);
      await until(onB, (p) => p.status === 'inactive' && /no longer listed/.test(p.paused ?? ''), 'B takes the gone product off sale');
    });

    test("a product B's owner repriced by hand keeps its price, goes off sale when A's price rises above it, and back on sale once repriced", async () => {
      const [imported] = await b.souk.upstream.import(providers.souk, [{ ref: String(a.seeded.repriced.id) }]);
      const id = imported!.product_id;
      const catalog = { db: b.souk.db, bus: b.souk.bus };
      const onB = async () => {
        await b.souk.upstream.sync(providers.souk);
        const product = await findProduct(b.souk.db, id);
        return { price: formatMinor(product.price_minor, 'USD'), status: product.status };
      };
      await updateProduct(catalog, id, { price: '3.50' });
      assert.deepEqual(await onB(), { price: '3.50', status: 'active' }, 'kept at the next sync');
      await repriceOnA(a, 'CB-REPRICED', '4.00');
      await until(onB, (p) => p.status === 'inactive', 'off sale: A now charges more than B sells for');
      assert.equal((await onB()).price, '3.50', 'never repriced by sync');
      await updateProduct(catalog, id, { price: '4.50' });
      assert.deepEqual(await onB(), { price: '4.50', status: 'active' });
    });

    test("B's shop customers buy an imported product at /api (seed 004) from their balance, and get A's code", async () => {
      const email = `shopper.${kind}@b.example`;
      const customer = await registerCustomer(b.souk.db, { email, password: 'correct horse battery' }, 'USD');
      await fund(b.souk, customer.accountId, 1_000);
      const login = await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'correct horse battery' } });
      assert.equal(login.statusCode, 200, login.body);
      const placed = await b.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
        payload: { productId: String(stockedOnB.product_id), quantity: 1, contactEmail: email, paymentMethod: 'balance_cny' },
      });
      assert.equal(placed.statusCode, 200, placed.body);
      const [order] = await ordersOf(b.souk, customer.accountId);
      await deliveredFromA(order!.id);
      assert.equal(await balanceOf(b.souk, customer.accountId), 1_000 - 150);
    });

    test('B\'s partners buy an imported product at /v1 (seed 000), signed, and get A\'s code', async () => {
      const partner = await createReseller(b.souk, { kind: 'partner', signed: true, name: 'B partner' });
      await fund(b.souk, partner.accountId, 1_000);
      const raw = JSON.stringify({ partner_order_id: `p-${kind}-${++serial}`, flow_type: 'buy_direct_id', product_code: stockedOnB.code, buyer: { name: 'Rahim', email: 'rahim@example.com' }, delivery_channel: 'api' });
      const placed = await b.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { 'content-type': 'application/json', 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': createHmac('sha256', partner.signingSecret!).update(raw).digest('hex') },
        payload: raw,
      });
      assert.ok(placed.statusCode < 300, placed.body);
      await deliveredFromA(placed.json<{ order: { order_id: string } }>().order.order_id);
    });

    test('/v1 (seed 000): an order still being bought upstream answers queued, GET says queued until A delivers, then fulfilled', async () => {
      const partner = await createReseller(b.souk, { kind: 'partner', signed: true, name: 'B queued partner' });
      await fund(b.souk, partner.accountId, 1_000);
      const signed = (raw: string) => ({ 'content-type': 'application/json', 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': createHmac('sha256', partner.signingSecret!).update(raw).digest('hex') });
      const raw = JSON.stringify({ partner_order_id: `q-${kind}-${++serial}`, flow_type: 'buy_direct_id', product_code: imported.souk, buyer: { name: 'Rahim', email: 'rahim@example.com' }, delivery_channel: 'api' });
      const placed = await b.app.inject({ method: 'POST', url: '/v1/orders', headers: signed(raw), payload: raw });
      assert.ok(placed.statusCode < 300, placed.body);
      const order = placed.json<{ order: { order_id: string; status: string } }>().order;
      assert.equal(order.status, 'queued', 'accepted, not yet decided');
      const statusOnV1 = async () => {
        const res = await b.app.inject({ method: 'GET', url: `/v1/orders/${order.order_id}`, headers: { 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': createHmac('sha256', partner.signingSecret!).update('').digest('hex') } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json<{ order: { status: string } }>().order.status;
      };
      const row = await until(
        () => b.souk.db.selectFrom('upstream_orders').select(['state', 'upstream_order_id']).where('order_id', '=', order.order_id).executeTakeFirst(),
        (r) => r?.state === 'pending',
        'A took the order, to deliver by hand',
      );
      assert.equal(await statusOnV1(), 'queued', 'still being bought upstream');
      const onA = await orderOnA(a, row!.upstream_order_id!);
      const fulfilled = await fetch(`${a.origin}/admin/api/orders/${onA.id}/fulfil`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ codes: [`QUEUED-${serial}`] }),
      });
      assert.equal(fulfilled.status, 200, await fulfilled.text());
      await until(() => statusOnV1(), (status) => status === 'fulfilled', "the /v1 order fulfilled on A's callback");
    });

    test('an order whose payment arrives after it was placed is bought upstream once it is paid, never before', async () => {
      const aOrders = (await ordersOf(a.souk, a.seeded.accounts.souk.accountId)).length;
      const held = (await placeOrder(orderDeps(b.souk), buyer.accountId, { product: stockedOnB.code, payment: { kind: 'deferred', holdSeconds: 600 } }, 'test')).order;
      assert.equal(held.status, 'awaiting_payment');
      assert.equal(await b.souk.upstream.forwardWaitingOrders(0), 0, 'nothing to buy before the payment');
      assert.equal((await ordersOf(a.souk, a.seeded.accounts.souk.accountId)).length, aOrders);
      await confirmOrderPayment(orderDeps(b.souk), held.id, 'test');
      // The forwarding schedule's sweep starts its run.
      assert.equal(await b.souk.upstream.forwardWaitingOrders(0), 1);
      await driveUntil(b, 'the paid order fulfilled', async () => (await statusOnB(b, held.id)) === 'fulfilled', held.id);
      assert.equal((await ordersOf(a.souk, a.seeded.accounts.souk.accountId)).length, aOrders + 1);
      assert.equal(await b.souk.upstream.forwardWaitingOrders(0), 0, 'started once');
    });

    test('souk doctor finds nothing wrong on B or on A', async () => {
      assert.deepEqual(await checkInvariants(b.souk.db), []);
      assert.deepEqual(await checkInvariants(a.souk.db), []);
    });
  });
}

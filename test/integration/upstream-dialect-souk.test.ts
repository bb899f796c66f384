// The `souk` upstream dialect against a real Souk listening on 127.0.0.1: its canonical API at
// /api/v1 with an sk_live_ key, orders placed with our reference as client_order_id, and the
// callbacks it signs (Standard Webhooks) checked by readCallback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { startReceiver, type Receipt, type Receiver } from '../helpers/receiver.js';
import { assertFailure, connectionTo, listenOnLoopback, upstreamDebits, upstreamOrders } from '../helpers/upstream.js';
import { createProduct, updateProduct } from '../../src/core/catalog/index.js';
import { setWalletCheckout } from '../../src/core/orders/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { callbackSecret, createWebhookEndpoint, signDelivery } from '../../src/core/webhooks/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { capabilitiesOf, type UpstreamCallback, type UpstreamConnection } from '../../src/core/upstream/dialect.js';
import { createUpstreamHttp, type UpstreamHttp } from '../../src/core/upstream/http.js';
import { dialectNamed } from '../../src/core/upstream/dialects/index.js';
import { SOUK_PAGE_SIZE, soukDialect as souk } from '../../src/core/upstream/dialects/souk.js';

const UPSTREAM_ENV = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };

/** A receipt as readCallback takes it. */
const callbackOf = (receipt: Receipt, body = receipt.body): UpstreamCallback => ({
  headers: Object.fromEntries(Object.entries(receipt.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value])),
  body,
});

for (const kind of DATABASE_KINDS) {
  describe(`the souk dialect against a real Souk on 127.0.0.1 (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let http: UpstreamHttp;
    let baseUrl: string;
    let buyer: TestReseller;
    let conn: UpstreamConnection;
    let cardId: number;
    let manualId: number;
    let emptyId: number;
    let priceyId: number;
    let euroId: number;
    const receivers: Receiver[] = [];
    let secret: string;
    const webhookDeps = () => ({ db: t.souk.db, box: t.souk.box, allowPrivate: true });
    let references = 0;
    const reference = () => `B-${kind}-${++references}-${Date.now().toString(36)}`;
    const order = (productRef: string, extra: { quantity?: number; fields?: Record<string, string>; callbackUrl?: string; reference?: string } = {}) =>
      souk.createOrder(conn, { reference: extra.reference ?? reference(), productRef, quantity: extra.quantity ?? 1, fields: extra.fields ?? {}, ...(extra.callbackUrl ? { callbackUrl: extra.callbackUrl } : {}) });

    before(async () => {
      t = await startTestSouk(kind, { env: UPSTREAM_ENV });
      baseUrl = await listenOnLoopback(t);
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      http = createUpstreamHttp({ allowPrivate: true });
      buyer = await createReseller(t.souk, { name: 'Downstream shop' });
      await fund(t.souk, buyer.accountId, 100_000);
      conn = connectionTo(baseUrl, http, { key: buyer.apiKey, secret: await callbackSecret(webhookDeps(), buyer.accountId) });
      secret = conn.credentials.secret!;
      cardId = await stockedProduct(
        t.souk,
        { code: 'UP-CARD', name: { en: 'Gift card 10', ar: 'بطاقة هدية ١٠' }, description: { en: 'A ten.' }, price: '12.50', fields: [{ name: 'player_id', required: false }] },
        20,
      );
      emptyId = await stockedProduct(t.souk, { code: 'UP-EMPTY', price: '2.00' }, 0);
      priceyId = await stockedProduct(t.souk, { code: 'UP-PRICEY', price: '5000.00' }, 1);
      manualId = (await createProduct(stockDeps(t.souk), { code: 'UP-MANUAL', name: 'Made by hand', price: '3.00', fulfillment: 'manual' })).id;
      await setFxRate(t.souk, 'EUR', 'USD', '1.1');
      euroId = await stockedProduct(t.souk, { code: 'UP-EURO', price: '10.00', currency: 'EUR' }, 2);
    });
    after(async () => {
      await worker.stop();
      for (const r of receivers) await r.close();
      http.close();
      await t.close();
    });

    test('is the dialect named souk, finds orders by our reference, and has every capability', () => {
      assert.equal(dialectNamed('souk'), souk);
      assert.equal(souk.delivers, 'codes');
      assert.equal(souk.findsByReference, true);
      assert.deepEqual(capabilitiesOf(souk), ['getProduct', 'findOrder', 'cancelOrder', 'balance', 'readCallback']);
    });

    test('lists the whole catalog across pages: names in every language, decimal prices in what the account pays, stock and status', async () => {
      for (let i = 1; i <= SOUK_PAGE_SIZE; i++) await createProduct(stockDeps(t.souk), { code: `UP-FILL-${i}`, name: `Filler ${i}`, price: '1.00' });
      const products = await souk.listProducts(conn);
      const active = await t.souk.db.selectFrom('products').select('id').where('status', '=', 'active').execute();
      assert.ok(active.length > SOUK_PAGE_SIZE, 'the catalog is more than one page');
      assert.deepEqual(products.map((p) => p.ref).sort(), active.map((p) => String(p.id)).sort(), 'every active product, each once');
      const card = products.find((p) => p.ref === String(cardId));
      assert.deepEqual(card, {
        ref: String(cardId),
        name: { en: 'Gift card 10', ar: 'بطاقة هدية ١٠' },
        description: { en: 'A ten.' },
        price: '12.50',
        currency: 'USD',
        stock: 20,
        status: 'active',
        minQuantity: 1,
        maxQuantity: 200,
        fields: [{ name: 'player_id', label: { en: 'player_id' }, required: false }],
      });
      assert.equal(products.find((p) => p.ref === String(emptyId))?.stock, 0);
      assert.equal(products.find((p) => p.ref === String(manualId))?.stock, null, 'a manual product counts no stock');
      // A EUR product is priced in the account's USD, at the shop's rate: 10.00 EUR × 1.1.
      const euro = products.find((p) => p.ref === String(euroId));
      assert.equal(euro?.price, '11.00');
      assert.equal(euro?.currency, 'USD');
    });

    test('gets one product by its ref; one the upstream does not have (or no longer sells) is undefined', async () => {
      const card = await souk.getProduct!(conn, String(cardId));
      assert.equal(card?.price, '12.50');
      assert.deepEqual(card?.name, { en: 'Gift card 10', ar: 'بطاقة هدية ١٠' });
      assert.equal(await souk.getProduct!(conn, '999999'), undefined);
      const gone = await createProduct(stockDeps(t.souk), { code: 'UP-GONE', name: 'Gone', price: '1.00' });
      assert.ok(await souk.getProduct!(conn, String(gone.id)));
      await updateProduct(stockDeps(t.souk), gone.id, { status: 'inactive' });
      assert.equal(await souk.getProduct!(conn, String(gone.id)), undefined);
    });

    test('a create delivers the codes imported upstream, charges once, and carries our reference as client_order_id', async () => {
      const before = await balanceOf(t.souk, buyer.accountId);
      const ref = reference();
      const placed = await order(String(cardId), { reference: ref, quantity: 2, fields: { player_id: 'p-77' } });
      assert.equal(placed.state, 'delivered');
      assert.ok(placed.state === 'delivered');
      assert.deepEqual(placed.codes, ['UP-CARD-0001', 'UP-CARD-0002']);
      assert.deepEqual(placed.charged, { amount: '25.00', currency: 'USD' });
      assert.equal(await balanceOf(t.souk, buyer.accountId), before - 2500);
      const upstream = (await t.app.inject({ url: `/api/v1/orders/${placed.upstreamId}`, headers: bearer(buyer.apiKey) })).json().order;
      assert.equal(upstream.client_order_id, ref);
      assert.deepEqual(upstream.fields, { player_id: 'p-77' });
    });

    test('a repeated create with the same reference answers the original order and buys nothing more', async () => {
      const ref = reference();
      const first = await order(String(cardId), { reference: ref });
      const orders = (await upstreamOrders(t.souk, buyer.accountId)).length;
      const debits = await upstreamDebits(t.souk, buyer.accountId);
      const balance = await balanceOf(t.souk, buyer.accountId);
      const again = await order(String(cardId), { reference: ref });
      assert.deepEqual(again, first, 'the same order, the same codes');
      assert.equal((await upstreamOrders(t.souk, buyer.accountId)).length, orders);
      assert.equal(await upstreamDebits(t.souk, buyer.accountId), debits);
      assert.equal(await balanceOf(t.souk, buyer.accountId), balance);
      assert.equal((await upstreamOrders(t.souk, buyer.accountId)).filter((o) => o.client_order_id === ref).length, 1);
    });

    test('our reference reused for a different request is unknown (an order with it exists), never a refusal, and buys nothing', async () => {
      const ref = reference();
      await order(String(cardId), { reference: ref });
      const debits = await upstreamDebits(t.souk, buyer.accountId);
      const failure = await assertFailure(order(String(cardId), { reference: ref, quantity: 2 }), 'unknown', 'idempotency_key_reused');
      assert.equal(failure.detail.status, 422);
      assert.match(failure.detail.excerpt ?? '', /idempotency_key_reused/);
      assert.equal(await upstreamDebits(t.souk, buyer.accountId), debits);
      // What forwarding does next: find the order by the reference.
      assert.equal((await souk.findOrder!(conn, ref, null))?.state, 'delivered');
    });

    test('findOrder finds the order by our reference alone, with its codes; an unknown reference is undefined', async () => {
      const ref = reference();
      const placed = await order(String(cardId), { reference: ref });
      assert.ok(placed.state === 'delivered');
      assert.deepEqual(await souk.findOrder!(conn, ref, null), placed);
      assert.deepEqual(await souk.findOrder!(conn, ref, placed.upstreamId), placed);
      assert.equal(await souk.findOrder!(conn, `never-${ref}`, null), undefined);
      // An upstream id of an order placed with another reference is not ours.
      assert.equal(await souk.findOrder!(conn, `never-${ref}`, placed.upstreamId), undefined);
    });

    test("findOrder is not fooled by another order whose number equals our reference", async () => {
      const other = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { item_id: cardId, client_order_id: `direct-${kind}` } });
      assert.equal(other.statusCode, 200, other.body);
      const number = other.json().order.number as string;
      const ours = await order(String(cardId), { reference: number });
      assert.notEqual(ours.upstreamId, other.json().order_id);
      assert.equal((await souk.findOrder!(conn, number, null))?.upstreamId, ours.upstreamId);
    });

    test('refusals keep the upstream code and charge nothing: out_of_stock, item_not_found, validation, insufficient_balance', async () => {
      const balance = await balanceOf(t.souk, buyer.accountId);
      const debits = await upstreamDebits(t.souk, buyer.accountId);
      const out = await assertFailure(order(String(emptyId)), 'refused', 'out_of_stock');
      assert.equal(out.detail.status, 409);
      assert.equal((await assertFailure(order('999999'), 'refused', 'item_not_found')).detail.status, 404);
      assert.equal((await assertFailure(order(String(cardId), { quantity: 100_000 }), 'refused', 'validation')).detail.status, 400);
      assert.equal((await assertFailure(order(String(priceyId)), 'refused', 'insufficient_balance')).detail.status, 402);
      assert.equal(await balanceOf(t.souk, buyer.accountId), balance);
      assert.equal(await upstreamDebits(t.souk, buyer.accountId), debits);
      // A refused create made no order: the reference finds nothing.
      const ref = reference();
      await assertFailure(order(String(emptyId), { reference: ref }), 'refused', 'out_of_stock');
      assert.equal(await souk.findOrder!(conn, ref, null), undefined);
    });

    test("the upstream's wallet checkout switched off (503 wallet_disabled) is a refusal, not an unknown outcome", async () => {
      await setWalletCheckout(t.souk.db, false);
      try {
        const failure = await assertFailure(order(String(cardId)), 'refused', 'wallet_disabled');
        assert.equal(failure.detail.status, 503);
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
    });

    test('a bad key is refused unauthorized, for reads and for a create', async () => {
      const stranger = { ...conn, credentials: { key: `sk_live_${'x'.repeat(43)}` } };
      await assertFailure(souk.listProducts(stranger), 'refused', 'unauthorized');
      await assertFailure(souk.balance!(stranger), 'refused', 'unauthorized');
      await assertFailure(souk.createOrder(stranger, { reference: reference(), productRef: String(cardId), quantity: 1, fields: {} }), 'refused', 'unauthorized');
    });

    test('a manual product is pending upstream; cancelOrder cancels it and the upstream refunds; delivered orders are not cancelled', async () => {
      const balance = await balanceOf(t.souk, buyer.accountId);
      const ref = reference();
      const placed = await order(String(manualId), { reference: ref });
      assert.equal(placed.state, 'pending');
      assert.ok(placed.upstreamId);
      assert.deepEqual(placed.charged, { amount: '3.00', currency: 'USD' });
      assert.equal((await souk.findOrder!(conn, ref, null))?.state, 'pending');
      await souk.cancelOrder!(conn, ref, null);
      const after = await souk.findOrder!(conn, ref, placed.upstreamId);
      assert.equal(after?.state, 'failed');
      assert.ok(after?.state === 'failed');
      assert.match(after.reason, /^cancelled/);
      assert.equal(await balanceOf(t.souk, buyer.accountId), balance, 'the upstream gave the money back');
      // Cancelled already, or never there: nothing to do.
      await souk.cancelOrder!(conn, ref, placed.upstreamId);
      await souk.cancelOrder!(conn, `never-${ref}`, null);
      const delivered = reference();
      await order(String(cardId), { reference: delivered });
      await assertFailure(souk.cancelOrder!(conn, delivered, null), 'refused', 'invalid_state');
      assert.equal((await souk.findOrder!(conn, delivered, null))?.state, 'delivered');
    });

    test("balance is the account's available wallet amount upstream, a decimal string in its currency", async () => {
      const balance = await souk.balance!(conn);
      assert.deepEqual(balance, { amount: (await balanceOf(t.souk, buyer.accountId) / 100).toFixed(2), currency: 'USD' });
      const poor = await createReseller(t.souk, { name: 'Poor' });
      await fund(t.souk, poor.accountId, 105);
      assert.deepEqual(await souk.balance!({ ...conn, credentials: { key: poor.apiKey } }), { amount: '1.05', currency: 'USD' });
    });

    test("the order callbacks the upstream posts to callback_url verify with the account's callback secret and name our reference; altered, stale or foreign ones are refused", async () => {
      const hook = await startReceiver();
      receivers.push(hook);
      const ref = reference();
      const placed = await order(String(cardId), { reference: ref, callbackUrl: hook.url });
      const upstream = (await t.app.inject({ url: `/api/v1/orders/${placed.upstreamId}`, headers: bearer(buyer.apiKey) })).json().order;
      assert.equal(upstream.callback_url, hook.url, 'callback_url is passed on');
      await hook.waitFor((r) => r.some((x) => x.event.type === 'order.fulfilled'), undefined, 'the order.fulfilled callback');
      for (const receipt of hook.receipts) assert.deepEqual(souk.readCallback!(conn, callbackOf(receipt)), { kind: 'order', reference: ref }, receipt.event.type);
      const fulfilled = hook.receipts.find((r) => r.event.type === 'order.fulfilled')!;
      // The body changed on the way: a code swapped.
      await assertFailure(Promise.resolve().then(() => souk.readCallback!(conn, callbackOf(fulfilled, fulfilled.body.replace('UP-CARD', 'UP-FAKE')))), 'refused', 'bad_signature');
      // Signed with another secret (another account's), or with none at all.
      const other = await createReseller(t.souk, { name: 'Other' });
      const otherConn = { ...conn, credentials: { key: other.apiKey, secret: await callbackSecret(webhookDeps(), other.accountId) } };
      await assertFailure(Promise.resolve().then(() => souk.readCallback!(otherConn, callbackOf(fulfilled))), 'refused', 'bad_signature');
      await assertFailure(Promise.resolve().then(() => souk.readCallback!({ ...conn, credentials: { key: buyer.apiKey } }, callbackOf(fulfilled))), 'refused', 'no_secret');
      const unsigned = callbackOf(fulfilled);
      await assertFailure(Promise.resolve().then(() => souk.readCallback!(conn, { body: unsigned.body, headers: { ...unsigned.headers, 'webhook-signature': undefined } })), 'refused', 'unsigned');
      // The same body signed rightly, but 10 minutes ago: a replay.
      const old = signDelivery([secret], String(fulfilled.headers['webhook-id']), Math.floor(Date.now() / 1000) - 600, fulfilled.body);
      await assertFailure(Promise.resolve().then(() => souk.readCallback!(conn, { headers: { ...old }, body: fulfilled.body })), 'refused', 'stale');
      const fresh = signDelivery([secret], String(fulfilled.headers['webhook-id']), Math.floor(Date.now() / 1000), fulfilled.body);
      assert.deepEqual(souk.readCallback!(conn, { headers: { ...fresh }, body: fulfilled.body }), { kind: 'order', reference: ref });
    });

    test('product.updated deliveries verify once the webhook endpoint secret is given beside the callback secret, and name the product', async () => {
      const hook = await startReceiver();
      receivers.push(hook);
      const endpoint = await createWebhookEndpoint(webhookDeps(), buyer.accountId, { url: hook.url, events: ['product.updated'] });
      await updateProduct(stockDeps(t.souk), cardId, { price: '13.00' });
      await hook.waitFor((r) => r.some((x) => x.event.type === 'product.updated' && x.event.data.product?.id === cardId), undefined, 'the product.updated webhook');
      const receipt = hook.receipts.find((x) => x.event.data.product?.id === cardId)!;
      // The callback secret alone does not sign an endpoint's deliveries.
      await assertFailure(Promise.resolve().then(() => souk.readCallback!(conn, callbackOf(receipt))), 'refused', 'bad_signature');
      const both = { ...conn, credentials: { ...conn.credentials, secret: `${secret} ${endpoint.secret}` } };
      assert.deepEqual(souk.readCallback!(both, callbackOf(receipt)), { kind: 'product', ref: String(cardId) });
      assert.equal((await souk.getProduct!(conn, String(cardId)))?.price, '13.00');
    });
  });
}

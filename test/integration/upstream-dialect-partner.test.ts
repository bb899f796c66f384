// The `partner` upstream dialect against a real Souk serving seed 000 at /v1 on 127.0.0.1: the
// catalog, buying with our reference as partner_order_id (never twice), finding orders by that
// reference, the classified refusals, and the order callbacks Souk signs, verified and tampered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailure as failsWith } from '../helpers/upstream.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { listenLocally, orderDebitsOf, ordersOf } from '../helpers/upstream-souk.js';
import { startReceiver, type Receipt, type Receiver } from '../helpers/receiver.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { capabilitiesOf, type UpstreamCallback, type UpstreamConnection, type UpstreamOrderStatus } from '../../src/core/upstream/dialect.js';
import { dialectNamed } from '../../src/core/upstream/dialects/index.js';
import { partnerDialect } from '../../src/core/upstream/dialects/partner.js';
import { isFailure } from '../../src/core/upstream/failure.js';
import { createUpstreamHttp, type UpstreamHttp } from '../../src/core/upstream/http.js';

// Quick webhook retries; callbacks to 127.0.0.1 allowed.
const ENV = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.2,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };


function delivered(status: UpstreamOrderStatus | undefined): Extract<UpstreamOrderStatus, { state: 'delivered' }> {
  assert.equal(status?.state, 'delivered', JSON.stringify(status));
  return status as Extract<UpstreamOrderStatus, { state: 'delivered' }>;
}

/** The headers of a receipt as a callback hands them over: lower-case names, one string each. */
function callbackOf(receipt: Receipt): UpstreamCallback {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(receipt.headers)) if (typeof value === 'string') headers[name] = value;
  return { headers, body: receipt.body };
}

for (const kind of DATABASE_KINDS) {
  describe(`upstream dialect partner, against seed 000 on a real Souk (${kind})`, () => {
    let t: TestSouk;
    let http: UpstreamHttp;
    let worker: WebhookWorker;
    let receiver: Receiver;
    let baseUrl: string;
    let partner: TestReseller;
    let conn: UpstreamConnection;
    let nextReference = 1;
    const reference = () => `B-ORDER-${kind}-${nextReference++}`;
    const order = (productRef: string, ref = reference(), more: { quantity?: number; callbackUrl?: string; fields?: Record<string, string> } = {}) =>
      partnerDialect.createOrder(conn, { reference: ref, productRef, quantity: more.quantity ?? 1, fields: more.fields ?? {}, callbackUrl: more.callbackUrl });
    const admin = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });
    /** A partner account of its own, with a signed key and `minor` cents. */
    async function partnerAccount(minor: number, options: { rateLimitPerMinute?: number } = {}) {
      const account = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Downstream shop', ...options });
      if (minor) await fund(t.souk, account.accountId, minor);
      const connection: UpstreamConnection = { providerId: 1, baseUrl, credentials: { key: account.apiKey, secret: account.signingSecret! }, currency: 'USD', http };
      return { account, connection };
    }

    before(async () => {
      t = await startTestSouk(kind, { env: ENV });
      baseUrl = `${await listenLocally(t)}/v1`;
      http = createUpstreamHttp({ allowPrivate: true });
      ({ account: partner, connection: conn } = await partnerAccount(100_000));
      await stockedProduct(t.souk, { code: 'PX-CARD-10', name: { en: 'Steam card 10 USD', ar: 'بطاقة ستيم' }, price: '10.00', min_quantity: 1, max_quantity: 5 }, 6);
      await stockedProduct(t.souk, { code: 'PX-EMPTY', price: '3.50' }, 0);
      await stockedProduct(t.souk, { code: 'PX-GONE', price: '1.00', status: 'inactive' }, 2);
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'PX-HAND', name: 'Delivered by hand', price: '2.25', fulfillment: 'manual' });
      await stockedProduct(t.souk, { code: 'PX-TOPUP', name: 'Game top-up', price: '4.00', fields: [{ name: 'player_id', required: true }] }, 3);
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      receiver = await startReceiver();
    });
    after(async () => {
      await worker?.stop();
      await receiver?.close();
      http?.close();
      await t?.close();
    });

    test('it is the dialect named partner, delivers codes, finds orders by our reference, and reads callbacks (no product detail, cancel or balance on /v1)', () => {
      assert.equal(dialectNamed('partner'), partnerDialect);
      assert.equal(partnerDialect.delivers, 'codes');
      assert.equal(partnerDialect.findsByReference, true);
      assert.deepEqual(capabilitiesOf(partnerDialect), ['findOrder', 'readCallback']);
    });

    test('the catalog: every active product with its English name, decimal price and currency, counted stock, quantities and status', async () => {
      const products = await partnerDialect.listProducts(conn);
      assert.deepEqual(products.map((p) => p.ref), ['PX-CARD-10', 'PX-EMPTY', 'PX-HAND', 'PX-TOPUP']);
      const [card, empty, hand, topUp] = products;
      assert.deepEqual(card, { ref: 'PX-CARD-10', name: { en: 'Steam card 10 USD' }, price: '10.00', currency: 'USD', stock: 6, status: 'active', minQuantity: 1, maxQuantity: 5, fields: [] });
      assert.deepEqual([empty!.price, empty!.stock], ['3.50', 0]);
      // A product delivered by hand has no counted stock.
      assert.deepEqual([hand!.price, hand!.stock], ['2.25', null]);
      assert.deepEqual(topUp!.fields, [{ name: 'player_id', required: true }]);
    });

    test('a catalog longer than a page (200) is read whole, page after page', async () => {
      const many = await startTestSouk(kind);
      const local = createUpstreamHttp({ allowPrivate: true });
      try {
        const origin = await listenLocally(many);
        for (let i = 1; i <= 205; i++) await createProduct({ db: many.souk.db, bus: many.souk.bus }, { code: `BULK-${String(i).padStart(3, '0')}`, name: `Bulk ${i}`, price: `${i}.00`, fulfillment: 'manual' });
        const key = await createReseller(many.souk, { kind: 'partner', signed: true });
        const products = await partnerDialect.listProducts({ providerId: 2, baseUrl: `${origin}/v1`, credentials: { key: key.apiKey, secret: key.signingSecret! }, currency: 'USD', http: local });
        assert.equal(products.length, 205);
        assert.equal(new Set(products.map((p) => p.ref)).size, 205);
        assert.deepEqual(products.at(-1), { ref: 'BULK-205', name: { en: 'Bulk 205' }, price: '205.00', currency: 'USD', stock: null, status: 'active', minQuantity: 1, maxQuantity: 200, fields: [] });
      } finally {
        local.close();
        await many.close();
      }
    });

    test('a create delivers exactly the codes imported upstream, charges the wallet once, and carries our reference as partner_order_id', async () => {
      const ref = reference();
      const before = await balanceOf(t.souk, partner.accountId);
      const status = delivered(await order('PX-CARD-10', ref, { quantity: 2 }));
      assert.equal(status.codes.length, 2);
      for (const code of status.codes) assert.match(code, /^PX-CARD-10-000[1-6]$/);
      assert.deepEqual(status.charged, { amount: '20.00', currency: 'USD' });
      assert.equal(await balanceOf(t.souk, partner.accountId), before - 2000);
      const upstream = await t.souk.db.selectFrom('orders').select(['id', 'client_order_id', 'quantity']).where('id', '=', status.upstreamId).executeTakeFirstOrThrow();
      assert.deepEqual(upstream, { id: status.upstreamId, client_order_id: ref, quantity: 2 });
      // The codes are the ones sold upstream for this order, opened.
      const sold = await t.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', status.upstreamId).execute();
      assert.deepEqual(sold.map((item) => t.souk.vault.open(item.code_enc)).sort(), [...status.codes].sort());
    });

    test('the same create again (a retry after a lost answer) buys nothing: the first order, the same codes, one order and one debit upstream', async () => {
      const ref = reference();
      const first = delivered(await order('PX-CARD-10', ref));
      const orders = await ordersOf(t.souk, partner.accountId);
      const debits = await orderDebitsOf(t.souk, partner.accountId);
      const balance = await balanceOf(t.souk, partner.accountId);
      const again = delivered(await order('PX-CARD-10', ref));
      assert.deepEqual(again, first);
      // Asked with another body (the quantity changed): the API answers 422, and the original is found.
      const changed = delivered(await order('PX-CARD-10', ref, { quantity: 3 }));
      assert.deepEqual(changed, first);
      assert.equal(await ordersOf(t.souk, partner.accountId), orders);
      assert.equal(await orderDebitsOf(t.souk, partner.accountId), debits);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance);
    });

    test("the buyer's checkout fields reach the upstream order; without a required one the order is refused validation_error", async () => {
      const status = delivered(await order('PX-TOPUP', reference(), { fields: { player_id: 'P-778899' } }));
      const upstream = await t.souk.db.selectFrom('orders').select('fields').where('id', '=', status.upstreamId).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(upstream.fields), { player_id: 'P-778899' });
      const refusal = await failsWith(order('PX-TOPUP'), 'refused', 'validation_error');
      assert.equal(refusal.detail.status, 400);
    });

    test('findOrder finds an order by our reference alone, or by the upstream id; an unknown reference is undefined', async () => {
      const ref = reference();
      const placed = delivered(await order('PX-CARD-10', ref));
      assert.deepEqual(await partnerDialect.findOrder!(conn, ref, null), placed);
      assert.deepEqual(await partnerDialect.findOrder!(conn, ref, placed.upstreamId), placed);
      assert.equal(await partnerDialect.findOrder!(conn, `${ref}-never-sent`, null), undefined);
      // Another partner's order is not ours to find.
      const other = await partnerAccount(0);
      assert.equal(await partnerDialect.findOrder!(other.connection, ref, null), undefined);
    });

    test('an order delivered by hand is pending (queued/verifying) until fulfilled, then delivered with those codes; a rejected one is failed with its reason', async () => {
      const ref = reference();
      const pending = await order('PX-HAND', ref);
      assert.equal(pending.state, 'pending');
      assert.ok(pending.upstreamId);
      assert.deepEqual(await partnerDialect.findOrder!(conn, ref, null), pending);
      const fulfil = await admin(`/orders/${pending.upstreamId}/fulfil`, { codes: ['HAND-CODE-1'] });
      assert.equal(fulfil.statusCode, 200, fulfil.body);
      const done = delivered(await partnerDialect.findOrder!(conn, ref, null));
      assert.deepEqual([done.upstreamId, done.codes], [pending.upstreamId, ['HAND-CODE-1']]);

      const refusedRef = reference();
      const second = await order('PX-HAND', refusedRef);
      const reject = await admin(`/orders/${second.upstreamId}/reject`, { reason: 'the player id does not exist' });
      assert.equal(reject.statusCode, 200, reject.body);
      const failed = await partnerDialect.findOrder!(conn, refusedRef, null);
      assert.equal(failed?.state, 'failed');
      assert.equal(failed.upstreamId, second.upstreamId);
      assert.match(failed.state === 'failed' ? failed.reason : '', /the player id does not exist/);
    });

    test('out of stock, an unknown product and a short wallet are refused with the upstream codes; nothing is bought', async () => {
      const orders = await ordersOf(t.souk, partner.accountId);
      const balance = await balanceOf(t.souk, partner.accountId);
      await failsWith(order('PX-EMPTY'), 'refused', 'out_of_stock');
      await failsWith(order('PX-CARD-10', reference(), { quantity: 5 }), 'refused', 'out_of_stock');
      await failsWith(order('PX-NOWHERE'), 'refused', 'item_not_found');
      await failsWith(order('PX-GONE'), 'refused', 'item_not_found');
      assert.equal(await ordersOf(t.souk, partner.accountId), orders);
      assert.equal(await balanceOf(t.souk, partner.accountId), balance);

      const poor = await partnerAccount(500);
      const refusal = await failsWith(partnerDialect.createOrder(poor.connection, { reference: reference(), productRef: 'PX-CARD-10', quantity: 1, fields: {} }), 'refused', 'insufficient_balance');
      assert.equal(refusal.detail.status, 402);
      assert.equal(await ordersOf(t.souk, poor.account.accountId), 0);
      assert.equal(await balanceOf(t.souk, poor.account.accountId), 500);
    });

    test('a wrong signing secret is refused 401 unauthorized, and no secret at all is refused before any request; no message carries a credential', async () => {
      const wrong = { ...conn, credentials: { key: partner.apiKey, secret: 'ss_not-the-secret' } };
      const refusal = await failsWith(partnerDialect.listProducts(wrong), 'refused', 'unauthorized');
      assert.equal(refusal.detail.status, 401);
      const calls: string[] = [];
      const counting: UpstreamHttp = { call: (request) => (calls.push(request.url), http.call(request)), close: () => {} };
      const missing = await failsWith(partnerDialect.createOrder({ ...conn, http: counting, credentials: { key: partner.apiKey } }, { reference: reference(), productRef: 'PX-CARD-10', quantity: 1, fields: {} }), 'refused', 'missing_secret');
      assert.deepEqual(calls, []);
      for (const failure of [refusal, missing]) {
        const text = failure.message + JSON.stringify(failure.detail);
        assert.equal(text.includes(partner.apiKey), false);
        assert.equal(text.includes(partner.signingSecret!), false);
      }
    });

    test("past the key's rate limit the API answers 429: retryable, with the wait it asks for", async () => {
      const limited = await partnerAccount(0, { rateLimitPerMinute: 1 });
      await partnerDialect.listProducts(limited.connection);
      const failure = await failsWith(partnerDialect.listProducts(limited.connection), 'retryable', 'rate_limited');
      assert.equal(failure.detail.status, 429);
      assert.ok(failure.detail.retryAfterMs !== undefined && failure.detail.retryAfterMs > 0 && failure.detail.retryAfterMs <= 60_000, String(failure.detail.retryAfterMs));
    });

    test("the order callbacks Souk signs verify and name our reference; a tampered body, a wrong secret or no signature is refused", async () => {
      const ref = reference();
      const placed = delivered(await order('PX-CARD-10', ref, { callbackUrl: receiver.url }));
      const about = (r: Receipt) => (JSON.parse(r.body) as { data: { order: { order_id: string } } }).data.order.order_id === placed.upstreamId;
      await receiver.waitFor((receipts) => receipts.some((r) => about(r) && r.event.type === 'order.fulfilled'), WAIT_CEILING_MS, 'the order.fulfilled callback');
      const receipts = receiver.receipts.filter(about);
      assert.deepEqual(receipts.map((r) => r.event.type), ['order.created', 'order.fulfilled']);
      for (const receipt of receipts) assert.deepEqual(partnerDialect.readCallback!(conn, callbackOf(receipt)), { kind: 'order', reference: ref });

      const genuine = callbackOf(receipts.at(-1)!);
      const tampered = { ...genuine, body: genuine.body.replace(ref, `${ref}-X`) };
      assert.notEqual(tampered.body, genuine.body);
      assert.throws(() => partnerDialect.readCallback!(conn, tampered), (error) => isFailure(error, 'refused') && error.code === 'bad_signature');
      const otherSecret = { ...conn, credentials: { key: partner.apiKey, secret: 'ss_someone-else' } };
      assert.throws(() => partnerDialect.readCallback!(otherSecret, genuine), (error) => isFailure(error, 'refused') && error.code === 'bad_signature');
      const unsigned = { headers: { ...genuine.headers, 'x-signature': undefined }, body: genuine.body };
      assert.throws(() => partnerDialect.readCallback!(conn, unsigned), (error) => isFailure(error, 'refused') && error.code === 'bad_signature');
    });
  });
}

// The `shop` upstream dialect against a real Souk serving seed 004 at /api on 127.0.0.1: the
// catalog (ids, names in English and Chinese, prices as numbers in the shop's currency), buying
// from a customer's balance with our reference as the Idempotency-Key (never twice), finding an
// order by its number (status, then the rate-limited order query for the items), the balance, and
// the classified refusals. The order query allows 3 requests per IP a minute: the tests that use
// it are counted, and the one that runs into its limit comes last.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailure as failsWith } from '../helpers/upstream.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { listenLocally, orderDebitsOf, ordersOf } from '../helpers/upstream-souk.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { registerCustomer } from '../../src/core/customers/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { capabilitiesOf, type UpstreamConnection, type UpstreamOrderStatus } from '../../src/core/upstream/dialect.js';
import { dialectNamed } from '../../src/core/upstream/dialects/index.js';
import { shopDialect } from '../../src/core/upstream/dialects/shop.js';
import { isFailure, UpstreamFailure } from '../../src/core/upstream/failure.js';
import { createUpstreamHttp, type UpstreamHttp, type UpstreamRequest } from '../../src/core/upstream/http.js';

const PASSWORD = 'correct horse battery';


function delivered(status: UpstreamOrderStatus | undefined): Extract<UpstreamOrderStatus, { state: 'delivered' }> {
  assert.equal(status?.state, 'delivered', JSON.stringify(status));
  return status as Extract<UpstreamOrderStatus, { state: 'delivered' }>;
}

/** An UpstreamHttp over `http` that records each request's path, and may rewrite a request before it goes. */
function recording(http: UpstreamHttp, rewrite: (request: UpstreamRequest, index: number) => UpstreamRequest = (r) => r) {
  const paths: string[] = [];
  const client: UpstreamHttp = {
    call: (request) => (paths.push(`${request.method} ${request.url}`), http.call(rewrite(request, paths.length - 1))),
    close: () => {},
  };
  return { client, paths };
}

for (const kind of DATABASE_KINDS) {
  describe(`upstream dialect shop, against seed 004 on a real Souk (${kind})`, () => {
    let t: TestSouk;
    let http: UpstreamHttp;
    let baseUrl: string;
    let conn: UpstreamConnection;
    let customer: { accountId: number; email: string };
    /** The upstream's product ids, as the shop API names them. */
    const ids = { gmail: '', steam: '', empty: '', gone: '', hand: '' };
    let nextReference = 1;
    const reference = () => `B-SHOP-${kind}-${nextReference++}`;
    const order = (productRef: string, quantity = 1, ref = reference(), connection = conn) =>
      shopDialect.createOrder(connection, { reference: ref, productRef, quantity, fields: {} });
    const admin = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });
    /** A customer registered on the shop with `minor` fen in their CNY balance, and a connection as them. */
    async function customerWith(minor: number, email: string) {
      const registered = await registerCustomer(t.souk.db, { email, password: PASSWORD }, 'CNY');
      if (minor) await fund(t.souk, registered.accountId, minor, 'CNY');
      const connection: UpstreamConnection = { providerId: 1, baseUrl, credentials: { key: '', username: email, password: PASSWORD }, currency: 'CNY', http };
      return { account: { accountId: registered.accountId, email }, connection };
    }

    before(async () => {
      // The shop's currency is CNY (the default): prices and the balance are in it.
      t = await startTestSouk(kind, { env: { SOUK_SHOP_CURRENCY: 'CNY' } });
      baseUrl = `${await listenLocally(t)}/api`;
      http = createUpstreamHttp({ allowPrivate: true });
      ({ account: customer, connection: conn } = await customerWith(100_000, 'reseller@example.com'));
      // The document's example product: 0.5 a unit, at least 5 a time.
      ids.gmail = String(
        await stockedProduct(t.souk, { code: 'GMAIL-USA', slug: 'gmail-usa-fresh', name: { en: 'Google Workspace / Education Email', zh: '谷歌企业/教育邮箱' }, price: '0.50', currency: 'CNY', min_quantity: 5 }, 44),
      );
      // Priced in USD, listed in CNY at the shop's rate.
      await setFxRate(t.souk, 'USD', 'CNY', '7.2');
      ids.steam = String(await stockedProduct(t.souk, { code: 'STEAM-20', name: 'Steam 20 USD', price: '20.00', currency: 'USD' }, 3));
      ids.empty = String(await stockedProduct(t.souk, { code: 'EMPTY-1', name: 'Sold out', price: '1.00', currency: 'CNY' }, 0));
      ids.gone = String(await stockedProduct(t.souk, { code: 'GONE-1', name: 'Withdrawn', price: '1.00', currency: 'CNY', status: 'inactive' }, 2));
      ids.hand = String((await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'HAND-1', name: 'Delivered by hand', price: '3.00', currency: 'CNY', fulfillment: 'manual' })).id);
    });
    after(async () => {
      http?.close();
      await t?.close();
    });

    test('it is the dialect named shop, delivers codes, cannot find an order by our reference, and has product detail and balance (no cancel, no callbacks)', () => {
      assert.equal(dialectNamed('shop'), shopDialect);
      assert.equal(shopDialect.delivers, 'codes');
      assert.equal(shopDialect.findsByReference, false);
      assert.deepEqual(capabilitiesOf(shopDialect), ['getProduct', 'findOrder', 'balance']);
    });

    test("the catalog: each active product by id, names {en, zh}, the numeric price as a decimal string in the shop's currency, stock and min_quantity", async () => {
      const products = await shopDialect.listProducts(conn);
      assert.deepEqual(products.map((p) => p.ref), [ids.gmail, ids.steam, ids.empty, ids.hand]);
      const [gmail, steam, empty] = products;
      assert.deepEqual(gmail, {
        ref: ids.gmail,
        name: { en: 'Google Workspace / Education Email', zh: '谷歌企业/教育邮箱' },
        price: '0.50',
        currency: 'CNY',
        stock: 44,
        status: 'active',
        minQuantity: 5,
        maxQuantity: 200,
      });
      // 20.00 USD at 7.2: "price": 144 on the wire. An English-only name is not repeated as Chinese.
      assert.deepEqual([steam!.name, steam!.price, steam!.stock], [{ en: 'Steam 20 USD' }, '144.00', 3]);
      assert.deepEqual([empty!.price, empty!.stock], ['1.00', 0]);
    });

    test('one product by its id, as the list shows it; an unknown or inactive one is undefined', async () => {
      const listed = (await shopDialect.listProducts(conn)).find((p) => p.ref === ids.gmail);
      assert.deepEqual(await shopDialect.getProduct!(conn, ids.gmail), listed);
      assert.equal(await shopDialect.getProduct!(conn, '999999'), undefined);
      assert.equal(await shopDialect.getProduct!(conn, ids.gone), undefined);
    });

    test("a create pays from the customer's balance and delivers exactly the codes sold upstream; the upstream id is the order number", async () => {
      const before = await balanceOf(t.souk, customer.accountId, 'CNY');
      const status = delivered(await order(ids.gmail, 5));
      assert.match(status.upstreamId, /^SK-/);
      assert.equal(status.codes.length, 5);
      assert.deepEqual(status.charged, { amount: '2.50', currency: 'CNY' });
      assert.equal(await balanceOf(t.souk, customer.accountId, 'CNY'), before - 250);
      const upstream = await t.souk.db.selectFrom('orders').select(['id', 'quantity', 'buyer_email']).where('number', '=', status.upstreamId).executeTakeFirstOrThrow();
      assert.deepEqual([upstream.quantity, upstream.buyer_email], [5, customer.email]);
      const sold = await t.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', upstream.id).execute();
      assert.deepEqual(sold.map((item) => t.souk.vault.open(item.code_enc)).sort(), [...status.codes].sort());
    });

    test('the same create again (a retry after a lost answer) buys nothing: the Idempotency-Key answers the first order; asked differently it is unknown, never a second purchase', async () => {
      const ref = reference();
      const first = delivered(await order(ids.steam, 1, ref));
      assert.deepEqual(first.charged, { amount: '144.00', currency: 'CNY' });
      const orders = await ordersOf(t.souk, customer.accountId);
      const debits = await orderDebitsOf(t.souk, customer.accountId);
      const balance = await balanceOf(t.souk, customer.accountId, 'CNY');
      assert.deepEqual(await order(ids.steam, 1, ref), first);
      // Another quantity under the same reference: the shop says the reference was used (422), and only the order number finds that order.
      await failsWith(order(ids.steam, 2, ref), 'unknown', 'idempotency_key_reused');
      assert.equal(await ordersOf(t.souk, customer.accountId), orders);
      assert.equal(await orderDebitsOf(t.souk, customer.accountId), debits);
      assert.equal(await balanceOf(t.souk, customer.accountId, 'CNY'), balance);
    });

    test('findOrder by the order number reads the status, then the delivered items from the order query; an unknown number is undefined; without a number it cannot look', async () => {
      const placed = delivered(await order(ids.gmail, 5));
      const { client, paths } = recording(http);
      const found = await shopDialect.findOrder!({ ...conn, http: client }, 'our-reference', placed.upstreamId);
      assert.deepEqual(found, placed);
      assert.deepEqual(paths, [`GET /orders/${placed.upstreamId}/status`, 'POST /orders/query']); // order query: 1 of 3 this minute
      assert.equal(await shopDialect.findOrder!(conn, 'our-reference', 'SK-0000-0000-0000'), undefined);
      await failsWith(shopDialect.findOrder!(conn, 'our-reference', null), 'unknown', 'needs_upstream_id');
    });

    test('an order delivered by hand is pending from its status alone (no order query) until fulfilled, then delivered with those codes; a rejected one is failed', async () => {
      const pending = await order(ids.hand);
      assert.equal(pending.state, 'pending');
      assert.ok(pending.upstreamId);
      const { client, paths } = recording(http);
      assert.deepEqual(await shopDialect.findOrder!({ ...conn, http: client }, 'ref', pending.upstreamId), { state: 'pending', upstreamId: pending.upstreamId });
      assert.deepEqual(paths, [`GET /orders/${pending.upstreamId}/status`]);
      const id = (await t.souk.db.selectFrom('orders').select('id').where('number', '=', pending.upstreamId!).executeTakeFirstOrThrow()).id;
      const fulfil = await admin(`/orders/${id}/fulfil`, { codes: ['HAND-CODE-1'] });
      assert.equal(fulfil.statusCode, 200, fulfil.body);
      const done = delivered(await shopDialect.findOrder!(conn, 'ref', pending.upstreamId)); // order query: 2 of 3 this minute
      assert.deepEqual([done.upstreamId, done.codes, done.charged], [pending.upstreamId, ['HAND-CODE-1'], { amount: '3.00', currency: 'CNY' }]);

      const second = await order(ids.hand);
      const secondId = (await t.souk.db.selectFrom('orders').select('id').where('number', '=', second.upstreamId!).executeTakeFirstOrThrow()).id;
      assert.equal((await admin(`/orders/${secondId}/reject`, { reason: 'no longer available' })).statusCode, 200);
      assert.deepEqual(await shopDialect.findOrder!(conn, 'ref', second.upstreamId), { state: 'failed', upstreamId: second.upstreamId, reason: 'failed upstream' });
    });

    test('out of stock, an unknown or inactive product and a short balance are refused with their codes; nothing is bought', async () => {
      const orders = await ordersOf(t.souk, customer.accountId);
      const balance = await balanceOf(t.souk, customer.accountId, 'CNY');
      // The shop checks the quantity against the stock first (400 naming quantity): out of stock.
      const sold = await failsWith(order(ids.empty), 'refused', 'out_of_stock');
      assert.equal(sold.detail.status, 400);
      await failsWith(order(ids.steam, 3), 'refused', 'out_of_stock');
      await failsWith(order('999999'), 'refused', 'item_not_found');
      await failsWith(order(ids.gone), 'refused', 'item_not_found');
      await failsWith(order(ids.gmail, 201), 'refused', 'validation_error');
      assert.equal(await ordersOf(t.souk, customer.accountId), orders);
      assert.equal(await balanceOf(t.souk, customer.accountId, 'CNY'), balance);

      const poor = await customerWith(100, 'poor@example.com');
      const refusal = await failsWith(order(ids.steam, 1, reference(), poor.connection), 'refused', 'insufficient_balance');
      assert.equal(refusal.detail.status, 402);
      assert.equal(await ordersOf(t.souk, poor.account.accountId), 0);
    });

    test("balance: the customer's balance in the shop's currency, as a decimal string", async () => {
      const funded = await customerWith(12_345, 'balance@example.com');
      assert.deepEqual(await shopDialect.balance!(funded.connection), { amount: '123.45', currency: 'CNY' });
      delivered(await order(ids.gmail, 5, reference(), funded.connection));
      assert.deepEqual(await shopDialect.balance!(funded.connection), { amount: '120.95', currency: 'CNY' });
    });

    test('one login serves every call; a token the shop refuses (401) is replaced by one new login and the call made again', async () => {
      const buyer = await customerWith(10_000, 'tokens@example.com');
      const { client, paths } = recording(http);
      const connection = { ...buyer.connection, http: client };
      await shopDialect.balance!(connection);
      delivered(await order(ids.gmail, 5, reference(), connection));
      await shopDialect.balance!(connection);
      assert.deepEqual(paths, ['POST /auth/login', 'GET /auth/me', 'POST /orders', 'GET /auth/me']);

      // A client whose first customer call carries a token the shop does not know.
      let spoiled = false;
      const spoiling = recording(http, (request) => {
        if (spoiled || !request.headers?.authorization) return request;
        spoiled = true;
        return { ...request, headers: { ...request.headers, authorization: 'Bearer aa.bb.cc' } };
      });
      const status = delivered(await order(ids.gmail, 5, reference(), { ...buyer.connection, http: spoiling.client }));
      assert.equal(status.codes.length, 5);
      assert.deepEqual(spoiling.paths, ['POST /auth/login', 'POST /orders', 'POST /auth/login', 'POST /orders']);
      assert.equal(await ordersOf(t.souk, buyer.account.accountId), 2);
    });

    test('a wrong password is refused 401 unauthorized, and no login at all is refused before any request; no message carries a credential', async () => {
      const wrong = { ...conn, credentials: { key: '', username: customer.email, password: 'not the password' } };
      const refusal = await failsWith(shopDialect.balance!(wrong), 'refused', 'unauthorized');
      assert.equal(refusal.detail.status, 401);
      const { client, paths } = recording(http);
      const missing = await failsWith(order(ids.gmail, 5, reference(), { ...conn, http: client, credentials: { key: '', username: customer.email } }), 'refused', 'missing_login');
      assert.deepEqual(paths, []);
      for (const failure of [refusal, missing]) assert.equal((failure.message + JSON.stringify(failure.detail)).includes(PASSWORD), false);
    });

    // Last: it spends what is left of this minute's order query budget.
    test("the order query's limit (3 per IP, 2 per order and e-mail a minute) answers 429: findOrder fails retryable, with the wait the shop asks for", async () => {
      const placed = delivered(await order(ids.gmail, 5));
      let failure: UpstreamFailure | undefined;
      for (let attempt = 0; attempt < 3 && !failure; attempt++) {
        try {
          assert.deepEqual(await shopDialect.findOrder!(conn, 'ref', placed.upstreamId), placed);
        } catch (error) {
          assert.ok(isFailure(error), String(error));
          failure = error;
        }
      }
      assert.ok(failure, 'three order queries in a row (after two this minute) were all answered');
      assert.deepEqual([failure.failure, failure.code, failure.detail.status], ['retryable', 'rate_limited', 429]);
      assert.ok(failure.detail.retryAfterMs !== undefined && failure.detail.retryAfterMs > 0 && failure.detail.retryAfterMs <= 60_000, String(failure.detail.retryAfterMs));
    });
  });
}

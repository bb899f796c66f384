// Conformance of the shop profile at /api with seed 004 (the public shop API document): every
// request the document shows, every field, status word, status code and error it implies, on
// SQLite and PostgreSQL, through the real server (app.inject with a client address) and database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockedProduct } from '../helpers/orders.js';
import { setWalletCheckout, checkInvariants } from '../../src/core/orders/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { createCoupon } from '../../src/core/coupons/index.js';

const EMAIL = 'buyer@example.com';
const PASSWORD = 'correct horse battery';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

type Headers = Record<string, string>;

interface ShopError {
  success: false;
  ok: false;
  error: string;
  errorCode: string;
  message: string;
  request_id: string;
  fields?: Array<{ field: string; message: string }>;
  retry_after_seconds?: number;
}

/** A seed 004 error: `success: false` plus the shared envelope, with the status and code given. */
function assertShopError(res: LightMyRequestResponse, status: number, code: string, context = ''): ShopError {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  const body = res.json<ShopError>();
  assert.equal(body.success, false, context);
  assert.equal(body.ok, false, context);
  assert.equal(body.error, code, `${context}: ${res.body}`);
  assert.equal(body.errorCode, code, context);
  assert.ok(typeof body.message === 'string' && body.message.length > 0, context);
  assert.equal(body.request_id, res.headers['x-request-id'], context);
  return body;
}

/** A 400 validation_error naming `field`. */
function assertInvalid(res: LightMyRequestResponse, field: string, context: string): ShopError {
  const body = assertShopError(res, 400, 'validation_error', context);
  assert.ok(body.fields?.some((f) => f.field === field), `${context}: no problem named ${field}: ${res.body}`);
  return body;
}

function assertRateLimited(res: LightMyRequestResponse, context: string) {
  const body = assertShopError(res, 429, 'rate_limited', context);
  const retryAfter = res.headers['retry-after'];
  assert.match(String(retryAfter), /^\d+$/, `${context}: Retry-After ${String(retryAfter)}`);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `${context}: Retry-After ${String(retryAfter)}`);
  assert.equal(body.retry_after_seconds, Number(retryAfter), context);
}

for (const kind of DATABASE_KINDS) {
  describe(`shop profile, seed 004 (${kind})`, () => {
    let t: TestSouk;
    let productId: number;
    let customerToken: string;
    let customerAccountId: number;
    /** Each test that spends the order lookup's per-IP budget takes an address of its own. */
    let nextAddress = 10;
    const address = () => `10.0.0.${nextAddress++}`;

    const get = (url: string, headers: Headers = {}, remoteAddress = '127.0.0.1') => t.app.inject({ method: 'GET', url, headers, remoteAddress });
    const post = (url: string, payload: object, headers: Headers = {}, remoteAddress = '127.0.0.1') => t.app.inject({ method: 'POST', url, payload, headers, remoteAddress });
    const order = (payload: object, token?: string) => post('/api/orders', payload, token ? bearer(token) : {});
    const admin = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: bearer(t.adminKey) });

    /** What an order could have reserved or written: orders, the listed stock and the codes left. */
    async function reserved() {
      const orders = await t.souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      const product = await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow();
      const codes = await t.souk.db
        .selectFrom('stock_items')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('product_id', '=', productId)
        .where('status', '=', 'available')
        .executeTakeFirstOrThrow();
      return { orders: Number(orders.n), stock: product.stock_available, codes: Number(codes.n) };
    }

    async function me(token: string) {
      const res = await get('/api/auth/me', bearer(token));
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ success: true; user: { email: string; balance: number; balance_crypto: number } }>().user;
    }

    /** A customer registered over the shop API and funded through the admin API's wallet top-up. */
    async function fundedCustomer(email: string, cny: string, usd: string) {
      const registered = await post('/api/auth/register', { email, password: PASSWORD });
      assert.equal(registered.statusCode, 200, registered.body);
      const token = registered.json<{ token: string }>().token;
      const accounts = (await admin('GET', '/admin/api/accounts')).json<{ accounts: Array<{ id: number; name: string; kind: string }> }>().accounts;
      const account = accounts.find((a) => a.name === email.toLowerCase());
      assert.ok(account, `no account for ${email}`);
      assert.equal(account.kind, 'customer');
      for (const [amount, currency] of [[cny, 'CNY'], [usd, 'USD']] as const) {
        if (amount === '0') continue;
        const topUp = await admin('POST', `/admin/api/accounts/${account.id}/wallets/topup`, { amount, currency });
        assert.equal(topUp.statusCode, 200, topUp.body);
        assert.equal(topUp.json().wallet.currency, currency);
      }
      return { token, accountId: account.id };
    }

    before(async () => {
      t = await startTestSouk(kind);
      // The document's example product: 0.5 a unit, at least 5 a time, 44 in stock.
      productId = await stockedProduct(
        t.souk,
        { code: 'GMAIL-USA', slug: 'gmail-usa-fresh', name: { en: 'Google Workspace / Education Email', zh: '谷歌企业/教育邮箱' }, price: '0.50', currency: 'CNY', min_quantity: 5 },
        44,
      );
      await stockedProduct(t.souk, { code: 'HIDDEN-1', name: 'Not for sale', price: '1.00', status: 'inactive' }, 1);
      await setFxRate(t.souk, 'CNY', 'USD', '0.14');
      ({ token: customerToken, accountId: customerAccountId } = await fundedCustomer(EMAIL, '100.00', '10.00'));
    });
    after(() => t.close());

    test('GET /api/products: success and the active products, each with exactly the documented fields', async () => {
      const res = await get('/api/products');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{ success: boolean; products: Array<Record<string, unknown>> }>();
      assert.equal(body.success, true);
      assert.deepEqual(body.products, [
        { id: String(productId), slug: 'gmail-usa-fresh', name_zh: '谷歌企业/教育邮箱', name_en: 'Google Workspace / Education Email', stock: 44, min_quantity: 5, price: 0.5 },
      ]);
    });

    test('GET /api/products/:idOrSlug by id and by slug; unknown or inactive is 404', async () => {
      const byId = await get(`/api/products/${productId}`);
      assert.equal(byId.statusCode, 200, byId.body);
      const bySlug = await get('/api/products/gmail-usa-fresh');
      assert.equal(bySlug.statusCode, 200, bySlug.body);
      assert.deepEqual(bySlug.json(), byId.json());
      assert.equal(byId.json().success, true);
      assert.deepEqual(Object.keys(byId.json().product).sort(), ['id', 'min_quantity', 'name_en', 'name_zh', 'price', 'slug', 'stock']);
      assert.equal(byId.json().product.id, String(productId));
      assertShopError(await get('/api/products/no-such-product'), 404, 'item_not_found', 'unknown slug');
      assertShopError(await get('/api/products/999999'), 404, 'item_not_found', 'unknown id');
      assertShopError(await get('/api/products/hidden-1'), 404, 'item_not_found', 'inactive product');
    });

    test('register and log in: a token for {email, password}; a taken e-mail is 409; a wrong password 401', async () => {
      const registered = await post('/api/auth/register', { email: 'new.customer@example.com', password: PASSWORD });
      assert.equal(registered.statusCode, 200, registered.body);
      assert.equal(registered.json().success, true);
      assert.equal(typeof registered.json().token, 'string');
      assert.deepEqual(await me(registered.json().token), { email: 'new.customer@example.com', balance: 0, balance_crypto: 0 });

      const taken = assertShopError(await post('/api/auth/register', { email: 'New.Customer@Example.com', password: PASSWORD }), 409, 'email_taken', 'duplicate');
      assert.equal(taken.fields?.[0]?.field, 'email');
      assertInvalid(await post('/api/auth/register', { email: 'not-an-email', password: PASSWORD }), 'email', 'bad e-mail');
      assertInvalid(await post('/api/auth/register', { email: 'short@example.com', password: 'short' }), 'password', 'short password');
      assertInvalid(await post('/api/auth/register', { email: 'nopass@example.com' }), 'password', 'no password');

      const login = await post('/api/auth/login', { email: 'NEW.customer@example.com', password: PASSWORD });
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(login.json().success, true);
      assert.equal((await me(login.json().token)).email, 'new.customer@example.com');
      assertShopError(await post('/api/auth/login', { email: 'new.customer@example.com', password: 'wrong password!' }), 401, 'unauthorized', 'wrong password');
      assertShopError(await post('/api/auth/login', { email: 'nobody@example.com', password: PASSWORD }), 401, 'unauthorized', 'unknown e-mail');
    });

    test('a customer token opens only the shop; API keys and API tokens are not customer tokens', async () => {
      assertShopError(await get('/api/auth/me'), 401, 'unauthorized', 'no token');
      assertShopError(await get('/api/auth/me', bearer('not.a.token')), 401, 'unauthorized', 'garbage token');
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: bearer(customerToken) })).statusCode, 401);
      assert.equal((await t.app.inject({ url: '/admin/api/accounts', headers: bearer(customerToken) })).statusCode, 401);
      const reseller = await createReseller(t.souk);
      assertShopError(await get('/api/auth/me', bearer(reseller.apiKey)), 401, 'unauthorized', 'API key');
      const apiToken = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { key_id: reseller.keyId, secret: reseller.apiKey } });
      assert.equal(apiToken.statusCode, 200, apiToken.body);
      assertShopError(await get('/api/auth/me', bearer(apiToken.json().token)), 401, 'unauthorized', 'API token');
      const login = await createLogin(t.souk, reseller.accountId);
      const userToken = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: login });
      assertShopError(await get('/api/auth/me', bearer(userToken.json().token)), 401, 'unauthorized', 'API user token');
      // And a customer's password opens no API token.
      const viaApi = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username: EMAIL, password: PASSWORD } });
      assert.equal(viaApi.statusCode, 401);
    });

    test('GET /api/payment-config: balances available with wallet checkout on, providers unavailable, coins listed', async () => {
      const res = await get('/api/payment-config');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        success: true,
        paymentMethods: [
          { name: 'crypto', available: false },
          { name: 'balance_cny', available: true },
          { name: 'balance_crypto', available: true },
          { name: 'alipay', available: false },
          { name: 'wechat', available: false },
        ],
        coins: ['trc20_usdt', 'erc20_usdt', 'bep20_usdt', 'btc', 'eth', 'trx', 'bnb'].map((name) => ({ name, available: false })),
      });
      await setWalletCheckout(t.souk.db, false);
      try {
        const off = (await get('/api/payment-config')).json<{ paymentMethods: Array<{ name: string; available: boolean }> }>();
        assert.deepEqual(off.paymentMethods.filter((m) => m.available), []);
        const before = await reserved();
        assertShopError(await order({ productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod: 'balance_cny' }, customerToken), 400, 'payment_method_unavailable', 'wallet checkout off');
        assert.deepEqual(await reserved(), before);
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
    });

    test('the crypto payment example (and alipay, wechat): 400 payment_method_unavailable, nothing reserved', async () => {
      const before = await reserved();
      const crypto = { productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod: 'crypto', coin: 'trc20_usdt' };
      const res = assertShopError(await order(crypto), 400, 'payment_method_unavailable', 'crypto');
      assert.match(res.message, /payment-config/);
      assertShopError(await order(crypto, customerToken), 400, 'payment_method_unavailable', 'crypto with a token');
      for (const paymentMethod of ['alipay', 'wechat']) {
        assertShopError(await order({ productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod }), 400, 'payment_method_unavailable', paymentMethod);
      }
      assert.deepEqual(await reserved(), before);
    });

    test('validation, each rule as documented: 400 naming the field, nothing reserved', async () => {
      const valid = { productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod: 'balance_cny' };
      const before = await reserved();
      const slug = assertInvalid(await order({ ...valid, productId: 'gmail-usa-fresh' }, customerToken), 'productId', 'slug as productId');
      assert.match(slug.message, /id from GET \/api\/products/);
      assertInvalid(await order({ ...valid, productId: 'GMAIL-USA' }, customerToken), 'productId', 'code as productId');
      const below = assertInvalid(await order({ ...valid, quantity: 4 }, customerToken), 'quantity', 'below min_quantity');
      assert.match(below.message, /from 5 to 200/);
      assertInvalid(await order({ ...valid, quantity: 201 }, customerToken), 'quantity', 'above 200');
      const aboveStock = assertInvalid(await order({ ...valid, quantity: 45 }, customerToken), 'quantity', 'above stock');
      assert.match(aboveStock.message, /stock/);
      assertInvalid(await order({ ...valid, quantity: 5.5 }, customerToken), 'quantity', 'not an integer');
      assertInvalid(await order({ ...valid, quantity: 'ten' }, customerToken), 'quantity', 'not a number');
      const { contactEmail: _omitted, ...noEmail } = valid;
      assertInvalid(await order(noEmail, customerToken), 'contactEmail', 'missing contactEmail');
      assertInvalid(await order({ ...valid, contactEmail: 'buyer-at-example.com' }, customerToken), 'contactEmail', 'invalid contactEmail');
      const method = assertInvalid(await order({ ...valid, paymentMethod: 'paypal' }, customerToken), 'paymentMethod', 'unknown paymentMethod');
      assert.match(method.message, /crypto, balance_cny, balance_crypto, alipay, wechat/);
      assertInvalid(await order({ ...valid, paymentMethod: 'crypto' }), 'coin', 'crypto without coin');
      assertInvalid(await order({ ...valid, paymentMethod: 'crypto', coin: 'doge' }), 'coin', 'unknown coin');
      assertInvalid(await order({ quantity: 10, contactEmail: EMAIL, paymentMethod: 'balance_cny' }, customerToken), 'productId', 'missing productId');
      assertShopError(await order({ ...valid, productId: '999999' }, customerToken), 404, 'item_not_found', 'unknown product id');
      assert.deepEqual(await reserved(), before);
    });

    test('balance payments need the customer token: 401 without one, with a bad one or with an API key; nothing reserved', async () => {
      const body = { productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod: 'balance_cny' };
      const before = await reserved();
      assertShopError(await order(body), 401, 'unauthorized', 'no token');
      assertShopError(await order({ ...body, paymentMethod: 'balance_crypto' }), 401, 'unauthorized', 'no token, balance_crypto');
      assertShopError(await order(body, `${customerToken.slice(0, -4)}AAAA`), 401, 'unauthorized', 'tampered token');
      assertShopError(await order(body, 'garbage'), 401, 'unauthorized', 'garbage');
      assertShopError(await order(body, (await createReseller(t.souk)).apiKey), 401, 'unauthorized', 'API key');
      assert.deepEqual(await reserved(), before);
    });

    test('the CNY balance example: the order answered with its codes, the CNY wallet debited, and found again by query and status', async () => {
      const before = await reserved();
      const res = await order({ productId: String(productId), quantity: 10, contactEmail: EMAIL, paymentMethod: 'balance_cny' }, customerToken);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.success, true);
      const placed = body.order;
      assert.match(placed.orderNo, /^SK-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      assert.match(placed.id, ULID);
      assert.equal(placed.status, 'completed');
      assert.equal(placed.paymentStatus, 'paid');
      assert.equal(placed.fulfillmentStatus, 'completed');
      assert.equal(placed.productId, String(productId));
      assert.equal(placed.quantity, 10);
      assert.equal(placed.amount, 5);
      assert.equal(placed.currency, 'CNY');
      assert.equal(placed.contactEmail, EMAIL);
      assert.equal(placed.items.length, 10);
      for (const item of placed.items) assert.match(item, /^GMAIL-USA-\d{4}$/);
      assert.deepEqual(await me(customerToken), { email: EMAIL, balance: 95, balance_crypto: 10 });
      assert.deepEqual(await reserved(), { orders: before.orders + 1, stock: before.stock - 10, codes: before.codes - 10 });

      // Query by order number + e-mail (any letter case): the delivered codes.
      const from = address();
      const query = await post('/api/orders/query', { orderNo: placed.orderNo, email: 'Buyer@Example.COM' }, {}, from);
      assert.equal(query.statusCode, 200, query.body);
      assert.equal(query.json().success, true);
      assert.deepEqual(query.json().order, { ...placed, updatedAt: query.json().order.updatedAt });
      assert.deepEqual(query.json().order.items, placed.items);

      // A wrong e-mail for a real order answers exactly like an unknown order.
      const wrong = await post('/api/orders/query', { orderNo: placed.orderNo, email: 'someone.else@example.com' }, {}, from);
      const unknown = await post('/api/orders/query', { orderNo: 'SK-0000-0000-0000', email: EMAIL }, {}, address());
      assertShopError(wrong, 404, 'not_found', 'wrong e-mail');
      assertShopError(unknown, 404, 'not_found', 'unknown order');
      const comparable = (r: LightMyRequestResponse) => ({ ...r.json<ShopError>(), request_id: undefined });
      assert.deepEqual(comparable(wrong), comparable(unknown));
      assertInvalid(await post('/api/orders/query', { orderNo: placed.orderNo }, {}, address()), 'email', 'no e-mail');
      assertInvalid(await post('/api/orders/query', { email: EMAIL }, {}, address()), 'orderNo', 'no order number');

      // Status by order number and by id: statuses, never the items.
      const statusFrom = address();
      for (const reference of [placed.orderNo, placed.id]) {
        const status = await get(`/api/orders/${reference}/status`, {}, statusFrom);
        assert.equal(status.statusCode, 200, status.body);
        assert.deepEqual(status.json(), {
          success: true,
          order: { id: placed.id, orderNo: placed.orderNo, status: 'completed', paymentStatus: 'paid', fulfillmentStatus: 'completed', updatedAt: placed.updatedAt },
        });
      }
      assertShopError(await get('/api/orders/SK-0000-0000-0000/status', {}, statusFrom), 404, 'not_found', 'unknown order status');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('balance_crypto: the USD wallet pays the amount converted by the shop rate; the CNY wallet is untouched', async () => {
      const { token } = await fundedCustomer('usd.buyer@example.com', '3.00', '10.00');
      const res = await order({ productId: String(productId), quantity: 10, contactEmail: 'usd.buyer@example.com', paymentMethod: 'balance_crypto' }, token);
      assert.equal(res.statusCode, 200, res.body);
      const placed = res.json().order;
      // 10 × 0.50 CNY = 5.00 CNY at 0.14 USD per CNY = 0.70 USD.
      assert.equal(placed.amount, 0.7);
      assert.equal(placed.currency, 'USD');
      assert.equal(placed.items.length, 10);
      assert.deepEqual(await me(token), { email: 'usd.buyer@example.com', balance: 3, balance_crypto: 9.3 });
    });

    test('402 insufficient_balance when the wallet is short; nothing changes', async () => {
      const { token } = await fundedCustomer('poor.buyer@example.com', '1.00', '0');
      const before = await reserved();
      const res = assertShopError(
        await order({ productId: String(productId), quantity: 10, contactEmail: 'poor.buyer@example.com', paymentMethod: 'balance_cny' }, token),
        402,
        'insufficient_balance',
        'short CNY',
      );
      assert.match(res.message, /CNY/);
      assertShopError(
        await order({ productId: String(productId), quantity: 10, contactEmail: 'poor.buyer@example.com', paymentMethod: 'balance_crypto' }, token),
        402,
        'insufficient_balance',
        'empty USD',
      );
      assert.deepEqual(await me(token), { email: 'poor.buyer@example.com', balance: 1, balance_crypto: 0 });
      assert.deepEqual(await reserved(), before);
      assert.equal((await t.souk.db.selectFrom('wallets').select('balance_minor').where('account_id', '=', customerAccountId).where('currency', '=', 'CNY').executeTakeFirstOrThrow()).balance_minor, 9_500);
    });

    test('couponCode: applied in the order (10% off); unknown is 400 invalid_coupon and a used-up one 409 coupon_exhausted, nothing reserved', async () => {
      await createCoupon(t.souk.db, { code: 'TENOFF', percent: '10', usage_limit: 1 });
      const { token } = await fundedCustomer('coupon.buyer@example.com', '20.00', '0');
      const body = { productId: String(productId), quantity: 5, contactEmail: 'coupon.buyer@example.com', paymentMethod: 'balance_cny' };
      const before = await reserved();
      const unknown = assertShopError(await order({ ...body, couponCode: 'NO-SUCH-COUPON' }, token), 400, 'invalid_coupon', 'unknown coupon');
      assert.equal(unknown.fields?.[0]?.field, 'couponCode');
      assert.deepEqual(await reserved(), before);

      const res = await order({ ...body, couponCode: 'TENOFF' }, token);
      assert.equal(res.statusCode, 200, res.body);
      // 5 × 0.50 CNY = 2.50, less 10% = 2.25.
      assert.equal(res.json().order.amount, 2.25);
      assert.equal((await me(token)).balance, 17.75);
      const before2 = await reserved();
      assertShopError(await order({ ...body, couponCode: 'TENOFF' }, token), 409, 'coupon_exhausted', 'used up');
      assert.deepEqual(await reserved(), before2);
      assert.equal((await me(token)).balance, 17.75);
    });

    test('Idempotency-Key: a retried balance order is answered from the first and charged once; another body is 422; keys are per customer', async () => {
      const retryProduct = await stockedProduct(t.souk, { code: 'RETRY-1', name: 'Retry', price: '1.00', currency: 'CNY' }, 10);
      const { token } = await fundedCustomer('retry.buyer@example.com', '10.00', '0');
      const body = { productId: String(retryProduct), quantity: 2, contactEmail: 'retry.buyer@example.com', paymentMethod: 'balance_cny' };
      const withKey = (payload: object, key: string, customer = token) => post('/api/orders', payload, { ...bearer(customer), 'idempotency-key': key });

      const first = await withKey(body, 'checkout-7f3a');
      assert.equal(first.statusCode, 200, first.body);
      const again = await withKey(body, 'checkout-7f3a');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.json().order.id, first.json().order.id);
      assert.deepEqual(again.json().order.items, first.json().order.items);
      assert.equal((await me(token)).balance, 8, 'charged once for two answers');

      assertShopError(await withKey({ ...body, quantity: 3 }, 'checkout-7f3a'), 422, 'idempotency_key_reused', 'another body');
      assert.equal((await me(token)).balance, 8);

      // The same text from another customer is that customer's own key: a purchase of its own.
      const other = await fundedCustomer('retry.other@example.com', '10.00', '0');
      const theirs = await withKey({ ...body, contactEmail: 'retry.other@example.com' }, 'checkout-7f3a', other.token);
      assert.equal(theirs.statusCode, 200, theirs.body);
      assert.equal(theirs.headers['idempotent-replayed'], undefined);
      assert.notEqual(theirs.json().order.id, first.json().order.id);
      assert.equal((await me(other.token)).balance, 8);

      // Without a key every request is a purchase.
      assert.equal((await order(body, token)).statusCode, 200);
      assert.equal((await me(token)).balance, 6);
      const orders = await t.souk.db.selectFrom('orders').select('id').where('product_id', '=', retryProduct).execute();
      assert.equal(orders.length, 3);
    });

    test('order lookup with SOUK_TRUST_PROXY unset: X-Forwarded-For is ignored, two "IPs" share one budget of 3', async () => {
      const from = address();
      const lookup = (n: number, forwardedFor: string) => post('/api/orders/query', { orderNo: `SK-TEST-0000-000${n}`, email: EMAIL }, { 'x-forwarded-for': forwardedFor }, from);
      assertShopError(await lookup(1, '203.0.113.1'), 404, 'not_found', 'first');
      assertShopError(await lookup(2, '203.0.113.2'), 404, 'not_found', 'second');
      assertShopError(await lookup(3, '203.0.113.1'), 404, 'not_found', 'third');
      assertRateLimited(await lookup(4, '203.0.113.2'), 'fourth, "another IP"');
      assertRateLimited(await lookup(5, '203.0.113.3'), 'fifth, "a third IP"');
      // The address itself is what counts: another one still gets its own budget.
      const elsewhere = await post('/api/orders/query', { orderNo: 'SK-TEST-0000-0006', email: EMAIL }, {}, address());
      assertShopError(elsewhere, 404, 'not_found', 'another address');
    });

    test('enumerating order numbers through GET /api/orders/:id/status is stopped at 30 per IP', async () => {
      const from = address();
      const status = (n: number) => get(`/api/orders/SK-ENUM-0000-${String(n).padStart(4, '0')}/status`, {}, from);
      for (let n = 1; n <= 30; n++) {
        const res = await status(n);
        assertShopError(res, 404, 'not_found', `guess ${n}`);
        assert.equal(res.headers['ratelimit-policy'], '"status-ip";q=30;w=60', `guess ${n}`);
        assert.match(String(res.headers.ratelimit), new RegExp(`^"status-ip";r=${30 - n};t=\\d+$`), `guess ${n}`);
      }
      assertRateLimited(await status(31), 'guess 31');
      assertRateLimited(await status(32), 'guess 32');
      // Another address has its own budget, and the lookup keeps its own.
      assertShopError(await get('/api/orders/SK-ENUM-0000-0033/status', {}, address()), 404, 'not_found', 'another address');
      assertShopError(await post('/api/orders/query', { orderNo: 'SK-ENUM-0000-0034', email: EMAIL }, {}, from), 404, 'not_found', 'the lookup from the same address');
    });

    test('order lookup: at most 2 requests per (order, e-mail) pair, whatever the address and letter case', async () => {
      const pair = { orderNo: 'SK-PAIR-0000-0001', email: 'pair@example.com' };
      assertShopError(await post('/api/orders/query', pair, {}, address()), 404, 'not_found', 'first');
      assertShopError(await post('/api/orders/query', { orderNo: pair.orderNo.toLowerCase(), email: 'PAIR@example.com' }, {}, address()), 404, 'not_found', 'second');
      assertRateLimited(await post('/api/orders/query', pair, {}, address()), 'third, from a fresh address');
      // Another e-mail for the same order number is another pair.
      assertShopError(await post('/api/orders/query', { ...pair, email: 'other@example.com' }, {}, address()), 404, 'not_found', 'other pair');
    });
  });

  describe(`shop profile behind a proxy, SOUK_TRUST_PROXY=1 (${kind})`, () => {
    let t: TestSouk;
    const PROXY = '192.0.2.10';
    const lookup = (orderNo: string, forwardedFor: string) =>
      t.app.inject({ method: 'POST', url: '/api/orders/query', payload: { orderNo, email: EMAIL }, headers: { 'x-forwarded-for': forwardedFor }, remoteAddress: PROXY });

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_TRUST_PROXY: '1', SOUK_LOGIN_RATE_LIMIT: '3' } });
    });
    after(() => t.close());

    test('order lookup: X-Forwarded-For is honoured, each client address has its own budget of 3', async () => {
      for (let n = 1; n <= 3; n++) assertShopError(await lookup(`SK-PRXY-0000-000${n}`, '203.0.113.1'), 404, 'not_found', `client 1, request ${n}`);
      assertRateLimited(await lookup('SK-PRXY-0000-0004', '203.0.113.1'), 'client 1, request 4');
      for (let n = 5; n <= 7; n++) assertShopError(await lookup(`SK-PRXY-0000-000${n}`, '203.0.113.2'), 404, 'not_found', `client 2, request ${n}`);
      assertRateLimited(await lookup('SK-PRXY-0000-0008', '203.0.113.2'), 'client 2, request 4');
    });

    test('logins are throttled per address and e-mail: the 4th attempt is 429 even with the right password', async () => {
      const register = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: EMAIL, password: PASSWORD }, remoteAddress: '198.51.100.1' });
      assert.equal(register.statusCode, 200, register.body);
      const login = (password: string, email = EMAIL, client = '198.51.100.7') =>
        t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { 'x-forwarded-for': client }, remoteAddress: PROXY });
      for (let n = 1; n <= 3; n++) assertShopError(await login('wrong password!'), 401, 'unauthorized', `attempt ${n}`);
      assertRateLimited(await login(PASSWORD), 'attempt 4, right password');
      assertRateLimited(await login(PASSWORD, EMAIL.toUpperCase()), 'attempt 5, same e-mail in capitals');
      assert.equal((await login(PASSWORD, EMAIL, '198.51.100.8')).statusCode, 200, 'another client address');
    });
  });
}

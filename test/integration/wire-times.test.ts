// Times on the wire are `yyyy-MM-ddTHH:mm:ssZ` (seed 001's form, no fractional seconds) in every
// answer of every surface (/api/v1, /v1, /api, /admin/api), in webhook bodies and in the event
// feed: clients parse them with an exact pattern (Java ofPattern, .NET ParseExact, strptime).
// The suite calls every route of every surface with a request that succeeds and looks at every
// string of every JSON answer; a route added later fails here until it is called.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { registeredRoutes } from '../helpers/routes.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';
import { until } from '../helpers/until.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { startZidSimulator, type ZidSimulator } from '../fakes/zid/index.js';
import { addScriptedGateway, scriptedNotice } from '../helpers/scripted-gateway.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { startMailWorker, type MailWorker } from '../../src/worker/mail.js';

const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** A string that starts like a date-time, whatever follows. */
const LOOKS_LIKE_TIME = /^\d{4}-\d{2}-\d{2}T\d/;
/** Keys that name a time, so a time in another form (epoch text, a space for the T) is caught too. */
const TIME_KEY = /(_at|At|_until|^timestamp|^time)$/;
const SURFACES = ['/api/v1/', '/v1/', '/api/', '/admin/api/'] as const;

interface Found {
  path: string;
  value: string;
}

/** Every time-like string in a JSON value, with where it is. */
function timesIn(value: unknown, path = '$', found: Found[] = []): Found[] {
  if (typeof value === 'string') {
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (LOOKS_LIKE_TIME.test(value) || TIME_KEY.test(key)) found.push({ path, value });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => timesIn(item, `${path}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) timesIn(item, `${path}.${key}`, found);
  }
  return found;
}

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

for (const kind of DATABASE_KINDS) {
  describe(`times on the wire are yyyy-MM-ddTHH:mm:ssZ (${kind})`, () => {
    let t: TestSouk;
    let webhooks: WebhookWorker;
    let mail: MailWorker;
    let receiver: Receiver;
    let callbacks: Receiver;
    /** Every time seen, by where it came from: a surface, `webhook` or `feed`. */
    const seen = new Map<string, Found[]>();
    /** `METHOD /route/:pattern` of every call answered 2xx. */
    const answered = new Set<string>();

    function record(where: string, body: unknown) {
      const list = seen.get(where) ?? [];
      list.push(...timesIn(body));
      seen.set(where, list);
    }

    /** Calls `route` (a Fastify pattern) with `params` filled in; it must answer 2xx. */
    async function call(method: HTTPMethods, route: string, options: { params?: Record<string, string | number>; query?: string; headers?: Record<string, string>; payload?: unknown; remoteAddress?: string } = {}) {
      const url = route.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
        const value = options.params?.[name];
        assert.ok(value !== undefined, `${route}: no value for :${name}`);
        return encodeURIComponent(String(value));
      });
      const res: LightMyRequestResponse = await t.app.inject({
        method,
        url: options.query ? `${url}?${options.query}` : url,
        headers: options.headers ?? {},
        ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
        ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
      });
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      answered.add(`${method} ${route}`);
      if (res.body) record(SURFACES.find((s) => route.startsWith(s)) ?? 'other', res.json());
      return res.json();
    }
    const admin = (method: HTTPMethods, route: string, options: Parameters<typeof call>[2] = {}) => call(method, `/admin/api${route}`, { ...options, headers: bearer(t.adminKey) });

    let reseller: TestReseller;
    let partner: TestReseller;
    let hop: FaultyUpstream | undefined;
    let zid: ZidSimulator;
    /** Seed 000's headers for a body (empty for a GET). */
    const signed = (raw: string) => ({ 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': hmac(partner.signingSecret!, raw), ...(raw ? { 'content-type': 'application/json' } : {}) });

    before(async () => {
      zid = await startZidSimulator({ redirectUri: 'http://127.0.0.1:8080/connect/zid/callback' });
      t = await startTestSouk(kind, {
        env: {
          SOUK_WEBHOOK_ALLOW_PRIVATE: '1',
          SOUK_UPSTREAM_ALLOW_PRIVATE: '1',
          SOUK_UPSTREAM_TIMEOUT_MS: '500',
          SOUK_ZID_CLIENT_ID: zid.clientId,
          SOUK_ZID_CLIENT_SECRET: zid.clientSecret,
          SOUK_ZID_REDIRECT_URI: zid.redirectUri,
          SOUK_ZID_OAUTH_URL: zid.oauthUrl,
          SOUK_ZID_API_URL: zid.apiUrl,
        },
      });
      webhooks = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
      mail = startMailWorker(t.souk, { onError: (error) => console.error(error), log: () => {} });
      receiver = await startReceiver();
      callbacks = await startReceiver();
      reseller = await createReseller(t.souk, { name: 'Wire reseller' });
      partner = await createReseller(t.souk, { name: 'Wire partner', kind: 'partner', signed: true });
      await fund(t.souk, reseller.accountId, 1_000_000);
      await fund(t.souk, partner.accountId, 1_000_000);
      await stockedProduct(t.souk, { code: 'SHOP-CNY', slug: 'shop-cny', name: { en: 'Shop card', zh: '卡' }, price: '5.00', currency: 'CNY' }, 10);
    });
    after(async () => {
      await mail?.stop();
      await webhooks?.stop();
      await receiver?.close();
      await callbacks?.close();
      await t?.close();
      await zid?.close();
      await hop?.close();
    });

    test('every answer of every surface, every webhook body and the event feed carry times as yyyy-MM-ddTHH:mm:ssZ', async () => {
      // ---- the admin API: a catalog, stock, prices, accounts, keys, wallets, coupons, endpoints ----
      const category = (await admin('POST', '/categories', { payload: { slug: 'wire-cards', name: { en: 'Cards' } } })).category;
      await admin('PATCH', '/categories/:ref', { params: { ref: category.slug }, payload: { position: 2 } });
      const type = (await admin('POST', '/categories/:ref/types', { params: { ref: category.slug }, payload: { slug: 'wire-type', name: { en: 'Type' } } })).type;
      await admin('GET', '/categories');
      await admin('PATCH', '/category-types/:id', { params: { id: type.id }, payload: { name: { en: 'Type', zh: '类型' } } });
      const product = (await admin('POST', '/products', { payload: { code: 'WIRE-5', name: { en: 'Wire card' }, price: '5.00', category: category.slug, type: type.slug } })).product;
      await admin('PATCH', '/products/:ref', { params: { ref: product.id }, payload: { price: '5.00' } });
      await admin('POST', '/products/:ref/stock', { params: { ref: product.id }, payload: { codes: Array.from({ length: 20 }, (_, i) => `WIRE-CODE-${i}`), batch: 'wire' } });
      const manual = (await admin('POST', '/products', { payload: { code: 'WIRE-MANUAL', name: { en: 'By hand' }, price: '1.00', fulfillment: 'manual' } })).product;
      await admin('GET', '/products');
      await admin('GET', '/products/:ref', { params: { ref: product.code } });
      await admin('PUT', '/price-tiers/:name', { params: { name: 'gold' }, payload: { discount_percent: 5 } });
      await admin('GET', '/price-tiers');
      await admin('PUT', '/fx-rates/:base/:quote', { params: { base: 'CNY', quote: 'USD' }, payload: { rate: '0.14' } });
      await admin('PUT', '/fx-rates/:base/:quote', { params: { base: 'USD', quote: 'CNY' }, payload: { rate: '7.1' } });
      await admin('GET', '/fx-rates');
      const account = (await admin('POST', '/accounts', { payload: { name: 'Wire spare' } })).account;
      await admin('PATCH', '/accounts/:id', { params: { id: account.id }, payload: { tier: 'gold' } });
      await admin('GET', '/accounts');
      await admin('GET', '/accounts/:id', { params: { id: account.id } });
      await admin('POST', '/accounts/:id/users', { params: { id: account.id }, payload: { username: 'wire-user', password: 'correct horse battery' } });
      // The console's log-in: a login of the admin account, its session, and logging out.
      const adminId = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      await admin('POST', '/accounts/:id/users', { params: { id: adminId }, payload: { username: 'wire-operator', password: 'correct horse battery', role: 'operator' } });
      const consoleLogIn = await t.app.inject({ method: 'POST', url: '/admin/api/session', payload: { username: 'wire-operator', password: 'correct horse battery' } });
      const sessionCookie = `souk_session=${String(consoleLogIn.headers['set-cookie']).split(';')[0]!.split('=')[1]}`;
      await call('POST', '/admin/api/session', { payload: { username: 'wire-operator', password: 'correct horse battery' } });
      const consoleSession = await call('GET', '/admin/api/session', { headers: { cookie: sessionCookie } });
      await call('DELETE', '/admin/api/session', { headers: { cookie: sessionCookie, 'x-csrf-token': consoleSession.csrf_token } });
      const logins = (await admin('GET', '/accounts/:id/users', { params: { id: adminId } })).users as Array<{ id: number; username: string }>;
      await admin('PATCH', '/users/:id', { params: { id: logins.find((l) => l.username === 'wire-operator')!.id }, payload: { role: 'viewer' } });
      const spareKey = await admin('POST', '/accounts/:id/keys', { params: { id: account.id }, payload: { label: 'spare' } });
      await admin('POST', '/accounts/:id/wallets/topup', { params: { id: account.id }, payload: { amount: '10.00' } });
      await admin('POST', '/accounts/:id/wallets/adjust', { params: { id: account.id }, payload: { amount: '-1.00', memo: 'wire' } });
      await admin('GET', '/accounts/:id/ledger', { params: { id: account.id } });
      await admin('POST', '/keys/:keyId/revoke', { params: { keyId: spareKey.key_id } });
      await admin('GET', '/accounts/:id/keys', { params: { id: account.id } });
      await admin('POST', '/coupons', { payload: { code: 'WIRE10', percent: 10, starts_at: '2025-01-01T03:00:00.250+03:00', ends_at: '2099-01-01T00:00:00Z' } });
      await admin('POST', '/coupons/:coupon/disable', { params: { coupon: 'WIRE10' } });
      await admin('POST', '/coupons/:coupon/enable', { params: { coupon: 'WIRE10' } });
      await admin('GET', '/coupons');
      await admin('GET', '/coupons/:coupon', { params: { coupon: 'WIRE10' } });
      await admin('GET', '/settings/wallet-checkout');
      await admin('PUT', '/settings/wallet-checkout', { payload: { enabled: true } });
      const created = await admin('POST', '/webhooks', { payload: { account_id: reseller.accountId, url: receiver.url } });
      const endpoint = created.endpoint;
      await admin('PATCH', '/webhooks/:id', { params: { id: endpoint.id }, payload: { include_items: true } });

      // ---- /api/v1: a reseller with a token, its orders (one by e-mail), the feed ----
      const reseller1 = bearer(reseller.apiKey);
      await call('GET', '/api/v1/health');
      const tokens = await call('POST', '/api/v1/auth/token', { payload: { key_id: reseller.keyId, secret: reseller.apiKey } });
      await call('POST', '/api/v1/auth/refresh', { payload: { refresh_token: tokens.refresh_token } });
      await call('GET', '/api/v1/me', { headers: bearer(tokens.token) });
      await call('GET', '/api/v1/products', { headers: reseller1 });
      await call('GET', '/api/v1/products/:ref', { params: { ref: product.id }, headers: reseller1 });
      await call('GET', '/api/v1/categories');
      await call('GET', '/api/v1/categories/:ref/types', { params: { ref: category.slug } });
      const placed = await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-5', client_order_id: 'wire-1', coupon_code: 'WIRE10', delivery_channel: 'email', buyer: { email: 'wire@example.com' } } });
      const byHand = await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-MANUAL', client_order_id: 'wire-2' } });
      await call('POST', '/api/v1/orders/:ref/cancel', { params: { ref: byHand.order_id }, headers: reseller1 });
      await call('GET', '/api/v1/orders', { headers: reseller1, query: 'created_from=2025-01-01T03:00:00%2B03:00' });
      await call('GET', '/api/v1/orders/:ref', { params: { ref: placed.order_id }, headers: reseller1 });
      // A refused order is written to the API failures log.
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: reseller1, payload: { product: 'WIRE-5', client_order_id: 'wire-3', quantity: 21 } });
      assert.equal(refused.statusCode, 409, refused.body);

      // ---- the admin side of those orders ----
      const handOrder = (await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-MANUAL', client_order_id: 'wire-4' } })).order_id;
      await admin('POST', '/orders/:id/fulfil', { params: { id: handOrder }, payload: { codes: ['BY-HAND-1'] } });
      await admin('POST', '/orders/:id/refund', { params: { id: handOrder }, payload: { reason: 'wire refund' } });
      const toReject = (await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-MANUAL', client_order_id: 'wire-5' } })).order_id;
      await admin('POST', '/orders/:id/reject', { params: { id: toReject }, payload: { reason: 'wire reject' } });
      const toCancel = (await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-MANUAL', client_order_id: 'wire-6' } })).order_id;
      await admin('POST', '/orders/:id/cancel', { params: { id: toCancel }, payload: { reason: 'wire cancel' } });
      await admin('GET', '/dashboard', { query: 'days=30' });
      await admin('GET', '/orders', { query: 'created_from=2025-01-01T00:00:00Z' });
      await admin('GET', '/orders/:id', { params: { id: placed.order_id } });
      await admin('GET', '/api-failures', { query: 'since=2025-01-01T00:00:00.5%2B01:00' });
      const stock = await admin('GET', '/products/:ref/stock', { params: { ref: product.id } });
      const available = stock.items.find((item: { status: string }) => item.status === 'available');
      await admin('POST', '/stock/:id/reveal', { params: { id: available.id } });
      const another = stock.items.filter((item: { status: string }) => item.status === 'available')[1];
      await admin('POST', '/stock/:id/void', { params: { id: another.id } });
      await admin('GET', '/audit-log');
      await admin('GET', '/accounts/:id/wallets', { params: { id: reseller.accountId } });

      // ---- a real delivery, its admin trail, the feed, the mail ----
      await receiver.waitFor((r) => r.some((x) => x.event.type === 'order.fulfilled'), WAIT_CEILING_MS, 'the order.fulfilled delivery');
      await admin('POST', '/webhooks/:id/test', { params: { id: endpoint.id } });
      await receiver.waitFor((r) => r.some((x) => x.event.type === 'webhook.test'), WAIT_CEILING_MS, 'the test delivery');
      for (const receipt of receiver.receipts) {
        verifyReceipt(receipt, created.secret);
        record('webhook', receipt.event);
      }
      const deliveries = await until(() => admin('GET', '/webhook-deliveries'), (answer) => answer.deliveries.some((d: { status: string }) => d.status === 'delivered'), 'a delivered delivery');
      const delivered = deliveries.deliveries.find((d: { status: string }) => d.status === 'delivered');
      await admin('POST', '/webhook-deliveries/:id/resend', { params: { id: delivered.id } });
      await admin('POST', '/webhooks/:id/resend-failed', { params: { id: endpoint.id } });
      await admin('POST', '/webhooks/:id/rotate-secret', { params: { id: endpoint.id } });
      await admin('GET', '/webhooks');
      await admin('GET', '/webhooks/:id', { params: { id: endpoint.id } });
      const feed = await until(() => call('GET', '/api/v1/events', { headers: reseller1 }), (answer) => answer.events.some((e: { type: string }) => e.type === 'order.fulfilled'), 'the feed');
      record('feed', feed);
      await call('POST', '/api/v1/webhooks/ack', { headers: reseller1, payload: { event_id: feed.events.find((e: { type: string }) => e.type === 'order.fulfilled').id } });
      const mails = await until(() => admin('GET', '/mails'), (answer) => answer.mails.some((m: { status: string }) => m.status === 'sent'), 'the order mail');
      await admin('POST', '/mails/:id/resend', { params: { id: mails.mails[0].id } });

      // ---- seed 000 at /v1, signed ----
      await call('GET', '/v1/products', { headers: signed('') });
      const { secret: callbackSecret } = await admin('POST', '/accounts/:id/callback-secret', { params: { id: partner.accountId } });
      const partnerBody = JSON.stringify({ partner_order_id: 'WIRE-P1', flow_type: 'buy_direct_id', product_code: 'WIRE-5', buyer: { name: 'Rahim', email: 'rahim@example.com' }, delivery_channel: 'gmail_transfer', callback_url: callbacks.url });
      const partnerOrder = await call('POST', '/v1/orders', { headers: signed(partnerBody), payload: partnerBody });
      await call('GET', '/v1/orders/:order_id', { params: { order_id: partnerOrder.order.order_id }, headers: signed('') });
      await callbacks.waitFor((r) => r.some((x) => x.event.type === 'order.fulfilled'), WAIT_CEILING_MS, "the partner's callback");
      for (const receipt of callbacks.receipts) {
        // Seed 000's X-Signature is keyed with the partner's signing secret; Standard Webhooks with the callback secret.
        verifyReceipt(receipt, callbackSecret, partner.signingSecret!);
        record('webhook', receipt.event);
      }
      const ack = JSON.stringify({ event_id: callbacks.receipts[0]!.event.id });
      await call('POST', '/v1/webhooks/ack', { headers: signed(ack), payload: ack });

      // ---- trade-ins: a sell flow on /v1 and the canonical API, decided by the owner, with a payout callback ----
      await admin('PATCH', '/products/:ref', { params: { ref: 'WIRE-5' }, payload: { buyback_price: '1.50' } });
      const sellBody = JSON.stringify({ partner_order_id: 'WIRE-SELL', flow_type: 'sell_direct_bag', product_code: 'WIRE-5', buyer: { name: 'Rahim', email: 'rahim@example.com' }, items: [{ code: 'WIRE-SOLD-1' }, { code: 'WIRE-SOLD-2' }], callback_url: callbacks.url });
      const sold = await call('POST', '/v1/orders', { headers: signed(sellBody), payload: sellBody });
      await call('GET', '/v1/orders/:order_id', { params: { order_id: sold.trade_in.trade_in_id }, headers: signed('') });
      const canonicalTradeIn = (await call('POST', '/api/v1/trade-ins', { headers: reseller1, payload: { product: 'WIRE-5', items: [{ code: 'WIRE-SOLD-3' }], reference: 'wire-ti-1' } })).trade_in;
      await call('GET', '/api/v1/trade-ins/:id', { params: { id: canonicalTradeIn.trade_in_id }, headers: reseller1 });
      await call('GET', '/api/v1/trade-ins', { headers: reseller1 });
      await admin('GET', '/trade-ins');
      await admin('POST', '/trade-ins/:id/decide', { params: { id: sold.trade_in.trade_in_id }, payload: { rejected: [{ code: 'WIRE-SOLD-2', reason: 'used' }] } });
      await callbacks.waitFor((r) => r.some((x) => x.event.type === 'payout.completed'), WAIT_CEILING_MS, 'the payout callback');
      const payout = callbacks.receipts.find((x) => x.event.type === 'payout.completed')!;
      verifyReceipt(payout, callbackSecret, partner.signingSecret!);
      record('webhook', payout.event);

      // ---- seed 004 at /api ----
      const email = 'wire.customer@example.com';
      await call('POST', '/api/auth/register', { payload: { email, password: 'correct horse battery' } });
      const { token } = await call('POST', '/api/auth/login', { payload: { email, password: 'correct horse battery' } });
      const customer = (await admin('GET', '/accounts')).accounts.find((a: { name: string }) => a.name === email);
      for (const currency of ['CNY', 'USD']) await admin('POST', '/accounts/:id/wallets/topup', { params: { id: customer.id }, payload: { amount: '1000.00', currency } });
      await call('GET', '/api/auth/me', { headers: bearer(token) });
      await call('GET', '/api/products');
      await call('GET', '/api/products/:idOrSlug', { params: { idOrSlug: 'shop-cny' } });
      await call('GET', '/api/payment-config');
      await call('GET', '/api/categories');
      const shopOrder = (await call('POST', '/api/orders', { headers: bearer(token), payload: { productId: (await call('GET', '/api/products/:idOrSlug', { params: { idOrSlug: 'shop-cny' } })).product.id, quantity: 1, contactEmail: email, paymentMethod: 'balance_cny' } })).order;
      await call('POST', '/api/orders/query', { payload: { orderNo: shopOrder.orderNo, email }, remoteAddress: '10.9.9.9' });
      await call('GET', '/api/orders/:id/status', { params: { id: shopOrder.id } });

      // ---- a crypto order paid to the shop's own address, confirmed by a person ----
      await admin('PUT', '/payments/addresses/:coin', { params: { coin: 'trc20_usdt' }, payload: { address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' } });
      await admin('GET', '/payments/addresses');
      await admin('GET', '/payments/methods');
      await admin('GET', '/settings');
      const cryptoOrder = (await call('POST', '/api/orders', { payload: { productId: (await call('GET', '/api/products/:idOrSlug', { params: { idOrSlug: 'shop-cny' } })).product.id, quantity: 1, contactEmail: email, paymentMethod: 'crypto', coin: 'trc20_usdt' } })).order;
      assert.match(cryptoOrder.payment.expiresAt, WIRE_TIME);
      await admin('POST', '/payments/confirm', { payload: { order: cryptoOrder.orderNo, txid: 'a'.repeat(64), amount: cryptoOrder.payment.amount } });
      await admin('GET', '/payments');

      // ---- an order and top-ups paid through a payment gateway (scripted), its notification, lookups and refund ----
      const alipay = addScriptedGateway(t.souk);
      const alipayOrder = (await call('POST', '/api/orders', { payload: { productId: (await call('GET', '/api/products/:idOrSlug', { params: { idOrSlug: 'shop-cny' } })).product.id, quantity: 1, contactEmail: email, paymentMethod: 'alipay' } })).order;
      assert.match(alipayOrder.payment.expiresAt, WIRE_TIME);
      const shopTopUp = (await call('POST', '/api/wallet/topups', { headers: bearer(token), payload: { balance: 'balance_cny', amount: '10.00', paymentMethod: 'alipay' } })).topup;
      alipay.paid.set(shopTopUp.id, 1000);
      const notified = await t.app.inject({ method: 'POST', url: '/hooks/payments/alipay', payload: scriptedNotice(shopTopUp.id), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(notified.body, 'success');
      await call('GET', '/api/wallet/topups/:id', { params: { id: shopTopUp.id }, headers: bearer(token) });
      await admin('PUT', '/fx-rates/:base/:quote', { params: { base: 'USD', quote: 'CNY' }, payload: { rate: '7.1' } });
      const resellerTopUp = (await call('POST', '/api/v1/wallet/topups', { headers: reseller1, payload: { amount: '5.00', method: 'alipay' } })).topup;
      await call('GET', '/api/v1/wallet/topups/:id', { params: { id: resellerTopUp.topup_id }, headers: reseller1 });

      // ---- upstream providers: this Souk is its own provider, through a hop that loses every order's answer ----
      hop = await startFaultyUpstream({ target: await t.app.listen({ host: '127.0.0.1', port: 0 }) });
      hop.plan = (request) => (request.method === 'POST' ? { kind: 'silence' } : { kind: 'pass' });
      const provider = (await admin('POST', '/providers', { payload: { name: 'Itself', url: `${hop.origin}/api/v1`, dialect: 'souk', key: reseller.apiKey } })).provider;
      const providerId = { id: provider.provider_id };
      await admin('GET', '/providers');
      await admin('GET', '/providers/:id', { params: providerId });
      await admin('POST', '/providers/:id/ping', { params: providerId });
      await admin('GET', '/providers/:id/balance', { params: providerId });
      await admin('GET', '/providers/:id/products', { params: providerId });
      await admin('POST', '/providers/:id/import', { params: providerId, payload: { refs: [{ ref: String(product.id), code: 'WIRE-UP' }] } });
      await admin('POST', '/providers/:id/sync', { params: providerId });
      await admin('PATCH', '/providers/:id', { params: providerId, payload: { markup_percent: '5', sync_interval_seconds: 600 } });
      await admin('POST', '/providers/:id/disable', { params: providerId });
      await admin('POST', '/providers/:id/enable', { params: providerId });
      // The create's answer never comes: the purchase stays under way until a person resolves it.
      const forwarded = await call('POST', '/api/v1/orders', { headers: reseller1, payload: { product: 'WIRE-UP', client_order_id: 'wire-up-1' } });
      assert.equal(forwarded.order.status, 'processing');
      await admin('GET', '/upstream-orders');
      await admin('POST', '/upstream-orders/:id/resolve', { params: { id: forwarded.order_id }, payload: { outcome: 'not_bought' } });

      // ---- a Zid store, connected through the simulator ----
      zid.addProducts(3);
      const link = (await admin('POST', '/zid/connect')).authorize_url as string;
      const back = new URL(await zid.authorize(link));
      const connected = await t.app.inject({ url: `/connect/zid/callback${back.search}` });
      assert.equal(connected.statusCode, 200, connected.body);
      const store = (await admin('GET', '/zid/stores')).stores[0];
      await t.souk.zid.sync(store.id);
      await admin('GET', '/zid/stores/:id/suggestions', { params: { id: store.id } });
      const zidProduct = (await admin('GET', '/zid/stores/:id', { params: { id: store.id } })).store.mapping[0];
      await admin('PUT', '/zid/stores/:id/mapping/:zid_product_id', { params: { id: store.id, zid_product_id: zidProduct.zid_product_id }, payload: { product: 'SHOP-CNY' } });
      await admin('POST', '/zid/stores/:id/sync', { params: { id: store.id } });
      await admin('GET', '/orders/waiting-for-stock');
      const detail = (await admin('GET', '/zid/stores/:id', { params: { id: store.id } })).store;
      assert.ok(detail.last_sync_at && detail.created_at);

      // ---- risk review: a high-risk product and an account that reviews from a score of 30 ----
      const risky = (await admin('POST', '/products', { payload: { code: 'WIRE-RISKY', name: { en: 'Risky' }, price: '1.00' } })).product;
      await admin('POST', '/products/:ref/stock', { params: { ref: risky.id }, payload: { codes: ['WIRE-RISKY-1', 'WIRE-RISKY-2'] } });
      await admin('PUT', '/products/:ref/risk', { params: { ref: risky.code }, payload: { high_risk: true } });
      await admin('PATCH', '/accounts/:id', { params: { id: reseller.accountId }, payload: { risk_review_score: 30, review_above: '900.00' } });
      const held = (await call('POST', '/api/v1/orders', { headers: bearer(reseller.apiKey), payload: { product: 'WIRE-RISKY', client_order_id: 'wire-risky-1' } })).order;
      const turnedDown = (await call('POST', '/api/v1/orders', { headers: bearer(reseller.apiKey), payload: { product: 'WIRE-RISKY', client_order_id: 'wire-risky-2' } })).order;
      assert.deepEqual([held.status, turnedDown.status], ['review', 'review']);
      const queue = (await admin('GET', '/reviews')).reviews as Array<{ order_id: string; review_until: string }>;
      assert.ok(queue.some((r) => r.order_id === held.order_id));
      await admin('POST', '/reviews/:order_id/approve', { params: { order_id: held.order_id } });
      await admin('POST', '/reviews/:order_id/reject', { params: { order_id: turnedDown.order_id }, payload: { reason: 'wire test' } });
      await admin('PATCH', '/accounts/:id', { params: { id: reseller.accountId }, payload: { risk_review_score: null, review_above: null } });

      // ---- what is deleted last ----
      const spare = (await admin('POST', '/products', { payload: { code: 'WIRE-GONE', name: { en: 'Gone' }, price: '1.00' } })).product;
      await admin('DELETE', '/products/:ref', { params: { ref: spare.id } });
      const gone = (await admin('POST', '/categories', { payload: { slug: 'wire-gone', name: { en: 'Gone' } } })).category;
      const goneType = (await admin('POST', '/categories/:ref/types', { params: { ref: gone.slug }, payload: { slug: 'gone-type', name: { en: 'Gone' } } })).type;
      await admin('DELETE', '/category-types/:id', { params: { id: goneType.id } });
      await admin('DELETE', '/categories/:ref', { params: { ref: gone.slug } });

      // Every route of every surface was called and answered.
      const missed = registeredRoutes(t.app)
        .filter((r) => r.method !== 'HEAD' && SURFACES.some((s) => r.url.startsWith(s)) && r.url !== '/api/v1/openapi.json')
        .map((r) => `${r.method} ${r.url}`)
        .filter((r) => !answered.has(r));
      assert.deepEqual(missed, [], 'routes this suite did not call: call them, so their answers are checked too');

      // Every time seen has the one form, and each surface showed some.
      for (const where of [...SURFACES, 'webhook', 'feed']) {
        const times = seen.get(where) ?? [];
        assert.ok(times.length > 0, `no time seen in ${where}`);
        const wrong = times.filter((found) => !WIRE_TIME.test(found.value));
        assert.deepEqual(wrong, [], `${where}: times not in yyyy-MM-ddTHH:mm:ssZ`);
      }
      assert.ok(manual.id > 0);
    });
  });
}

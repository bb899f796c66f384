// The Zid connector's whole story against the Zid simulator (test/fakes/zid), on SQLite and
// PostgreSQL: connect by OAuth (a wrong and a replayed state refused), sync a thousand products
// within Zid's 60 a minute, recover from 429, 5xx and an expired token, fulfil a paid order once
// however many times it is announced, never an unpaid one, mail the codes to a real SMTP server,
// wait for stock, cancel with Zid, and stop calling Zid once the refresh token is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockDeps, stockedProduct } from '../helpers/orders.js';
import { startMailCatcher, type MailCatcher } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';
import { freePort, zidEnv } from '../helpers/zid.js';
import { startZidSimulator, type ZidSimulator } from '../fakes/zid/index.js';
import { startBackgroundWork, type BackgroundWork } from '../../src/worker/background.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`a Zid store connected, synced and fulfilled (${kind})`, () => {
    let t: TestSouk;
    let sim: ZidSimulator;
    let mail: MailCatcher;
    let background: BackgroundWork;
    let publicUrl = '';
    let storeId = 0;
    const failures: string[] = [];
    const admin = () => bearer(t.adminKey);

    const souksOrdersFor = async (zidOrderId: number) =>
      t.souk.db.selectFrom('orders').select(['id', 'status', 'quantity', 'buyer_email', 'channel', 'payment_provider']).where('client_order_id', 'like', `zid:${zidOrderId}:%`).execute();
    const jobsLeft = async () => Number((await t.souk.db.selectFrom('jobs').select(sql<number>`count(*)`.as('n')).where('kind', 'like', 'zid.%').where('status', 'in', ['pending', 'running']).executeTakeFirstOrThrow()).n);

    before(async () => {
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      mail = await startMailCatcher();
      sim = await startZidSimulator({ redirectUri: `${publicUrl}/connect/zid/callback` });
      t = await startTestSouk(kind, {
        env: {
          ...zidEnv(sim, publicUrl),
          SOUK_ZID_ORDER_SYNC: '5',
          SOUK_SMTP_URL: mail.url,
        },
      });
      await t.app.listen({ port, host: '127.0.0.1' });
      background = await startBackgroundWork(t.souk, { worker: true, onError: (what, error) => failures.push(`${what}: ${(error as Error).message}`), log: () => undefined });
      sim.addCategory({ name: 'Gift cards' });
      sim.addProducts(1000);
    });
    after(async () => {
      await background?.stop();
      await t?.close();
      await sim?.close();
      await mail?.close();
    });

    test('a connect link carries the app, the callback, the scopes and a state; a wrong state is refused with a page that says so', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/api/zid/connect', headers: admin() });
      assert.equal(res.statusCode, 200);
      const url = new URL(res.json().authorize_url);
      assert.equal(`${url.origin}${url.pathname}`, `${sim.oauthUrl}/oauth/authorize`);
      assert.equal(url.searchParams.get('client_id'), sim.clientId);
      assert.equal(url.searchParams.get('redirect_uri'), `${publicUrl}/connect/zid/callback`);
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.deepEqual(url.searchParams.get('scope')?.split(' ').sort(), ['categories.read', 'orders.read', 'products.read', 'webhooks.read', 'webhooks.write']);
      assert.ok((url.searchParams.get('state') ?? '').length >= 20);

      const wrong = await fetch(`${publicUrl}/connect/zid/callback?code=abc&state=not-a-state-souk-made`);
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), /not one Souk made/);
      assert.equal(sim.tokenRequests.length, 0, 'a wrong state never reaches Zid');
    });

    test('approving on Zid connects the store once: its tokens are sealed, its webhooks registered, and a replayed state is refused', async () => {
      const link = (await t.app.inject({ method: 'POST', url: '/admin/api/zid/connect', headers: admin() })).json().authorize_url as string;
      const back = await sim.authorize(link);
      const connected = await fetch(back);
      assert.equal(connected.status, 200, await connected.clone().text());
      assert.match(await connected.text(), /is connected to Souk/);

      const replay = await fetch(back);
      assert.equal(replay.status, 400);
      assert.match(await replay.text(), /used already/);

      const stores = (await t.app.inject({ url: '/admin/api/zid/stores', headers: admin() })).json().stores;
      assert.equal(stores.length, 1);
      assert.equal(stores[0].zid_store_id, sim.storeId);
      assert.equal(stores[0].status, 'connected');
      storeId = stores[0].id;

      const row = await t.souk.db.selectFrom('zid_stores').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.credentials.includes('Bearer') && !row.credentials.includes(sim.storeId), 'tokens and the store id are sealed at rest');
      const profileCall = sim.requests.find((r) => r.path === '/v1/managers/account/profile');
      assert.ok(profileCall && profileCall.storeId === null, 'the profile is asked without Store-Id');
      assert.equal(sim.webhooks.length, 7);
      assert.ok(sim.webhooks.every((w) => w.url.startsWith(`${publicUrl}/hooks/zid/`) && w.url.length > `${publicUrl}/hooks/zid/`.length + 30));
    });

    test('the first sync reads a thousand products, the categories and the orders without a single 429, as Zid describes them', async () => {
      await until(() => t.souk.db.selectFrom('zid_stores').select(['last_sync_at']).executeTakeFirstOrThrow(), (row) => row.last_sync_at !== null, 'the first sync');
      assert.equal(sim.tooManyRequests, 0);
      const store = (await t.app.inject({ url: `/admin/api/zid/stores/${storeId}`, headers: admin() })).json().store;
      assert.equal(store.counts.products, sim.productCount());
      assert.ok(store.counts.products >= 1000);
      assert.ok(store.counts.categories >= 1);
      const pages = sim.requests.filter((r) => r.path === '/v1/products/');
      assert.equal(pages.length, Math.ceil(sim.productCount() / 50), 'fifty a page, following next');
      assert.ok(pages.every((r) => r.query.page_size === '50' && r.query.extended === 'true'));
      assert.ok(sim.requests.filter((r) => r.path === '/v1/managers/store/orders').every((r) => r.query.payload_type === 'default'));
      assert.ok(sim.requests.filter((r) => r.path !== '/v1/managers/account/profile').every((r) => r.storeId === sim.storeId));

      // The document's rules, product by product.
      const rows = await t.souk.db.selectFrom('zid_products').selectAll().execute();
      for (const row of rows.slice(0, 200)) {
        const zid = sim.product(Number(row.zid_product_id))!;
        const name = typeof zid.name === 'string' ? { en: zid.name, ar: null } : zid.name;
        assert.equal(row.name_en, name.en);
        if (typeof zid.name !== 'string') assert.equal(row.name_ar, zid.name.ar);
        const price = zid.sale_price ?? zid.price ?? 0;
        assert.equal(Number(row.price_minor), Math.round(price * 100), `price of ${zid.id}`);
        const stock = zid.is_infinite ? null : zid.stocks.reduce((sum, s) => sum + s.available_quantity, 0);
        assert.equal(row.stock, stock, `stock of ${zid.id}`);
        const active = zid.is_published === true || ['active', 'published', 'available'].includes(String(zid.status ?? ''));
        assert.equal(row.active, active ? 1 : 0, `active of ${zid.id}`);
      }
      assert.ok(rows.some((r) => r.name_ar !== null) && rows.some((r) => r.stock === null), 'the simulator gave i18n names and unlimited products');
    });

    test('a 429 waits its Retry-After, a 5xx is tried again, and an expired token is refreshed once with the redirect URI', async () => {
      const [first] = await t.souk.db.selectFrom('zid_products').select(['zid_product_id']).orderBy('zid_product_id').limit(1).execute();
      const id = first!.zid_product_id;
      sim.upsertProduct({ id: Number(id), name: { en: 'Renamed card', ar: 'بطاقة' } });
      sim.failNext({ path: /\/v1\/products\/\d+\/$/, status: 429, retryAfterSeconds: 1 });
      sim.failNext({ path: /\/v1\/products\/\d+\/$/, status: 503 });
      await t.souk.zid.readProduct(storeId, id);
      const row = await t.souk.db.selectFrom('zid_products').select(['name_en']).where('zid_product_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.name_en, 'Renamed card');

      const refreshesBefore = sim.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
      sim.expireAccessTokens();
      await t.souk.zid.readProduct(storeId, id);
      const refreshes = sim.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      assert.equal(refreshes.length, refreshesBefore + 1);
      assert.ok(refreshes.every((r) => r.redirectUriMatches));
      assert.equal((await t.souk.zid.stores())[0]!.status, 'connected');
    });

    let productCode = '';
    let zidProductId = 0;
    test('mapping: a SKU match and an Arabic name match are suggested, and a mapping is kept', async () => {
      const zid = sim.upsertProduct({ name: { en: 'PlayStation Card 50', ar: 'بطاقة بلايستيشن ٥٠' }, sku: 'PSN-50', sale_price: 190, price: 200, is_infinite: true });
      const arabicOnly = sim.upsertProduct({ name: { en: 'Xbox', ar: 'بطاقة إكس بوكس' }, sku: 'zid-xbox' });
      zidProductId = zid.id;
      await stockedProduct(t.souk, { code: 'PSN-50', name: 'PlayStation Card 50' }, 4);
      await createProduct(stockDeps(t.souk), { code: 'XBOX-25', name: { en: 'Microsoft gift card', ar: 'بطاقة اكس بوكس' }, price: '25.00' });
      productCode = 'PSN-50';
      await t.souk.zid.readProduct(storeId, String(zid.id));
      await t.souk.zid.readProduct(storeId, String(arabicOnly.id));
      const suggestions = (await t.app.inject({ url: `/admin/api/zid/stores/${storeId}/suggestions`, headers: admin() })).json().suggestions as Array<{ zid_product_id: string; code: string; reason: string }>;
      assert.deepEqual(suggestions.find((s) => s.zid_product_id === String(zid.id)), { ...suggestions.find((s) => s.zid_product_id === String(zid.id)), code: 'PSN-50', reason: 'sku' });
      assert.equal(suggestions.find((s) => s.zid_product_id === String(arabicOnly.id))?.code, 'XBOX-25');

      const mapped = await t.app.inject({ method: 'PUT', url: `/admin/api/zid/stores/${storeId}/mapping/${zid.id}`, headers: admin(), payload: { product: productCode } });
      assert.equal(mapped.statusCode, 200, mapped.body);
      assert.equal(mapped.json().code, productCode);
    });

    test('a paid order announced three times and found again by the order sync is fulfilled once, and its codes are mailed', async () => {
      // The second line is of a product nobody mapped: not a digital good here, ignored.
      const unmapped = Number((await t.souk.db.selectFrom('zid_products').select(['zid_product_id']).where('product_id', 'is', null).limit(1).executeTakeFirstOrThrow()).zid_product_id);
      const order = sim.addOrder({ products: [{ id: zidProductId, quantity: 2 }, { id: unmapped, quantity: 1 }], payment_status: 'paid', customer: { name: 'Noura', email: 'noura@example.com' } });
      const deliveries = [
        ...(await sim.fireWebhook('order.create', order.id)),
        ...(await sim.fireWebhook('order.create', order.id, { wrap: 'data' })),
        ...(await sim.fireWebhook('order.payment_status.update', order.id, { wrap: 'order' })),
      ];
      assert.ok(deliveries.length >= 3 && deliveries.every((d) => d.status === 200));
      const [placed] = await until(() => souksOrdersFor(order.id), (rows) => rows.length === 1 && rows[0]!.status === 'fulfilled', 'the zid order fulfilled');
      await until(jobsLeft, (n) => n === 0, 'the announced re-reads done');
      await t.souk.zid.syncRecentOrders(storeId);
      const rows = await souksOrdersFor(order.id);
      assert.equal(rows.length, 1, 'one souk order for the mapped line, however often the order was read, none for the unmapped one');
      assert.equal(rows[0]!.quantity, 2);
      assert.equal(rows[0]!.channel, 'zid');
      assert.equal(rows[0]!.payment_provider, 'external');
      const sold = await t.souk.db.selectFrom('stock_items').select(sql<number>`count(*)`.as('n')).where('order_id', '=', placed!.id).executeTakeFirstOrThrow();
      assert.equal(Number(sold.n), 2);
      await mail.waitFor((mails) => mails.some((m) => m.to.includes('noura@example.com')), 'the codes mailed to the Zid customer');
      const sent = mail.mails.filter((m) => m.to.includes('noura@example.com'));
      assert.equal(sent.length, 1);
      assert.match(sent[0]!.raw, /PSN-50-000[12]/);
      const store = (await t.app.inject({ url: `/admin/api/zid/stores/${storeId}`, headers: admin() })).json().store;
      assert.equal(store.recent_fulfilments[0].order_id, placed!.id);
      assert.equal(store.recent_fulfilments[0].order_number, order.order_number);
    });

    test('an unpaid order is never fulfilled; once Zid says it is paid, it is', async () => {
      const order = sim.addOrder({ products: [{ id: zidProductId, quantity: 1 }], payment_status: 'unpaid', customer: { email: 'later@example.com' } });
      await sim.fireWebhook('order.create', order.id, { wrap: 'payload' });
      await until(() => t.souk.db.selectFrom('zid_orders').select(['payment_status']).where('zid_order_id', '=', String(order.id)).executeTakeFirst(), (row) => row?.payment_status === 'unpaid', 'the unpaid order read');
      await until(jobsLeft, (n) => n === 0, 'the re-read done');
      assert.equal((await souksOrdersFor(order.id)).length, 0);
      sim.setPaymentStatus(order.id, 'paid');
      await sim.fireWebhook('order.payment_status.update', order.id);
      await until(() => souksOrdersFor(order.id), (rows) => rows.length === 1 && rows[0]!.status === 'fulfilled', 'fulfilled once paid');
    });

    test('a forged body does nothing (the order is re-read from Zid), and a wrong hook token is 404', async () => {
      const order = sim.addOrder({ products: [{ id: zidProductId, quantity: 1 }], payment_status: 'unpaid', customer: { email: 'forger@example.com' } });
      const hook = sim.webhooks.find((w) => w.event === 'order.create')!.url;
      const forged = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'order.create', data: { id: order.id, payment_status: 'paid', products: [{ id: zidProductId, quantity: 50 }] } }) });
      assert.equal(forged.status, 200);
      await until(() => t.souk.db.selectFrom('zid_orders').select(['payment_status']).where('zid_order_id', '=', String(order.id)).executeTakeFirst(), (row) => row !== undefined, 'the forged order re-read');
      await until(jobsLeft, (n) => n === 0, 'the re-read done');
      assert.equal((await souksOrdersFor(order.id)).length, 0);
      const wrong = await fetch(`${publicUrl}/hooks/zid/${'x'.repeat(43)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: order.id }) });
      assert.equal(wrong.status, 404);
    });

    test('the order sync finds a paid order that no webhook announced', async () => {
      const order = sim.addOrder({ products: [{ id: zidProductId, quantity: 1 }], payment_status: 'paid', customer: { email: 'silent@example.com' } });
      await until(() => souksOrdersFor(order.id), (rows) => rows.length === 1 && rows[0]!.status === 'fulfilled', 'found by the order sync');
    });

    test('out of stock, a paid order waits in processing and is fulfilled when codes arrive; a cancelled Zid order cancels what waits', async () => {
      const waiting = sim.addOrder({ products: [{ id: zidProductId, quantity: 2 }], payment_status: 'paid', customer: { email: 'patient@example.com' } });
      const cancelled = sim.addOrder({ products: [{ id: zidProductId, quantity: 1 }], payment_status: 'paid', customer: { email: 'gone@example.com' } });
      await sim.fireWebhook('order.create', waiting.id, { wrap: 'order' });
      await until(() => souksOrdersFor(waiting.id), (rows) => rows.length === 1 && rows[0]!.status === 'processing', 'waiting for stock');
      await sim.fireWebhook('order.create', cancelled.id, { wrap: 'order' });
      await until(() => souksOrdersFor(cancelled.id), (rows) => rows.length === 1 && rows[0]!.status === 'processing', 'waiting too');
      const waits = (await t.app.inject({ url: '/admin/api/orders/waiting-for-stock', headers: admin() })).json().products;
      assert.deepEqual(waits.map((w: { product_code: string; orders: number; units: number }) => [w.product_code, w.orders, w.units]), [[productCode, 2, 3]], 'the admin sees what waits');
      sim.setOrderStatus(cancelled.id, 'cancelled');
      await sim.fireWebhook('order.status.update', cancelled.id, { wrap: 'order' });
      await until(() => souksOrdersFor(cancelled.id), (rows) => rows[0]!.status === 'cancelled', 'cancelled with Zid');

      await importStock(stockDeps(t.souk), productCode, ['PSN-50-NEW-1', 'PSN-50-NEW-2']);
      await until(() => souksOrdersFor(waiting.id), (rows) => rows[0]!.status === 'fulfilled', 'fulfilled when stock arrived');
      await mail.waitFor((mails) => mails.some((m) => m.to.includes('patient@example.com') && /PSN-50-NEW-1/.test(m.raw)), 'the late codes mailed');
    });

    test('a refused refresh token marks the store for reconnection, and Zid is not called for it again', async () => {
      sim.revokeRefreshTokens();
      sim.expireAccessTokens();
      const order = sim.addOrder({ products: [{ id: zidProductId, quantity: 1 }], payment_status: 'paid' });
      await t.souk.zid.readOrder(storeId, String(order.id));
      assert.equal((await t.souk.zid.stores())[0]!.status, 'needs_reconnect');
      const calls = sim.requests.length + sim.tokenRequests.length;
      await t.souk.zid.readOrder(storeId, String(order.id));
      await t.souk.zid.syncRecentOrders(storeId);
      assert.equal(sim.requests.length + sim.tokenRequests.length, calls, 'no call to Zid for a store that must reconnect');
      assert.equal((await souksOrdersFor(order.id)).length, 0);
    });

    test('souk doctor is clean after all of it, and nothing failed in the background but what was injected', async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
      assert.equal(sim.tooManyRequests, 0);
      assert.deepEqual(failures.filter((f) => !/needs to be connected again/.test(f)), []);
    });
  });
}

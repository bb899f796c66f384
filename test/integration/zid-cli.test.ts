// `souk zid` as an operator runs it, in its own processes, against the same database as a Souk
// listening on 127.0.0.1 that serves Zid's callback, with a Zid simulator behind both, on SQLite and
// PostgreSQL: the --json contract of connect, stores, sync, map and suggest (stdout holds the JSON
// alone), refusals that say what to do, a sync that stops halfway and goes on from the page it had
// reached (never reading the pages before again), products Zid no longer has kept and marked gone,
// and a sync that makes the fewest requests: a page per fifty products, one for the categories, one
// for the orders, the very figure the simulator saw.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { assertRefused, jsonOf, runCli } from '../helpers/processes.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockDeps } from '../helpers/orders.js';
import { freePort, zidEnv } from '../helpers/zid.js';
import { startZidSimulator, type ZidApiRequest, type ZidSimulator } from '../fakes/zid/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { ZidRequestRefused } from '../../src/core/zid/errors.js';

const PRODUCTS = 260;
const ORDERS = 3;
const CATEGORIES = 2;
const PRODUCTS_PATH = '/v1/products/';
const CATEGORIES_PATH = '/v1/managers/store/categories';
const ORDERS_PATH = '/v1/managers/store/orders';
const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The page numbers of the product list calls among `requests`, in order. */
const productPages = (requests: readonly ZidApiRequest[]) => requests.filter((r) => r.path === PRODUCTS_PATH).map((r) => Number(r.query.page ?? '1'));

for (const kind of DATABASE_KINDS) {
  describe(`souk zid on the command line, against the Zid simulator (${kind})`, () => {
    let t: TestSouk;
    let sim: ZidSimulator;
    let storeId = 0;
    /** Zid products mapped by the map test: one unmapped again, one left mapped (and later removed from Zid). */
    let unmappedAgain = 0;
    let keptMapped = 0;
    let soukProductId = 0;
    let unpaidOrderId = 0;
    let zidIds: number[] = [];
    const cli = (...args: string[]) => runCli(['zid', ...args], t.env);
    /** Runs `work` and answers what it did with the Zid calls the simulator saw meanwhile. */
    const watching = async <T>(work: () => Promise<T>): Promise<{ result: T; requests: ZidApiRequest[] }> => {
      const from = sim.requests.length;
      const result = await work();
      return { result, requests: sim.requests.slice(from) };
    };
    const storeRow = () => t.souk.db.selectFrom('zid_stores').select(['sync_cursor', 'last_sync_at']).where('id', '=', storeId).executeTakeFirstOrThrow();
    const productRow = (zidProductId: number) =>
      t.souk.db.selectFrom('zid_products').select(['gone', 'active', 'product_id']).where('store_id', '=', storeId).where('zid_product_id', '=', String(zidProductId)).executeTakeFirstOrThrow();
    const countOf = async (table: 'zid_products' | 'zid_categories' | 'zid_orders', gone?: number) => {
      let query = t.souk.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).where('store_id', '=', storeId);
      if (gone !== undefined) query = query.where(sql.ref('gone'), '=', gone);
      return Number((await query.executeTakeFirstOrThrow()).n);
    };

    /** A sync in this process that Zid stops at the 4th product page (a 400 is not tried again), as a crash would; its cursor is left at page 4. */
    const stopAtTheFourthPage = async () => {
      let injected = false;
      const stopped = await watching(() =>
        assert.rejects(
          t.souk.zid.sync(storeId, (progress) => {
            if (progress.phase === 'products' && progress.products === 150 && !injected) {
              injected = true;
              sim.failNext({ path: /^\/v1\/products\/$/, status: 400 });
            }
          }),
          (error) => error instanceof ZidRequestRefused && error.site.zidStatus === 400,
        ),
      );
      assert.ok(injected, 'the 3rd page was written');
      assert.deepEqual(productPages(stopped.requests), [1, 2, 3, 4]);
      const cursor = JSON.parse((await storeRow()).sync_cursor ?? 'null') as { phase: string; next: string | null } | null;
      assert.equal(cursor?.phase, 'products');
      assert.equal(new URL(cursor!.next!).searchParams.get('page'), '4');
    };

    before(async () => {
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      // Each souk process keeps its own budget (no Redis here), so the simulator's limit is lifted:
      // what is counted below is requests, not the limiter, which zid-connector.test.ts covers.
      sim = await startZidSimulator({ redirectUri: `${publicUrl}/connect/zid/callback`, limit: 10_000 });
      for (let i = 0; i < CATEGORIES; i++) sim.addCategory({ name: `Category ${i + 1}` });
      const products = sim.addProducts(PRODUCTS);
      zidIds = products.map((p) => p.id);
      for (let i = 0; i < ORDERS; i++) {
        const order = sim.addOrder({ products: [{ id: products[i]!.id, quantity: 1 }], payment_status: i === 0 ? 'unpaid' : 'paid' });
        if (i === 0) unpaidOrderId = order.id;
      }
      t = await startTestSouk(kind, {
        env: {
          ...zidEnv(sim, publicUrl),
        },
      });
      await t.app.listen({ port, host: '127.0.0.1' });
    });
    after(async () => {
      await t?.close();
      await sim?.close();
    });

    test('connect --json prints only {"authorize_url"}, whose state connects the store at the callback once; without SOUK_ZID_CLIENT_ID it exits 1 saying to set it', async () => {
      const [connect, unset] = await Promise.all([cli('connect', '--json'), runCli(['zid', 'connect', '--json'], { ...t.env, SOUK_ZID_CLIENT_ID: '' })]);
      assertRefused(unset, /set SOUK_ZID_CLIENT_ID/);
      const json = jsonOf(connect);
      assert.deepEqual(Object.keys(json), ['authorize_url']);
      const url = new URL(String(json.authorize_url));
      assert.equal(`${url.origin}${url.pathname}`, `${sim.oauthUrl}/oauth/authorize`);
      const back = await sim.authorize(url.href);
      const connected = await fetch(back);
      assert.equal(connected.status, 200, await connected.clone().text());
      assert.match(await connected.text(), /is connected to Souk/);
      const replay = await fetch(back);
      assert.equal(replay.status, 400);
      assert.match(await replay.text(), /used already/);
    });

    test('stores --json lists the store with exactly id, zid_store_id, name, status and last_sync_at', async () => {
      const { stores } = jsonOf(await cli('stores', '--json')) as { stores: Array<Record<string, unknown>> };
      assert.equal(stores.length, 1);
      assert.deepEqual(Object.keys(stores[0]!).sort(), ['id', 'last_sync_at', 'name', 'status', 'zid_store_id']);
      assert.deepEqual({ ...stores[0], id: 0 }, { id: 0, zid_store_id: sim.storeId, name: 'Souk Simulator Store', status: 'connected', last_sync_at: null });
      assert.equal(typeof stores[0]!.id, 'number');
      storeId = stores[0]!.id as number;
    });

    test('sync --json reads every product in a page per fifty, the categories and the orders in one call each, and counts the requests the simulator saw', async () => {
      const { result, requests } = await watching(() => cli('sync', String(storeId), '--json'));
      const json = jsonOf(result);
      assert.deepEqual(Object.keys(json).sort(), ['categories', 'orders', 'products', 'requests']);
      const pages = Math.ceil(PRODUCTS / 50);
      assert.deepEqual(json, { products: PRODUCTS, categories: CATEGORIES, orders: ORDERS, requests: pages + 2 });
      assert.equal(requests.length, json.requests, 'the figure is what Zid saw');
      assert.deepEqual(productPages(requests), Array.from({ length: pages }, (_, i) => i + 1));
      assert.ok(requests.filter((r) => r.path === PRODUCTS_PATH).every((r) => r.query.page_size === '50'));
      assert.equal(requests.filter((r) => r.path === CATEGORIES_PATH).length, 1);
      assert.equal(requests.filter((r) => r.path === ORDERS_PATH).length, 1);
      assert.ok(requests.every((r) => r.status === 200));

      assert.equal(await countOf('zid_products', 0), PRODUCTS);
      assert.equal(await countOf('zid_categories'), CATEGORIES);
      assert.equal(await countOf('zid_orders'), ORDERS);
      assert.equal((await storeRow()).sync_cursor, null);
    });

    test('map --json prints {"zid_product_id", "product_id", "code"}; --none unmaps; a missing flag or product is refused', async () => {
      const [first, second] = await t.souk.db.selectFrom('zid_products').select(['zid_product_id']).where('store_id', '=', storeId).orderBy('zid_product_id').limit(2).execute();
      unmappedAgain = Number(first!.zid_product_id);
      keptMapped = Number(second!.zid_product_id);
      soukProductId = (await createProduct(stockDeps(t.souk), { code: 'CLI-CARD', name: { en: 'Command line card' }, price: '10.00' })).id;

      const json = jsonOf(await cli('map', String(storeId), '--zid-product', String(unmappedAgain), '--product', 'CLI-CARD', '--json'));
      assert.deepEqual(Object.keys(json), ['zid_product_id', 'product_id', 'code']);
      assert.deepEqual(json, { zid_product_id: String(unmappedAgain), product_id: soukProductId, code: 'CLI-CARD' });
      await t.souk.zid.map(storeId, String(keptMapped), 'CLI-CARD');

      const none = jsonOf(await cli('map', String(storeId), '--zid-product', String(unmappedAgain), '--none', '--json'));
      assert.deepEqual(none, { zid_product_id: String(unmappedAgain), product_id: null, code: null });
      assert.equal((await productRow(unmappedAgain)).product_id, null);
      assert.equal(Number((await productRow(keptMapped)).product_id), soukProductId);

      const [neither, unknownZid] = await Promise.all([
        cli('map', String(storeId), '--zid-product', String(unmappedAgain), '--json'),
        cli('map', String(storeId), '--zid-product', '999999999', '--product', 'CLI-CARD', '--json'),
      ]);
      assertRefused(neither, /--product CODE, or --none/);
      assertRefused(unknownZid, /999999999 is not in store \d+; sync the store first/);
    });

    test('suggest --json answers {"suggestions"} with a Souk product whose code is a Zid SKU, and never a mapped product', async () => {
      const zid = sim.product(keptMapped + 5)!;
      const matched = await createProduct(stockDeps(t.souk), { code: zid.sku, name: { en: 'Nothing like the Zid name' }, price: '5.00' });
      const json = jsonOf(await cli('suggest', String(storeId), '--json'));
      assert.deepEqual(Object.keys(json), ['suggestions']);
      const suggestions = json.suggestions as Array<Record<string, unknown>>;
      assert.deepEqual(
        suggestions.find((s) => s.zid_product_id === String(zid.id)),
        { zid_product_id: String(zid.id), zid_name: typeof zid.name === 'string' ? zid.name : zid.name.en, product_id: matched.id, code: zid.sku, name: 'Nothing like the Zid name', reason: 'sku', likeness: 1 },
      );
      assert.ok(!suggestions.some((s) => s.zid_product_id === String(keptMapped)), 'a mapped product is not suggested');
    });

    test('a store that is not there: sync, map and suggest exit 1 saying so, and a store id that is not a number is refused', async () => {
      const [sync, map, suggest, word, stores] = await Promise.all([
        cli('sync', '999', '--json'),
        cli('map', '999', '--zid-product', String(keptMapped), '--product', 'CLI-CARD', '--json'),
        cli('suggest', '999', '--json'),
        cli('sync', 'first', '--json'),
        cli('stores', '--json'),
      ]);
      for (const result of [sync, map, suggest]) assertRefused(result, /No Zid store 999\./);
      assert.notEqual(word.code, 0);
      assert.equal(word.stdout, '');
      assert.match(word.stderr, /store id must be a whole number, got "first"/);
      // Meanwhile the store synced above shows when, on the wire's clock.
      const listed = jsonOf(stores) as { stores: Array<{ id: number; last_sync_at: string }> };
      assert.deepEqual(listed.stores.map((s) => s.id), [storeId]);
      assert.match(listed.stores[0]!.last_sync_at, WIRE_TIME);
    });

    test('a sync stopped at the 4th page keeps its cursor and marks nothing gone; the next goes on from page 4 and marks gone, never deletes, what Zid removed', async () => {
      assert.ok(sim.removeProduct(keptMapped));
      const left = PRODUCTS - 1;
      await stopAtTheFourthPage();
      assert.equal((await productRow(keptMapped)).gone, 0, 'a pass that did not end marks nothing gone');

      const resumed = await watching(() => cli('sync', String(storeId), '--json'));
      const json = jsonOf(resumed.result);
      const pages = Math.ceil(left / 50);
      assert.deepEqual(productPages(resumed.requests), Array.from({ length: pages - 3 }, (_, i) => i + 4), 'pages 1 to 3 are not read again');
      assert.deepEqual(json, { products: left, categories: CATEGORIES, orders: ORDERS, requests: pages - 3 + 2 });
      assert.equal(resumed.requests.length, json.requests);
      assert.equal((await storeRow()).sync_cursor, null, 'the cursor is cleared');

      assert.equal(await countOf('zid_products'), PRODUCTS, 'nothing deleted');
      assert.equal(await countOf('zid_products', 0), left);
      const gone = await productRow(keptMapped);
      assert.deepEqual({ gone: gone.gone, active: gone.active, product_id: Number(gone.product_id) }, { gone: 1, active: 0, product_id: soukProductId }, 'gone and inactive, its mapping kept');
    });

    test('a sync that fails after its last product page exits 1 saying why; the next reads the categories and orders without a product page', async () => {
      sim.failNext({ path: /^\/v1\/managers\/store\/categories$/, status: 400 });
      const failed = await watching(() => cli('sync', String(storeId), '--json'));
      assertRefused(failed.result, /Zid GET \/v1\/managers\/store\/categories answered 400/);
      const left = PRODUCTS - 1;
      assert.equal(productPages(failed.requests).length, Math.ceil(left / 50));
      assert.notEqual((await storeRow()).sync_cursor, null);

      const resumed = await watching(() => cli('sync', String(storeId), '--json'));
      const json = jsonOf(resumed.result);
      assert.deepEqual(productPages(resumed.requests), []);
      assert.deepEqual(json, { products: left, categories: CATEGORIES, orders: ORDERS, requests: 2 });
      assert.equal(resumed.requests.length, 2);
      assert.equal((await storeRow()).sync_cursor, null);
      assert.equal(await countOf('zid_products', 0), left);
    });

    test('an order Zid lists without its products is read whole, and that read is in the requests figure too', async () => {
      // Zid's list without payload_type=default: the order as listed, its products left out.
      const bare: Record<string, unknown> = { ...sim.order(unpaidOrderId) };
      delete bare.products;
      sim.failNext({ path: /^\/v1\/managers\/store\/orders$/, status: 200, body: { count: 1, next: null, previous: null, results: [bare] } });
      const { result, requests } = await watching(() => t.souk.zid.sync(storeId));
      assert.equal(requests.filter((r) => r.path === `${ORDERS_PATH}/${unpaidOrderId}/view`).length, 1, 'the order is read whole');
      assert.equal(result.requests, requests.length);
      assert.deepEqual(result, { products: PRODUCTS - 1, categories: CATEGORIES, orders: 1, requests: Math.ceil((PRODUCTS - 1) / 50) + 3 });
    });

    test('a page kept by a stopped sync that Zid no longer has: the products start over from the first page, as a pass of their own', async () => {
      await stopAtTheFourthPage();
      // 140 products are left: three pages, so the 4th the cursor holds is "Invalid page." now.
      for (const id of zidIds.slice(-119)) assert.ok(sim.removeProduct(id));
      const { result, requests } = await watching(() => t.souk.zid.sync(storeId));
      assert.deepEqual(productPages(requests), [4, 1, 2, 3]);
      assert.equal(requests[0]!.status, 404);
      assert.deepEqual(result, { products: 140, categories: CATEGORIES, orders: ORDERS, requests: 6 });
      assert.equal(result.requests, requests.length);
      assert.equal((await storeRow()).sync_cursor, null);
      assert.equal(await countOf('zid_products'), PRODUCTS, 'nothing deleted');
      assert.equal(await countOf('zid_products', 0), 140);
      assert.equal((await productRow(zidIds.at(-1)!)).gone, 1, 'what the new pass did not see is gone');
    });

    test('a kept page off the API URL now set is never asked: the products start over from the first page', async () => {
      const cursor = { phase: 'products', next: 'http://127.0.0.1:9/v1/products/?page=2&page_size=50', startedAt: new Date().toISOString(), counts: { products: 50, categories: 0, orders: 0 } };
      await t.souk.db.updateTable('zid_stores').set({ sync_cursor: JSON.stringify(cursor) }).where('id', '=', storeId).execute();
      const { result, requests } = await watching(() => t.souk.zid.sync(storeId));
      assert.deepEqual(productPages(requests), [1, 2, 3]);
      assert.deepEqual(result, { products: 140, categories: CATEGORIES, orders: ORDERS, requests: 5 });
      assert.equal((await storeRow()).sync_cursor, null);
    });
  });
}

// `souk provider`, the real command in its own process, against a real upstream: Souk A listening
// on 127.0.0.1 with a product in stock, a reseller key and a funded wallet; Souk B (the shop the
// command runs on) adds A with the souk dialect, reads its balance and catalog, imports with a
// markup, syncs, turns it off and on, and settles by hand an order stuck at a provider that cannot
// look orders up (A again, through the store dialect and a link that hangs up on the purchase).
// No credential may appear in anything the command prints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { assertRefused, jsonOf, runCli, type CliResult } from '../helpers/processes.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { listenLocally, ordersOf } from '../helpers/upstream-souk.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { until } from '../helpers/until.js';
import { findProduct, updateProduct } from '../../src/core/catalog/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { callbackSecret } from '../../src/core/webhooks/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`souk provider against a real upstream Souk on 127.0.0.1 (${kind})`, () => {
    let a: TestSouk;
    let b: TestSouk;
    let aOrigin: string;
    let aBase: string;
    let shopB: TestReseller;
    let callbackKey: string;
    let folder: string;
    let keyFile: string;
    let secretFile: string;
    let cardId: number;
    let voucherId: number;
    let providerId: number;
    let cardProductId: number;
    let flaky: FaultyUpstream | undefined;
    const cli = (...args: string[]) => runCli(['provider', ...args], b.env);
    /** Nothing the command printed carries one of A's credentials. */
    const assertNoCredential = (result: CliResult) => {
      for (const secret of [shopB.apiKey, callbackKey]) {
        assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'a credential was printed');
      }
    };

    before(async () => {
      a = await startTestSouk(kind);
      aOrigin = await listenLocally(a);
      aBase = `${aOrigin}/api/v1`;
      shopB = await createReseller(a.souk, { name: 'Shop B' });
      await fund(a.souk, shopB.accountId, 100_000);
      callbackKey = await callbackSecret({ db: a.souk.db, box: a.souk.box, allowPrivate: true }, shopB.accountId);
      cardId = await stockedProduct(a.souk, { code: 'A-CARD', name: { en: 'Gift card 10', ar: 'بطاقة هدية ١٠' }, price: '12.50' }, 5);
      voucherId = await stockedProduct(a.souk, { code: 'A-VOUCHER', name: { en: 'Voucher 3' }, price: '3.00' }, 2);
      b = await startTestSouk(kind, { env: { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_WAIT_MS: '0' } });
      folder = mkdtempSync(path.join(os.tmpdir(), 'souk-provider-cli-'));
      keyFile = path.join(folder, 'a.key');
      secretFile = path.join(folder, 'a.secret');
      writeFileSync(keyFile, `${shopB.apiKey}\n`, { mode: 0o600 });
      writeFileSync(secretFile, `  ${callbackKey}\n`, { mode: 0o600 });
    });
    after(async () => {
      await flaky?.close();
      await b?.close();
      await a?.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    test('add takes the key and secret from files and prints only {"provider_id"}', async () => {
      const added = await cli(
        'add', '--name', 'Souk A', '--url', aBase, '--dialect', 'souk', '--key-file', keyFile, '--secret-file', secretFile,
        '--markup-percent', '15', '--markup-fixed', '0.10', '--rounding', '0.05', '--sync-interval', '60', '--json',
      );
      assertNoCredential(added);
      const json = jsonOf(added);
      assert.deepEqual(Object.keys(json), ['provider_id']);
      assert.equal(typeof json.provider_id, 'number');
      providerId = json.provider_id as number;
      const row = await b.souk.db.selectFrom('providers').selectAll().where('id', '=', providerId).executeTakeFirstOrThrow();
      assert.ok(!row.credentials.includes(shopB.apiKey) && !row.credentials.includes(callbackKey), 'the credentials are sealed at rest');
    });

    test('list shows the provider with its pricing and never its credentials, as JSON and as lines', async () => {
      const listed = await cli('list', '--json');
      assertNoCredential(listed);
      const { providers } = jsonOf(listed) as { providers: Array<Record<string, unknown>> };
      assert.equal(providers.length, 1);
      const [souk] = providers;
      assert.equal(souk!.provider_id, providerId);
      assert.equal(souk!.name, 'Souk A');
      assert.equal(souk!.url, aBase);
      assert.equal(souk!.dialect, 'souk');
      assert.equal(souk!.currency, 'USD');
      assert.equal(souk!.sell_currency, 'USD');
      assert.equal(souk!.markup_percent, '15.00');
      assert.equal(souk!.markup_fixed, '0.10');
      assert.equal(souk!.rounding, '0.05');
      assert.equal(souk!.sync_interval_seconds, 60);
      assert.equal(souk!.enabled, true);
      assert.match(String(souk!.created_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'a time to the second, as on the wire');
      assert.ok(!('credentials' in souk!) && !('key' in souk!) && !('secret' in souk!));
      const lines = await cli('list');
      assert.equal(lines.code, 0, lines.stderr);
      assertNoCredential(lines);
      assert.match(lines.stdout, new RegExp(`^${providerId}  Souk A  souk  ${aBase.replace(/[.]/g, '\\.')}`, 'm'));
    });

    test('ping reaches A and reads our balance there', async () => {
      const ping = jsonOf(await cli('ping', String(providerId), '--json'));
      assert.equal(ping.provider_id, providerId);
      assert.equal(ping.reachable, true);
      assert.equal(ping.balance, '1000.00');
      assert.equal(ping.currency, 'USD');
      assert.equal(ping.error, null);
      assert.equal(typeof ping.latency_ms, 'number');
      const { providers } = jsonOf(await cli('list', '--json')) as { providers: Array<Record<string, unknown>> };
      assert.equal(providers[0]!.reachability, 'up', 'the ping is recorded');
      assert.equal(providers[0]!.balance, '1000.00');
      assert.match(String(providers[0]!.last_ping_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });

    test('balance prints {"provider_id","balance","currency"}: what our wallet at A holds', async () => {
      assert.deepEqual(jsonOf(await cli('balance', String(providerId), '--json')), { provider_id: providerId, balance: '1000.00', currency: 'USD' });
    });

    test("products lists A's catalog: its refs, English names, decimal prices, currency, stock and status", async () => {
      const listed = await cli('products', String(providerId), '--json');
      const { products } = jsonOf(listed) as { products: Array<Record<string, unknown>> };
      assert.deepEqual(
        products.sort((x, y) => String(x.upstream_ref).localeCompare(String(y.upstream_ref))),
        [
          { upstream_ref: String(cardId), name: 'Gift card 10', price: '12.50', currency: 'USD', stock: 5, status: 'active' },
          { upstream_ref: String(voucherId), name: 'Voucher 3', price: '3.00', currency: 'USD', stock: 2, status: 'active' },
        ].sort((x, y) => x.upstream_ref.localeCompare(y.upstream_ref)),
      );
    });

    test('import --ref with --code makes a local upstream product priced at A’s price × markup, rounded up to the step', async () => {
      const imported = jsonOf(await cli('import', String(providerId), '--ref', String(cardId), '--code', 'B-CARD', '--json'));
      const rows = imported.imported as Array<{ product_id: number; code: string; upstream_ref: string }>;
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.code, 'B-CARD');
      assert.equal(rows[0]!.upstream_ref, String(cardId));
      cardProductId = rows[0]!.product_id;
      const product = await findProduct(b.souk.db, cardProductId);
      // 12.50 × 1.15 = 14.375 → 14.38 (up to the cent), + 0.10 = 14.48, up to a multiple of 0.05: 14.50.
      assert.equal(product.price_minor, 1450);
      assert.equal(product.currency, 'USD');
      assert.equal(product.fulfillment, 'upstream');
      assert.equal(product.code, 'B-CARD');
      assert.deepEqual(product.name, { en: 'Gift card 10', ar: 'بطاقة هدية ١٠' });
    });

    test('import --all brings the rest and returns the one imported already as it is', async () => {
      const imported = jsonOf(await cli('import', String(providerId), '--all', '--json'));
      const rows = (imported.imported as Array<{ product_id: number; code: string; upstream_ref: string }>).sort((x, y) => x.upstream_ref.localeCompare(y.upstream_ref));
      assert.equal(rows.length, 2);
      const card = rows.find((r) => r.upstream_ref === String(cardId));
      assert.deepEqual(card, { product_id: cardProductId, code: 'B-CARD', upstream_ref: String(cardId) });
      const voucher = rows.find((r) => r.upstream_ref === String(voucherId))!;
      assert.equal(voucher.code, `up${providerId}-${voucherId}`);
      const product = await findProduct(b.souk.db, voucher.product_id);
      // 3.00 × 1.15 = 3.45, + 0.10 = 3.55 (a multiple of 0.05 already).
      assert.equal(product.price_minor, 355);
      const again = jsonOf(await cli('import', String(providerId), '--all', '--json'));
      assert.equal((again.imported as unknown[]).length, 2, 'nothing imported twice');
      const count = await b.souk.db.selectFrom('upstream_products').select('product_id').where('provider_id', '=', providerId).execute();
      assert.equal(count.length, 2);
    });

    test("sync follows a price change on A and prints the SyncReport", async () => {
      await updateProduct(stockDeps(a.souk), cardId, { price: '13.00' });
      const report = jsonOf(await cli('sync', String(providerId), '--json'));
      assert.deepEqual(report, { provider_id: providerId, listed: 2, updated: 1, paused: 0, resumed: 0 });
      // 13.00 × 1.15 = 14.95, + 0.10 = 15.05.
      assert.equal((await findProduct(b.souk.db, cardProductId)).price_minor, 1505);
      const quiet = jsonOf(await cli('sync', String(providerId), '--json'));
      assert.deepEqual(quiet, { provider_id: providerId, listed: 2, updated: 0, paused: 0, resumed: 0 });
    });

    test('disable stops selling from A (an order answers 503 provider_unavailable) and enable sells again', async () => {
      const buyer = await createReseller(b.souk, { name: 'Buyer on B' });
      await fund(b.souk, buyer.accountId, 10_000);
      assert.deepEqual(jsonOf(await cli('disable', String(providerId), '--json')), { provider_id: providerId, enabled: false });
      const listed = jsonOf(await cli('list', '--json')) as { providers: Array<{ enabled: boolean }> };
      assert.equal(listed.providers[0]!.enabled, false);
      const refused = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'B-CARD', quantity: 1 } });
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.json().error, 'provider_unavailable');
      assert.equal(await ordersOf(a.souk, shopB.accountId), 0, 'nothing bought at A');
      assert.deepEqual(jsonOf(await cli('enable', String(providerId), '--json')), { provider_id: providerId, enabled: true });
      assert.equal((jsonOf(await cli('list', '--json')) as { providers: Array<{ enabled: boolean }> }).providers[0]!.enabled, true);
    });

    test('resolve --not-bought rejects and refunds an order stuck at a provider that cannot look orders up', async () => {
      // A again, through seed 003's API (no order lookup) on a link that hangs up on the purchase.
      const link = await startFaultyUpstream({ target: aOrigin });
      flaky = link;
      link.plan = (seen) => (seen.method === 'POST' && seen.url.startsWith('/api/v1/orders') ? { kind: 'hang_up' } : { kind: 'pass' });
      const added = await cli('add', '--name', 'Souk A over a flaky link', '--url', `${link.origin}/api/v1`, '--dialect', 'store', '--key', shopB.apiKey, '--json');
      assertNoCredential(added);
      const storeId = jsonOf(added).provider_id as number;
      jsonOf(await cli('import', String(storeId), '--ref', String(voucherId), '--code', 'B-VOUCHER-STORE', '--json'));
      const buyer = await createReseller(b.souk, { name: 'Stuck buyer' });
      await fund(b.souk, buyer.accountId, 10_000);
      const placed = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'B-VOUCHER-STORE', quantity: 1 } });
      assert.equal(placed.statusCode, 200, placed.body);
      const orderId = placed.json().order_id as string;
      assert.equal(placed.json().status, 'processing');
      await link.waitFor(() => link.requests.some((r) => r.method === 'POST'), 'the purchase sent to the flaky link');
      // The next try cannot look the order up: it waits for a person.
      await until(
        async () => {
          await b.souk.upstream.resume();
          return (await b.souk.db.selectFrom('upstream_orders').select('state').where('order_id', '=', orderId).executeTakeFirst())?.state;
        },
        (state) => state === 'stuck',
        'the order stuck at the provider',
      );
      // This provider was added without a markup: A's 3.00.
      assert.equal(await balanceOf(b.souk, buyer.accountId), 10_000 - 300, 'the buyer paid (held) meanwhile');

      assertRefused(await cli('resolve', orderId), /--not-bought/);
      assert.deepEqual(jsonOf(await cli('resolve', orderId, '--not-bought', '--json')), { order_id: orderId, status: 'rejected' });
      assert.equal(await balanceOf(b.souk, buyer.accountId), 10_000, 'refunded');
      assert.equal((await b.souk.db.selectFrom('upstream_orders').select('state').where('order_id', '=', orderId).executeTakeFirstOrThrow()).state, 'failed');
      assert.equal(await ordersOf(a.souk, shopB.accountId), 0, 'A never took it');
      assertRefused(await cli('resolve', orderId, '--not-bought'), /only a stuck order/);
      assertRefused(await cli('resolve', '00000000-0000-0000-0000-000000000000', '--not-bought'), /not forwarded to a provider/);
    });

    test('bad input exits 1 with one line naming the problem and nothing secret', async () => {
      const secret = 'sk_live_never_print_me';
      const base = ['add', '--name', 'Bad', '--url', aBase, '--dialect', 'souk'];
      writeFileSync(path.join(folder, 'empty'), '\n');
      const cases: Array<[string[], RegExp]> = [
        [['add', '--name', 'Bad', '--url', aBase, '--dialect', 'soap', '--key', secret], /dialect one of souk, partner, store, shop, smm/],
        [['add', '--name', 'Bad', '--url', 'ftp://a.example/api', '--dialect', 'souk', '--key', secret], /url an http\(s\) URL/],
        [['add', '--name', 'Bad', '--url', `http://user:${secret}@127.0.0.1/api/v1`, '--dialect', 'souk', '--key', 'k'], /url an http\(s\) URL without credentials/],
        [base, /key is required for the souk dialect/],
        [[...base, '--key', secret, '--key-file', keyFile], /--key or --key-file, not both/],
        [[...base, '--key-file', path.join(folder, 'no-such-file')], /--key-file .*no-such-file cannot be read \(ENOENT\)/],
        [[...base, '--key-file', path.join(folder, 'empty')], /--key-file .*empty is empty/],
        [[...base, '--key', secret, '--username', 'me@example.com'], /--username and --password/],
        [[...base, '--key', secret, '--markup-percent', '-5'], /markup_percent a percentage/],
        [[...base, '--key', secret, '--sync-interval', '5'], /sync_interval_seconds from 10 to 86400/],
        [['add', '--name', 'Souk A', '--url', aBase, '--dialect', 'souk', '--key', secret], /named "Souk A" exists/],
        [['import', String(providerId), '--ref', String(cardId), '--all'], /either --ref UPSTREAM_REF .* or --all/],
        [['import', String(providerId)], /either --ref UPSTREAM_REF .* or --all/],
        [['import', String(providerId), '--all', '--code', 'X'], /--code .* does not go with --all/],
        [['import', String(providerId), '--ref', '999999'], /does not list 999999/],
        [['balance', '999', '--json'], /No provider 999/],
        [['sync', 'one'], /the provider id must be a whole number/],
      ];
      // None changes anything: a few processes side by side.
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4);
        const results = await Promise.all(batch.map(([args]) => cli(...args)));
        results.forEach((result, j) => {
          const line = assertRefused(result, batch[j]![1]);
          assert.ok(!line.includes(secret), `${line} shows the key`);
          assertNoCredential(result);
        });
      }
      const providers = await b.souk.db.selectFrom('providers').select('name').execute();
      assert.deepEqual(providers.map((p) => p.name).sort(), ['Souk A', 'Souk A over a flaky link'], 'no bad provider was added');
    });

    test('an unreachable provider is a one-line 502 reason for balance, products, import and sync, and a ping that says so', async () => {
      await flaky!.close();
      flaky = undefined;
      const storeId = (await b.souk.db.selectFrom('providers').select('id').where('name', '=', 'Souk A over a flaky link').executeTakeFirstOrThrow()).id;
      for (const command of ['balance', 'products', 'sync']) {
        const result = await cli(command, String(storeId));
        assertNoCredential(result);
        assertRefused(result, /provider (could not be read|did not tell its balance)/);
      }
      assertRefused(await cli('import', String(storeId), '--all'), /provider could not be read/);
      const ping = jsonOf(await cli('ping', String(storeId), '--json'));
      assert.equal(ping.reachable, false);
      assert.equal(typeof ping.error, 'string');
      assert.deepEqual(await checkInvariants(b.souk.db), []);
      assert.deepEqual(await checkInvariants(a.souk.db), []);
    });

    // A provider added with the wrong currency: A answers for an account in EUR, B was told USD.
    let euroId: number;
    test("a provider answering in another currency than it was added with: products shows A's own currency", async () => {
      await setFxRate(stockDeps(a.souk), 'USD', 'EUR', '0.9');
      const euroShop = await createAccount(a.souk.db, { name: 'Shop B in euros', kind: 'reseller', currency: 'EUR' });
      const euroKey = (await createApiKey(a.souk.db, a.souk.box, { accountId: euroShop.id })).apiKey;
      await fund(a.souk, euroShop.id, 10_000, 'EUR');
      euroId = jsonOf(await cli('add', '--name', 'Souk A in euros', '--url', aBase, '--dialect', 'souk', '--key', euroKey, '--currency', 'USD', '--json')).provider_id as number;
      // A's card costs this account 13.00 USD × 0.9 = 11.70 EUR.
      const { products } = jsonOf(await cli('products', String(euroId), '--json')) as { products: Array<{ upstream_ref: string }> };
      assert.deepEqual(products.find((p) => p.upstream_ref === String(cardId)), { upstream_ref: String(cardId), name: 'Gift card 10', price: '11.70', currency: 'EUR', stock: 5, status: 'active' });
    });

    test(
      'its balance is never labelled with the wrong currency',
      async () => {
        const balance = await cli('balance', String(euroId), '--json');
        if (balance.code === 0) assert.equal(jsonOf(balance).currency, 'EUR', `100.00 EUR shown as ${balance.stdout}`);
        else assertRefused(balance, /EUR/);
        const ping = jsonOf(await cli('ping', String(euroId), '--json'));
        assert.ok(ping.balance === null || ping.currency === 'EUR', `ping: 100.00 EUR shown as ${JSON.stringify(ping)}`);
      },
    );

    test(
      'nothing is priced from the wrong currency: an import refuses, or covers the cost',
      async () => {
        const imported = await cli('import', String(euroId), '--ref', String(cardId), '--code', 'B-CARD-EUR', '--json');
        if (imported.code !== 0) return void assertRefused(imported, /EUR/);
        const product = await findProduct(b.souk.db, (jsonOf(imported).imported as Array<{ product_id: number }>)[0]!.product_id);
        // Its cost is 11.70 EUR, which is 13.00 USD at A's rate.
        assert.ok(product.currency !== 'USD' || product.price_minor >= 1300, `sold at ${product.price_minor} USD cents, below its cost of 11.70 EUR = 13.00 USD`);
      },
    );
  });
}

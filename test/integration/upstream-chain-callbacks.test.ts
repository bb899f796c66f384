// Two Souks chained on 127.0.0.1 (A, a real `souk serve` process with its worker, upstream of
// B), following orders and prices by A's callbacks. B has a public URL, so each create carries
// B's callback URL (`<public URL>/upstream/callbacks/<provider id>`); a small relay stands at that
// URL and hands each callback to `souk.upstream.receiveCallback`, as B's HTTP route does. An
// order A delivers by hand later reaches B by A's signed order callback alone (B never polls
// here: no background work, no resume from the test), for the souk and partner dialects, the two
// whose APIs call back (store, shop and the smm panel have no callbacks). A price change on A
// reaches B by A's product.updated webhook alone (souk; seed 000 sends no product events). A
// tampered callback is refused and recorded without a credential.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { fund, stockDeps } from '../helpers/orders.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import { accountOnA, API_PATH, orderOnA, orderOnB, productOnA, repriceOnA, secretsOf, startChainUpstream, statusOnB, type AccountOnA, type ChainUpstream, type ProductOnA } from '../helpers/upstream-chain.js';
import { createProduct, findProduct } from '../../src/core/catalog/index.js';
import { formatMinor } from '../../src/core/money.js';
import { checkInvariants } from '../../src/core/orders/index.js';
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
}

for (const kind of DATABASE_KINDS) {
  describe(`two Souks chained, B following A's callbacks (${kind})`, () => {
    let a: ChainUpstream & { seeded: Seeded };
    let b: TestSouk;
    let relay: Awaited<ReturnType<typeof startRelay>>;
    let buyer: TestReseller;
    const providers = {} as Record<CallbackDialect, number>;
    const imported = {} as Record<CallbackDialect, string>;
    let pricedOnB: number;
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
          return { accounts, byHand: { id: byHand.id, code: byHand.code }, priced };
        },
        { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' },
        ['--worker'],
      );
      b = await startTestSouk(kind, { env: { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_TIMEOUT_MS: '5000', SOUK_UPSTREAM_WAIT_MS: '1000', SOUK_PUBLIC_URL: relay.origin } });
      buyer = await createReseller(b.souk, { name: 'B buyer' });
      await fund(b.souk, buyer.accountId, 100_000);
      for (const dialect of DIALECTS) {
        providers[dialect] = (await b.souk.upstream.add({ name: `A (${dialect})`, url: `${a.origin}${API_PATH[dialect]}`, dialect, ...a.seeded.accounts[dialect].credentials })).id;
        const ref = dialect === 'partner' ? a.seeded.byHand.code : String(a.seeded.byHand.id);
        imported[dialect] = (await b.souk.upstream.import(providers[dialect], [{ ref }]))[0]!.code;
      }
      pricedOnB = (await b.souk.upstream.import(providers.souk, [{ ref: String(a.seeded.priced.id) }]))[0]!.product_id;
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

    test('souk doctor finds nothing wrong on B or on A', async () => {
      assert.deepEqual(await checkInvariants(b.souk.db), []);
      assert.deepEqual(await checkInvariants(a.souk.db), []);
    });
  });
}

import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { testEnv } from '../helpers/souk.js';
import { spawnServer } from '../helpers/processes.js';
import type { Env } from '../../src/config.js';

for (const kind of DATABASE_KINDS) {
  describe(`souk serve --demo (${kind})`, () => {
    let database: TestDatabase;
    let env: Env;
    before(async () => {
      database = await createTestDatabase(kind);
      env = testEnv(database);
    });
    after(() => database.drop());

    test('seeds a catalog and prints working credentials once: shop prices as charged, a manual product to cancel, a partner key that signs /v1; a restart says the demo exists and how to make a key', async () => {
      const server = await spawnServer(env, ['--demo']);
      let printed: string;
      try {
        printed = server.output();
        const login = /Admin login\s+(\S+) \/ (\S+)/.exec(printed);
        const resellerKey = /Reseller key\s+(sk_live_\S+)/.exec(printed)?.[1];
        const adminKey = /Admin API key\s+(sk_live_\S+)/.exec(printed)?.[1];
        assert.ok(login && resellerKey && adminKey, printed);

        const categories = ((await (await fetch(`${server.url}/api/v1/categories`)).json()) as { categories: Array<{ id: number; names: Record<string, string> }> }).categories;
        assert.equal(categories.length, 3);
        for (const category of categories) {
          assert.ok(category.names.en && category.names.ar && category.names.zh);
          const types = ((await (await fetch(`${server.url}/api/v1/categories/${category.id}/types`)).json()) as { types: unknown[] }).types;
          assert.ok(types.length >= 1);
        }
        const products = ((await (await fetch(`${server.url}/api/v1/products?limit=100`)).json()) as { products: Array<{ names: Record<string, string>; category: unknown }> }).products;
        assert.ok(products.length >= 12, `only ${products.length} products`);
        for (const p of products) assert.ok(p.names.en && p.names.ar && p.names.zh && p.category);

        const token = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login[1], password: login[2] }) });
        assert.equal(token.status, 200);
        const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${resellerKey}` } });
        assert.equal(me.status, 200);
        const account = (await me.json()) as { kind: string; balance: number };
        assert.equal(account.kind, 'reseller');
        assert.equal(account.balance, 1000);
        const stocked = ((await (await fetch(`${server.url}/api/v1/products/STEAM-20-USD`)).json()) as { product: { stock: number } }).product;
        assert.equal(stocked.stock, 50);
        const bought = await fetch(`${server.url}/api/v1/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${resellerKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ product: 'STEAM-20-USD', quantity: 2 }),
        });
        assert.equal(bought.status, 200);
        const codes = ((await bought.json()) as { order: { items: Array<{ code: string }> } }).order.items.map((i) => i.code);
        assert.equal(codes.length, 2);
        for (const code of codes) assert.match(code, /^DEMO-/);
        // The shop profile works out of the box: the demo customer pays in CNY with the demo coupon.
        const customer = /Shop customer\s+(\S+) \/ (\S+)\s+\(.*coupon (\S+)\)/.exec(printed);
        assert.ok(customer, printed);
        const shopLogin = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: customer[1], password: customer[2] }) });
        assert.equal(shopLogin.status, 200);
        const customerToken = ((await shopLogin.json()) as { token: string }).token;
        const shopProducts = ((await (await fetch(`${server.url}/api/products`)).json()) as { products: Array<{ id: string; slug: string; price: number }> }).products;
        const steam = shopProducts.find((p) => p.slug === 'steam-20-usd');
        assert.ok(steam);
        const shopOrder = await fetch(`${server.url}/api/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ productId: steam.id, quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'balance_cny', couponCode: customer[3] }),
        });
        const placed = (await shopOrder.json()) as { order: { amount: number; currency: string; items: string[] } };
        assert.equal(shopOrder.status, 200, JSON.stringify(placed));
        // 20.00 USD less 10 % is 18.00 USD, at 7.2 CNY per USD.
        assert.deepEqual([placed.order.amount, placed.order.currency, placed.order.items.length], [129.6, 'CNY', 1]);
        assert.equal(steam.price, 144);

        // What the shop shows is what it charges: every listed price, once per unit, without a coupon.
        const ordered = async (productId: string, quantity: number, paymentMethod: string) => {
          const res = await fetch(`${server.url}/api/orders`, {
            method: 'POST',
            headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ productId, quantity, contactEmail: 'buyer@example.com', paymentMethod }),
          });
          const body = (await res.json()) as { order: { amount: number; currency: string } };
          assert.equal(res.status, 200, JSON.stringify(body));
          return body.order;
        };
        const antivirus = shopProducts.find((p) => p.slug === 'av-1y-1pc');
        assert.ok(antivirus);
        // 14.90 USD at 7.2 is 107.28 CNY a unit.
        assert.equal(antivirus.price, 107.28);
        const three = await ordered(antivirus.id, 3, 'balance_cny');
        assert.deepEqual([three.amount, three.currency], [Math.round(3 * antivirus.price * 100) / 100, 'CNY']);
        // balance_crypto pays that CNY amount in USD at the demo's rate back.
        const inUsd = await ordered(steam.id, 1, 'balance_crypto');
        assert.deepEqual([inUsd.amount, inUsd.currency], [20, 'USD']);

        // A product fulfilled by hand: its order waits, so the buyer can cancel it.
        const manual = /Manual product\s+(\S+):/.exec(printed)?.[1];
        assert.ok(manual, printed);
        const waiting = await fetch(`${server.url}/api/v1/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${resellerKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ product: manual }),
        });
        const waitingOrder = (await waiting.json()) as { order_id: string; status: string };
        assert.equal(waiting.status, 200, JSON.stringify(waitingOrder));
        assert.equal(waitingOrder.status, 'processing');
        const cancelled = await fetch(`${server.url}/api/v1/orders/${waitingOrder.order_id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${resellerKey}` } });
        assert.equal(cancelled.status, 200);
        assert.equal(((await cancelled.json()) as { order: { status: string } }).order.status, 'cancelled');

        // The partner's key and signing secret open /v1 at once, signed as seed 000 signs.
        const partnerKey = /Partner key\s+(sk_live_\S+)/.exec(printed)?.[1];
        const signingSecret = /Partner signing secret\s+(ss_\S+)/.exec(printed)?.[1];
        assert.ok(partnerKey && signingSecret, printed);
        const signed = (body: string) => ({
          'x-api-key': partnerKey,
          'x-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-signature': createHmac('sha256', signingSecret).update(body).digest('hex'),
        });
        const partnerProducts = await fetch(`${server.url}/v1/products?limit=5`, { headers: signed('') });
        assert.equal(partnerProducts.status, 200);
        assert.equal(((await partnerProducts.json()) as { products: unknown[] }).products.length, 5);
        const partnerOrderBody = JSON.stringify({ partner_order_id: 'DEMO-1', flow_type: 'buy_direct_id', product_code: 'PLAY-10-USD', buyer: { name: 'Demo Buyer', email: 'buyer@example.com' } });
        const partnerOrder = await fetch(`${server.url}/v1/orders`, { method: 'POST', headers: { ...signed(partnerOrderBody), 'content-type': 'application/json' }, body: partnerOrderBody });
        assert.equal(partnerOrder.status, 200, await partnerOrder.clone().text());
        const unsigned = await fetch(`${server.url}/v1/products`, { headers: { 'x-api-key': partnerKey } });
        assert.equal(unsigned.status, 401);
        const admin = await fetch(`${server.url}/admin/api/accounts`, { headers: { authorization: `Bearer ${adminKey}` } });
        assert.equal(admin.status, 200);
      } finally {
        assert.equal(await server.stop(), 0);
      }

      const again = await spawnServer(env, ['--demo']);
      try {
        assert.doesNotMatch(again.output(), /sk_live_/);
        // It says the demo is there, and how to get a key now that the first secrets are gone.
        assert.match(again.output(), /Souk demo exists/);
        const resellerAccount = /souk key create --account (\d+) \(the demo reseller\)/.exec(again.output())?.[1];
        assert.ok(resellerAccount, again.output());
        assert.match(again.output(), /souk key create --account \d+ --signed \(the demo partner, for \/v1\)/);
        const products = ((await (await fetch(`${again.url}/api/v1/products?limit=100`)).json()) as { products: unknown[] }).products;
        assert.ok(products.length >= 12 && products.length < 24, 'the demo must not be seeded twice');
      } finally {
        await again.stop();
      }
    });
  });
}

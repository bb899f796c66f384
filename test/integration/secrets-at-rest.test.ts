// Nothing secret rests in plaintext. Every route that answers with a secret (delivered codes, a
// revealed code, a new API key and its signing secret, webhook and callback secrets, tokens, a
// password) is called twice with an Idempotency-Key, then the database is read the way a thief
// with a copy would: every byte of the SQLite file and its WAL, or a pg_dump. None may be there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { InjectOptions } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';

const run = promisify(execFile);
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

for (const kind of DATABASE_KINDS) {
  describe(`secrets at rest (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    let partner: TestReseller;
    /** Every secret an answer carried, by where it came from. */
    const secrets = new Map<string, string>();
    const keep = (what: string, value: unknown) => {
      assert.equal(typeof value, 'string', `${what}: no secret in the answer`);
      assert.ok((value as string).length >= 8, `${what}: ${String(value)}`);
      secrets.set(what, value as string);
    };

    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk, { name: 'Reseller' });
      partner = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Partner' });
      await fund(t.souk, reseller.accountId, 100_000);
      await fund(t.souk, partner.accountId, 100_000);
      await stockedProduct(t.souk, { code: 'SECRET-CARD', price: '1.00' }, 20);
      await stockedProduct(t.souk, { code: 'SECRET-CNY', price: '1.00', currency: 'CNY' }, 5);
    });
    after(() => t.close());

    async function twice(request: InjectOptions) {
      const first = await t.app.inject(request);
      const second = await t.app.inject(request);
      assert.ok(first.statusCode < 300, `${request.url}: ${first.body}`);
      assert.equal(second.statusCode, first.statusCode, `${request.url} again: ${second.body}`);
      return [first, second] as const;
    }
    const admin = (method: 'POST' | 'GET', url: string, key: string, payload?: object) =>
      twice({ method, url: `/admin/api${url}`, headers: { ...bearer(t.adminKey), 'idempotency-key': key }, ...(payload ? { payload } : {}) });

    test('every route that answers with a secret, called twice with one Idempotency-Key', async () => {
      // Orders on the canonical API, seed 000's and the shop's: the codes are in the answer.
      const [canonical, canonicalAgain] = await twice({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer(reseller.apiKey), 'idempotency-key': 'order-1' }, payload: { product: 'SECRET-CARD', quantity: 2 } });
      assert.equal(canonicalAgain.json().order_id, canonical.json().order_id);
      canonical.json().order.items.forEach((item: { code: string }, i: number) => keep(`canonical code ${i}`, item.code));

      const partnerBody = JSON.stringify({ partner_order_id: 'P-1', flow_type: 'buy_direct_id', product_code: 'SECRET-CARD', buyer: { name: 'B', email: 'b@example.com' } });
      const [partnerOrder] = await twice({
        method: 'POST',
        url: '/v1/orders',
        headers: { 'x-api-key': partner.apiKey, 'content-type': 'application/json', 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': hmac(partner.signingSecret!, partnerBody), 'idempotency-key': 'order-2' },
        payload: partnerBody,
      });
      keep('partner code', partnerOrder.json().order.fulfillment.delivered_items[0].code);

      const registered = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'buyer@example.com', password: 'a long shop password' } });
      assert.equal(registered.statusCode, 200, registered.body);
      keep('shop password', 'a long shop password');
      const customerToken = registered.json().token;
      keep('customer token', customerToken);
      const customer = await t.souk.db.selectFrom('accounts').select('id').where('name', '=', 'buyer@example.com').executeTakeFirstOrThrow();
      await fund(t.souk, customer.id, 10_000, 'CNY');
      const product = await t.souk.db.selectFrom('products').select('id').where('code', '=', 'SECRET-CNY').executeTakeFirstOrThrow();
      const [shop] = await twice({
        method: 'POST',
        url: '/api/orders',
        headers: { ...bearer(customerToken), 'idempotency-key': 'order-3' },
        payload: { productId: String(product.id), quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'balance_cny' },
      });
      keep('shop code', shop.json().order.items[0]);

      // A new key and its signing secret, shown once.
      const [key, keyAgain] = await admin('POST', `/accounts/${reseller.accountId}/keys`, 'key-1', { signed: true });
      keep('new api key', key.json().api_key);
      keep('new signing secret', key.json().signing_secret);
      assert.equal(keyAgain.json().key_id, key.json().key_id, 'the replay names the same key');
      assert.equal(keyAgain.json().api_key, null, 'a replay never shows the key again');
      assert.equal(keyAgain.json().signing_secret, null, 'nor its signing secret');
      assert.equal((await t.souk.db.selectFrom('api_keys').select('id').where('account_id', '=', reseller.accountId).execute()).length, 2, 'one key made');

      // Webhook secrets: a new endpoint's, a rotated one, and the account's callback secret.
      const [endpoint, endpointAgain] = await admin('POST', '/webhooks', 'hook-1', { account_id: reseller.accountId, url: 'https://hooks.example.com/souk' });
      keep('webhook secret', endpoint.json().secret);
      assert.equal(endpointAgain.json().secret, null);
      const [rotated, rotatedAgain] = await admin('POST', `/webhooks/${endpoint.json().endpoint.id}/rotate-secret`, 'hook-2');
      keep('rotated webhook secret', rotated.json().secret);
      assert.equal(rotatedAgain.json().secret, null);
      const [callback] = await admin('POST', `/accounts/${reseller.accountId}/callback-secret`, 'hook-3');
      keep('callback secret', callback.json().secret);

      // An upstream provider's credentials go in and never come out.
      const [provider] = await admin('POST', '/providers', 'provider-1', { name: 'Upstream', url: 'https://upstream.example.com/api/v1', dialect: 'souk', key: 'sk_live_provider-key-123', secret: 'provider-signing-secret', username: 'owner', password: 'provider password 42' });
      assert.equal(provider.statusCode, 201, provider.body);
      for (const secret of ['sk_live_provider-key-123', 'provider-signing-secret', 'provider password 42']) assert.ok(!provider.body.includes(secret), 'the answer shows no credential');
      keep('provider key', 'sk_live_provider-key-123');
      keep('provider secret', 'provider-signing-secret');
      keep('provider password', 'provider password 42');

      // A code revealed by an admin: each reveal, replayed or not, shows it and is audited.
      const stock = (await t.app.inject({ url: '/admin/api/products/SECRET-CARD/stock?status=available', headers: bearer(t.adminKey) })).json();
      const itemId = stock.items[0].id;
      const [reveal, revealAgain] = await admin('POST', `/stock/${itemId}/reveal`, 'reveal-1');
      keep('revealed code', reveal.json().code);
      assert.equal(revealAgain.json().code, reveal.json().code);
      const audited = await t.souk.db.selectFrom('audit_log').select('id').where('subject', '=', `stock_item:${itemId}`).where('action', '=', 'stock.reveal').execute();
      assert.equal(audited.length, 2, 'the replayed reveal is audited like the first');

      // A login's password, and the tokens it is given.
      const user = await admin('POST', `/accounts/${reseller.accountId}/users`, 'user-1', { username: 'reseller-user', password: 'a long user password' });
      assert.equal(user[0].statusCode, 201);
      keep('user password', 'a long user password');
      const issued = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username: 'reseller-user', password: 'a long user password' } });
      assert.equal(issued.statusCode, 200, issued.body);
      keep('access token', issued.json().token);
      keep('refresh token', issued.json().refresh_token);
      keep('signing secret of the partner', partner.signingSecret);
      keep('reseller api key', reseller.apiKey);
    });

    test('a copy of the database holds none of them', async () => {
      assert.ok(secrets.size >= 15, `only ${secrets.size} secrets collected`);
      const copies: Array<{ name: string; bytes: Buffer }> = [];
      if (kind === 'sqlite') {
        const file = new URL(t.database.url.replace(/^sqlite:/, 'file://')).pathname;
        for (const suffix of ['', '-wal', '-shm']) {
          if (existsSync(file + suffix)) copies.push({ name: path.basename(file + suffix), bytes: readFileSync(file + suffix) });
        }
        assert.ok(copies.some((c) => c.name.endsWith('-wal') && c.bytes.length > 0), 'the WAL holds recent writes');
      } else {
        const { stdout } = await run('pg_dump', ['--no-owner', '--inserts', t.database.url], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' });
        copies.push({ name: 'pg_dump', bytes: stdout });
      }
      const found: string[] = [];
      for (const { name, bytes } of copies) {
        for (const [what, secret] of secrets) if (bytes.includes(Buffer.from(secret, 'utf8'))) found.push(`${what} in ${name}`);
      }
      assert.deepEqual(found, []);
      // The scan can find what it looks for: the product code is stored in clear.
      assert.ok(copies.some((c) => c.bytes.includes(Buffer.from('SECRET-CARD'))), 'the scan reads the data');
    });
  });
}

// Rotating the master key: a shop sealed under key A (as an older Souk sealed it: `k1` seals, a
// fingerprint key derived from A), upgraded under A, starts under key B with A given as a previous key, keeps
// selling its codes and refusing duplicates, `souk rekey` seals everything again under B, and
// from then on B alone opens the shop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { createReseller, testEnv } from '../helpers/souk.js';
import { fund, orderDeps, stockDeps } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import type { Env } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { deriveKey, masterKeyId } from '../../src/core/crypto.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { FINGERPRINT_KEY_SETTING, importStock } from '../../src/core/inventory/index.js';
import { checkInvariants, placeOrder } from '../../src/core/orders/index.js';
import { callbackSecret, createWebhookEndpoint } from '../../src/core/webhooks/index.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

for (const kind of DATABASE_KINDS) {
  describe(`master key rotation (${kind})`, () => {
    let database: TestDatabase;
    let base: Env;
    const secrets = { endpoint: '', callback: '', signing: '', provider: '' };
    let accountId = 0;
    let endpointId = '';

    const open = async (master: Buffer, previous: Buffer[] = []) =>
      openSouk(loadConfig({ ...base, SOUK_MASTER_KEY: b64(master), SOUK_PREVIOUS_MASTER_KEYS: previous.map(b64).join(',') }));
    /** Every secret as this process reads it. */
    async function secretsSeenBy(souk: Souk) {
      const endpoint = await souk.db.selectFrom('webhook_endpoints').select('secret_enc').where('id', '=', endpointId).executeTakeFirstOrThrow();
      const apiKey = await souk.db.selectFrom('api_keys').select('signing_secret_enc').where('account_id', '=', accountId).executeTakeFirstOrThrow();
      return {
        endpoint: souk.box.open(endpoint.secret_enc),
        callback: await callbackSecret({ db: souk.db, box: souk.box, allowPrivate: true }, accountId),
        signing: souk.box.open(apiKey.signing_secret_enc!),
        provider: souk.box.open((await souk.db.selectFrom('providers').select('credentials').executeTakeFirstOrThrow()).credentials),
      };
    }
    const sealPrefixes = async (souk: Souk) =>
      new Set((await souk.db.selectFrom('stock_items').select('code_enc').execute()).map((r) => r.code_enc.split('.')[0]));
    const buy = async (souk: Souk) => (await placeOrder(orderDeps(souk), accountId, { product: 'ROT' }, 'test')).order.items.map((i) => i.code);

    before(async () => {
      database = await createTestDatabase(kind);
      base = testEnv(database);
      const souk = await open(keyA);
      try {
        const product = await createProduct(stockDeps(souk), { code: 'ROT', name: 'Rotated', price: '1.00' });
        await importStock(stockDeps(souk), product.id, ['ROT-1', 'ROT-2', 'ROT-3']);
        const reseller = await createReseller(souk, { signed: true });
        accountId = reseller.accountId;
        await fund(souk, accountId, 10_000);
        const created = await createWebhookEndpoint({ db: souk.db, box: souk.box, allowPrivate: true }, accountId, { url: 'http://127.0.0.1:9/hooks' });
        endpointId = created.endpoint.id;
        secrets.endpoint = created.secret;
        secrets.signing = reseller.signingSecret!;
        secrets.callback = await callbackSecret({ db: souk.db, box: souk.box, allowPrivate: true }, accountId);
        await souk.upstream.add({ name: 'Upstream', url: 'https://upstream.example.com/api/v1', dialect: 'souk', key: 'sk_live_upstream-key', secret: 'whsec_upstream' });
        secrets.provider = JSON.stringify({ key: 'sk_live_upstream-key', secret: 'whsec_upstream' });
        // As a Souk from before key ids sealed it: `k1` seals, codes fingerprinted with a key
        // derived from the master key, and no fingerprint key kept in settings.
        const legacyFingerprint = deriveKey(keyA, 'stock-code-fingerprint');
        for (const row of await souk.db.selectFrom('stock_items').select(['id', 'code_enc']).execute()) {
          const code = souk.vault.open(row.code_enc);
          await souk.db
            .updateTable('stock_items')
            .set({ code_enc: `k1.${row.code_enc.split('.').slice(1).join('.')}`, code_hmac: createHmac('sha256', legacyFingerprint).update(code).digest('hex') })
            .where('id', '=', row.id)
            .execute();
        }
        await souk.db.deleteFrom('settings').where('key', '=', FINGERPRINT_KEY_SETTING).execute();
      } finally {
        await souk.close();
      }
      // The upgrade, still under A: it keeps the fingerprint key the stock was made with.
      const upgraded = await open(keyA);
      try {
        const kept = await upgraded.db.selectFrom('settings').select('value').where('key', '=', FINGERPRINT_KEY_SETTING).executeTakeFirstOrThrow();
        assert.deepEqual(Buffer.from(upgraded.box.open(kept.value), 'base64'), deriveKey(keyA, 'stock-code-fingerprint'));
      } finally {
        await upgraded.close();
      }
    });
    after(() => database.drop());

    test('under a new key with the old one given as previous, codes still sell and open, duplicates are still refused, secrets are unchanged', async () => {
      const souk = await open(keyB, [keyA]);
      try {
        assert.deepEqual(await buy(souk), ['ROT-1']);
        const again = await importStock(stockDeps(souk), 'ROT', ['ROT-2', 'ROT-4']);
        assert.deepEqual(again, { imported: 1, duplicates: 1, blank: 0 }, 'ROT-2 is known by its fingerprint from before');
        assert.deepEqual(await secretsSeenBy(souk), secrets);
        assert.deepEqual(await sealPrefixes(souk), new Set(['k1', masterKeyId(keyB)]));
      } finally {
        await souk.close();
      }
    });

    test('souk rekey seals every value again under the new key, and a second run finds nothing left', async () => {
      const env = { ...base, SOUK_MASTER_KEY: b64(keyB), SOUK_PREVIOUS_MASTER_KEYS: b64(keyA) };
      const first = await runCli(['rekey', '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), {
        key_id: masterKeyId(keyB),
        resealed: {
          'stock_items.code_enc': 3,
          'api_keys.signing_secret_enc': 1,
          'webhook_endpoints.secret_enc': 1,
          'webhook_endpoints.previous_secret_enc': 0,
          'callback_secrets.secret_enc': 1,
          'callback_secrets.previous_secret_enc': 0,
          'idempotency_answers.response': 0,
          'providers.credentials': 1,
          'settings.value': 1,
        },
      });
      const second = await runCli(['rekey', '--json'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.ok(Object.values(JSON.parse(second.stdout).resealed as Record<string, number>).every((n) => n === 0), second.stdout);
    });

    test('after rekey the new key alone opens everything; without the key a shop was sealed under, Souk will not start', async () => {
      const souk = await open(keyB);
      try {
        assert.deepEqual(await sealPrefixes(souk), new Set([masterKeyId(keyB)]));
        assert.deepEqual(await buy(souk), ['ROT-2']);
        assert.deepEqual(await importStock(stockDeps(souk), 'ROT', ['ROT-3', 'ROT-5']), { imported: 1, duplicates: 1, blank: 0 });
        assert.deepEqual(await secretsSeenBy(souk), secrets);
        assert.deepEqual(await checkInvariants(souk.db), []);
      } finally {
        await souk.close();
      }
      await assert.rejects(open(keyA), /SOUK_PREVIOUS_MASTER_KEYS/);
    });
  });
}

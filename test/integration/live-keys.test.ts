// Keys are remembered for a second after they authenticate (core/accounts/live-keys.ts): what a
// change in another process does to a key this process remembers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS, REDIS_URL } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { API_KEYS_TOPIC, revokeApiKey, updateAccount } from '../../src/core/accounts/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`remembered API keys (${kind})`, () => {
    let t: TestSouk;
    const me = (apiKey: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(apiKey) });

    before(async () => {
      t = await startTestSouk(kind, { env: { SOUK_REDIS_URL: REDIS_URL } });
    });
    after(() => t.close());

    test('a key revoked by another process sharing Redis is refused here from the moment the change notice arrives', async () => {
      const doomed = await createReseller(t.souk);
      assert.equal((await me(doomed.apiKey)).statusCode, 200);
      const heard = new Promise<void>((resolve) => t.souk.bus.subscribe(API_KEYS_TOPIC, resolve));
      const other = await openSouk(loadConfig(t.env), { migrate: false });
      try {
        await revokeApiKey(other, doomed.keyId);
      } finally {
        await other.close();
      }
      await heard;
      assert.equal((await me(doomed.apiKey)).statusCode, 401);
    });

    test('an account suspended by another process that cannot tell this one (no Redis) loses its keys here once they are no longer remembered', async () => {
      const paused = await createReseller(t.souk);
      assert.equal((await me(paused.apiKey)).statusCode, 200);
      const { SOUK_REDIS_URL: _redis, ...withoutRedis } = t.env;
      const cli = await openSouk(loadConfig(withoutRedis), { migrate: false });
      try {
        await updateAccount(cli, paused.accountId, { status: 'suspended' });
      } finally {
        await cli.close();
      }
      const refused = await until(async () => (await me(paused.apiKey)).statusCode, (status) => status === 401, 'the suspended account refused', 5000);
      assert.equal(refused, 401);
    });
  });
}

// Money held for an order being bought upstream: GET /me shows it as `held` while the provider
// works on the order (here an SMM panel, whose orders stay pending until it has performed the
// service), and not once it is delivered (captured) or refused (released). On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund } from '../helpers/orders.js';
import { startFakeSmm, type FakeSmm } from '../helpers/fake-smm.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { FORWARD_WORKFLOW } from '../../src/core/upstream/index.js';
import { hurryRun } from '../../src/core/steps/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`money held while an order is bought upstream (${kind})`, () => {
    let b: TestSouk;
    let panel: FakeSmm;
    let buyer: TestReseller;
    let code = '';

    before(async () => {
      b = await startTestSouk(kind, { env: { SOUK_UPSTREAM_ALLOW_PRIVATE: '1' } });
      panel = await startFakeSmm();
      const provider = await b.souk.upstream.add({ name: 'Panel', url: panel.url, dialect: 'smm', key: panel.key, markupPercent: '100' });
      code = (await b.souk.upstream.import(provider.id, [{ ref: '1', code: 'FOLLOWERS' }]))[0]!.code;
      buyer = await createReseller(b.souk, { name: 'Buyer' });
      await fund(b.souk, buyer.accountId, 10_000);
    });
    after(async () => {
      await b?.close();
      await panel?.close();
    });

    const me = async () => (await b.app.inject({ url: '/api/v1/me', headers: bearer(buyer.apiKey) })).json<{ balance: number; held: number; balances: Array<{ currency: string; held: number }> }>();
    const buy = async () => {
      const res = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: code, quantity: 1, fields: { link: 'https://instagram.com/souk.example' } } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ order_id: string; status: string; amount: number }>();
    };
    async function driveUntil(orderId: string, status: string) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        await hurryRun(b.souk.db, FORWARD_WORKFLOW, orderId, new Date().toISOString());
        await b.souk.upstream.resume();
        const row = await b.souk.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow();
        if (row.status === status) return;
        if (Date.now() > deadline) throw new Error(`order ${orderId} is ${row.status}, not ${status}, after 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    test('an order the panel is still performing holds its price: /me shows it held, and no longer once it is delivered', async () => {
      const order = await buy();
      assert.equal(order.status, 'processing');
      assert.equal(order.amount, 1.8, '0.90 per 1,000 with 100% on top');
      let now = await me();
      assert.equal(now.balance, 98.2);
      assert.equal(now.held, 1.8);
      assert.deepEqual(now.balances.map((w) => [w.currency, w.held]), [['USD', 1.8]]);

      panel.advance([...panel.orders.keys()].at(-1)!, 'Completed');
      await driveUntil(order.order_id, 'fulfilled');
      now = await me();
      assert.equal(now.held, 0, 'captured');
      assert.equal(now.balance, 98.2);
    });

    test('an order the panel cancels is released: the money is back and nothing is held', async () => {
      const order = await buy();
      assert.equal((await me()).held, 1.8);
      panel.advance([...panel.orders.keys()].at(-1)!, 'Canceled');
      await driveUntil(order.order_id, 'rejected');
      const now = await me();
      assert.equal(now.held, 0);
      assert.equal(now.balance, 98.2, 'refunded');
      assert.deepEqual(await checkInvariants(b.souk.db), []);
    });
  });
}

// Orders under real concurrency: a listening server, hundreds of simultaneous HTTP requests, and the
// guarantees that must survive them: never oversold, never charged twice, refunded once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { assertLastHundredSold, tally, type Answer, type Body } from '../helpers/order-answers.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { createProduct } from '../../src/core/catalog/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`order concurrency over real HTTP (${kind})`, () => {
    let t: TestSouk;
    let base: string;

    before(async () => {
      t = await startTestSouk(kind);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t?.close());

    async function call(method: 'GET' | 'POST', path: string, key: string, payload?: object): Promise<Answer> {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        body: payload ? JSON.stringify(payload) : undefined,
      });
      const text = await res.text();
      let body: Body;
      try {
        body = JSON.parse(text) as Body;
      } catch {
        body = { error: 'not_json', message: text } as Body;
      }
      return { status: res.status, body };
    }
    const placeOrder = (key: string, payload: object) => call('POST', '/api/v1/orders', key, payload);

    async function ledgerFor(orderId: string) {
      return t.souk.db.selectFrom('ledger_entries').selectAll().where('reference', '=', `order:${orderId}`).orderBy('id').execute();
    }

    test('order placement never oversells: 500 concurrent placements for the last 100 codes deliver exactly 100 distinct codes and 400 out_of_stock', async () => {
      const PRICE = 250;
      const productId = await stockedProduct(t.souk, { code: 'LAST-100', price: '2.50' }, 130);
      const buyers: TestReseller[] = [];
      for (let i = 0; i < 5; i++) {
        const buyer = await createReseller(t.souk, { name: `Racer ${i}` });
        // Each could win all 100: enough money that only stock ever says no.
        await fund(t.souk, buyer.accountId, 100 * PRICE + 10_000); // + the pre-sale below
        buyers.push(buyer);
      }
      // Sell all but the last 100 first.
      const presale = await placeOrder(buyers[0]!.apiKey, { product: 'LAST-100', quantity: 30 });
      assert.equal(presale.status, 200, JSON.stringify(presale.body));
      const early = new Set<string>(presale.body.order.items.map((item) => item.code));
      assert.equal(early.size, 30);
      const balancesBefore = await Promise.all(buyers.map((b) => balanceOf(t.souk, b.accountId)));

      const requests = Array.from({ length: 500 }, (_, i) => {
        const buyer = buyers[i % buyers.length]!;
        return placeOrder(buyer.apiKey, { product: 'LAST-100', quantity: 1, client_order_id: `race-${i}` }).then((answer) => ({ buyer, answer }));
      });
      const results = await Promise.all(requests);

      const answers = results.map((r) => r.answer);
      const won = assertLastHundredSold(answers, 'LAST-100', early);

      // Each wallet moved by exactly its winners × price; all together by 100 × price.
      let moved = 0;
      for (const [i, buyer] of buyers.entries()) {
        const wins = results.filter((r) => r.buyer === buyer && r.answer.status === 200).length;
        const delta = balancesBefore[i]! - (await balanceOf(t.souk, buyer.accountId));
        assert.equal(delta, wins * PRICE, `wallet of ${buyer.keyId}`);
        moved += delta;
      }
      assert.equal(moved, 100 * PRICE);

      // The losers left nothing behind: no order rows, no ledger entries.
      const raceOrders = await t.souk.db.selectFrom('orders').select(['id', 'client_order_id', 'status', 'payment_status']).where('client_order_id', 'like', 'race-%').execute();
      assert.equal(raceOrders.length, 100);
      assert.ok(raceOrders.every((o) => o.status === 'fulfilled' && o.payment_status === 'paid'));
      assert.deepEqual(new Set(raceOrders.map((o) => o.id)), new Set(won.map((a) => a.body.order_id)));

      const product = await t.souk.db.selectFrom('products').select('stock_available').where('id', '=', productId).executeTakeFirstOrThrow();
      assert.equal(product.stock_available, 0);
      const byStatus = await t.souk.db.selectFrom('stock_items').select(['status', sql<number>`count(*)`.as('n')]).where('product_id', '=', productId).groupBy('status').execute();
      assert.deepEqual(Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])), { sold: 130 });
      // The public catalog's count lags by design (about a second): poll it, boundedly.
      let listed: number | undefined;
      for (let i = 0; i < 100 && listed !== 0; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        listed = ((await (await fetch(`${base}/api/v1/products/LAST-100`)).json()) as { product: { stock: number } }).product.stock;
      }
      assert.equal(listed, 0);

      // One more, after the race: still out of stock, nothing charged.
      const late = await placeOrder(buyers[1]!.apiKey, { product: 'LAST-100' });
      assert.equal(late.status, 409);
      assert.equal(late.body.error, 'out_of_stock');
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('50 concurrent retries of one client_order_id create one order and charge once', async () => {
      await stockedProduct(t.souk, { code: 'RETRY-1', price: '3.00' }, 20);
      const buyer = await createReseller(t.souk, { name: 'Retrier' });
      await fund(t.souk, buyer.accountId, 10_000);
      const payload = { product: 'RETRY-1', quantity: 2, client_order_id: 'retry-me-0001', buyer: { name: 'Nadia' } };

      const answers = await Promise.all(Array.from({ length: 50 }, () => placeOrder(buyer.apiKey, payload)));

      for (const a of answers) {
        assert.ok(a.status === 200 || (a.status === 409 && a.body.error === 'request_in_progress'), `unexpected answer ${a.status} ${JSON.stringify(a.body)}`);
      }
      const ok = answers.filter((a) => a.status === 200);
      assert.ok(ok.length >= 1);
      const orderIds = new Set(ok.map((a) => a.body.order_id));
      assert.equal(orderIds.size, 1, `several orders: ${[...orderIds].join(', ')}`);
      const orderId = [...orderIds][0]!;
      // Exactly one request placed it; every other 200 says it is a replay, with the same codes.
      assert.equal(ok.filter((a) => a.body.replayed === false).length, 1);
      const codes = JSON.stringify(ok[0]!.body.order.items);
      assert.equal(ok[0]!.body.order.items.length, 2);
      for (const a of ok) assert.equal(JSON.stringify(a.body.order.items), codes);

      const rows = await t.souk.db.selectFrom('orders').select(['id', 'status']).where('account_id', '=', buyer.accountId).execute();
      assert.deepEqual(rows, [{ id: orderId, status: 'fulfilled' }]);
      const ledger = await t.souk.db.selectFrom('ledger_entries as l').innerJoin('wallets as w', 'w.id', 'l.wallet_id').select(['l.kind', 'l.amount_minor', 'l.reference']).where('w.account_id', '=', buyer.accountId).orderBy('l.id').execute();
      assert.deepEqual(ledger, [
        { kind: 'topup', amount_minor: 10_000, reference: null },
        { kind: 'order', amount_minor: -600, reference: `order:${orderId}` },
      ]);
      assert.equal(await balanceOf(t.souk, buyer.accountId), 10_000 - 600);

      // Asked again afterwards: the same order, and still one charge.
      const later = await placeOrder(buyer.apiKey, payload);
      assert.equal(later.status, 200);
      assert.equal(later.body.order_id, orderId);
      assert.equal(later.body.replayed, true);
      assert.equal((await ledgerFor(orderId)).length, 1);
      const detail = await call('GET', '/api/v1/orders/retry-me-0001', buyer.apiKey);
      assert.equal(detail.body.order.order_id, orderId);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('concurrent reuses of one client_order_id with different bodies: one order; the other body is 422 idempotency_key_reused', async () => {
      await stockedProduct(t.souk, { code: 'RETRY-2', price: '1.00' }, 20);
      const buyer = await createReseller(t.souk, { name: 'Confused' });
      await fund(t.souk, buyer.accountId, 10_000);
      const one = { product: 'RETRY-2', quantity: 1, client_order_id: 'reused-1' };
      const two = { ...one, quantity: 2 };
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => placeOrder(buyer.apiKey, i % 2 ? two : one).then((answer) => ({ quantity: i % 2 ? 2 : 1, answer }))));
      const ok = answers.filter((a) => a.answer.status === 200);
      assert.ok(ok.length >= 1);
      const winner = ok[0]!.quantity;
      for (const { quantity, answer } of answers) {
        if (quantity === winner) assert.ok(answer.status === 200 || answer.body.error === 'request_in_progress', JSON.stringify(answer.body));
        else assert.ok(answer.status === 422 ? answer.body.error === 'idempotency_key_reused' : answer.body.error === 'request_in_progress', JSON.stringify(answer.body));
      }
      assert.equal(new Set(ok.map((a) => a.answer.body.order_id)).size, 1);
      assert.equal(ok.filter((a) => a.answer.body.replayed === false).length, 1);
      const rows = await t.souk.db.selectFrom('orders').select(['id', 'quantity']).where('account_id', '=', buyer.accountId).execute();
      assert.deepEqual(rows, [{ id: ok[0]!.answer.body.order_id, quantity: winner }]);
      assert.equal(await balanceOf(t.souk, buyer.accountId), 10_000 - winner * 100);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('the same client_order_id from two accounts, concurrently: one order each', async () => {
      await stockedProduct(t.souk, { code: 'RETRY-3', price: '1.00' }, 10);
      const a = await createReseller(t.souk, { name: 'A' });
      const b = await createReseller(t.souk, { name: 'B' });
      await fund(t.souk, a.accountId, 1_000);
      await fund(t.souk, b.accountId, 1_000);
      const payload = { product: 'RETRY-3', client_order_id: 'shared-id' };
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => placeOrder((i % 2 ? a : b).apiKey, payload).then((answer) => ({ who: i % 2 ? a : b, answer }))));
      for (const who of [a, b]) {
        const mine = answers.filter((x) => x.who === who && x.answer.status === 200);
        assert.ok(mine.length >= 1);
        assert.equal(new Set(mine.map((x) => x.answer.body.order_id)).size, 1);
        assert.equal(await balanceOf(t.souk, who.accountId), 900);
      }
      const rows = await t.souk.db.selectFrom('orders').select('account_id').where('client_order_id', '=', 'shared-id').execute();
      assert.deepEqual(rows.map((r) => r.account_id).sort(), [a.accountId, b.accountId].sort());
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });

    test('20 concurrent cancels of one manual-fulfilment order: one succeeds, one refund', async () => {
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'MANUAL-RACE', name: 'Manual', price: '7.00', fulfillment: 'manual' });
      const buyer = await createReseller(t.souk, { name: 'Canceller' });
      await fund(t.souk, buyer.accountId, 5_000);
      const placed = await placeOrder(buyer.apiKey, { product: 'MANUAL-RACE' });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      assert.equal(placed.body.status, 'processing');
      const orderId = placed.body.order_id;
      assert.equal(await balanceOf(t.souk, buyer.accountId), 4_300);

      // By order id and by number, all at once.
      const refs = [orderId, placed.body.order.number];
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', `/api/v1/orders/${refs[i % 2]}/cancel`, buyer.apiKey)));
      assert.deepEqual(tally(answers), { '200': 1, '409 invalid_state': 19 });
      const done = answers.find((a) => a.status === 200)!;
      assert.equal(done.body.order.status, 'cancelled');
      assert.equal(done.body.order.payment_status, 'refunded');

      assert.equal(await balanceOf(t.souk, buyer.accountId), 5_000);
      const ledger = await ledgerFor(orderId);
      assert.deepEqual(
        ledger.map((e) => [e.kind, Number(e.amount_minor)]),
        [
          ['order', -700],
          ['refund', 700],
        ],
      );
      const events = await t.souk.db.selectFrom('order_events').select(['from_status', 'to_status']).where('order_id', '=', orderId).orderBy('id').execute();
      assert.deepEqual(events.map((e) => `${e.from_status ?? '-'}→${e.to_status}`), ['-→queued', 'queued→processing', 'processing→cancelled']);

      // A cancel after the fact is refused too and refunds nothing more.
      const again = await call('POST', `/api/v1/orders/${orderId}/cancel`, buyer.apiKey);
      assert.equal(again.status, 409);
      assert.equal((await ledgerFor(orderId)).length, 2);
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

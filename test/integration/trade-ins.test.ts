// Trade-ins (issue 19 parts 4-6): partners sell codes to the shop on seed 000's sell and hybrid
// flows and on the canonical API; the owner decides each code once (admin API, CLI); accepted codes
// join stock, the wallet is credited once, and the payout callback is signed like the partner's
// orders. Every receiver is a real HTTP server on 127.0.0.1; the CLI is the real `souk` binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct, stockDeps } from '../helpers/orders.js';
import { startReceiver, verifyReceipt, type Receipt, type Receiver } from '../helpers/receiver.js';
import { jsonOf, runCli, assertRefused } from '../helpers/processes.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { checkTradeInInvariants, decideTradeIn, resumeWaitingPurchases, type TradeInView } from '../../src/core/trade-ins/index.js';
import { callbackSecret } from '../../src/core/webhooks/index.js';
import { tradeInDepsOf } from '../../src/app.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { WAIT_CEILING_MS } from '../helpers/wait-ceiling.js';

const ENV = { SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05,0.2,0.2', SOUK_WEBHOOK_BREAKER_THRESHOLD: '1000' };
const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');
const tradeInOf = (receipt: Receipt) => (JSON.parse(receipt.body) as { data: { trade_in: TradeInView } }).data.trade_in;
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

interface Partner extends TestReseller {
  signingSecret: string;
}

for (const kind of DATABASE_KINDS) {
  describe(`trade-ins (${kind})`, () => {
    let t: TestSouk;
    let worker: WebhookWorker;
    let partner: Partner;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    };

    function signed(key: Partner, method: 'GET' | 'POST', url: string, body?: object) {
      const raw = body ? JSON.stringify(body) : '';
      const headers: Record<string, string> = { 'x-api-key': key.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': hmacHex(key.signingSecret, raw) };
      if (body) headers['content-type'] = 'application/json';
      return t.app.inject({ method, url, headers, ...(body ? { payload: raw } : {}) });
    }
    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload ? { payload } : {}) });
    /** A product the shop buys back at `buyback`, with `stocked` codes of its own already in stock. */
    async function buyBackProduct(code: string, buyback: string, stocked = 0, price = '5.00') {
      const res = await admin('POST', '/products', { code, name: code, price, buyback_price: buyback });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().product.buyback, { price: Number(buyback), currency: 'USD' });
      if (stocked) await importStock(stockDeps(t.souk), code, codes(`${code}-STOCK`, stocked));
    }
    async function sell(key: Partner, reference: string, productCode: string, items: string[], callbackUrl?: string) {
      return signed(key, 'POST', '/v1/orders', {
        partner_order_id: reference,
        flow_type: 'sell_direct_bag',
        product_code: productCode,
        buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
        items: items.map((code) => ({ code })),
        ...(callbackUrl ? { callback_url: callbackUrl } : {}),
      });
    }
    const stockOf = async (code: string) => (await t.souk.db.selectFrom('products').select('stock_available').where('code', '=', code).executeTakeFirstOrThrow()).stock_available;
    const tradeInCredits = async (id: string) =>
      t.souk.db.selectFrom('ledger_entries').select(['amount_minor']).where('kind', '=', 'trade_in').where('reference', '=', `trade-in:${id}`).execute();

    before(async () => {
      t = await startTestSouk(kind, { env: ENV });
      const created = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'ID Zone partner' });
      partner = { ...created, signingSecret: created.signingSecret! };
      await fund(t.souk, partner.accountId, 100_000);
      worker = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
    });
    after(async () => {
      await worker?.stop();
      for (const r of receivers) await r.close();
      await t?.close();
    });

    test('a trade-in of 20 codes with 3 rejected credits 17 × the buy-back price once, stocks the 17, and calls back payout.completed signed with the partner signing secret', async () => {
      await buyBackProduct('TI-GIFT', '1.50');
      const hook = await receiver();
      const sold = codes('TI-GIFT-SOLD', 20);
      const before = await balanceOf(t.souk, partner.accountId);
      const res = await sell(partner, 'WS-SELL-20', 'TI-GIFT', sold, hook.url);
      assert.equal(res.statusCode, 202, res.body);
      const submitted = res.json().trade_in as TradeInView;
      assert.deepEqual([submitted.status, submitted.partner_status, submitted.codes_submitted, submitted.amount, submitted.credited], ['verifying', 'verifying', 20, '30.00', null]);
      assert.ok(submitted.codes.every((c) => c.status === 'pending' && !sold.includes(c.code)), 'codes are shown masked');
      const polled = await signed(partner, 'GET', '/v1/orders/WS-SELL-20');
      assert.equal(polled.statusCode, 200, polled.body);
      assert.equal(polled.json().trade_in.trade_in_id, submitted.trade_in_id);

      const waiting = await admin('GET', '/trade-ins');
      assert.ok((waiting.json().trade_ins as TradeInView[]).some((x) => x.trade_in_id === submitted.trade_in_id));
      const rejected = [sold[2]!, sold[7]!, sold[19]!].map((code) => ({ code, reason: 'already redeemed' }));
      const decided = await admin('POST', `/trade-ins/${submitted.trade_in_id}/decide`, { rejected });
      assert.equal(decided.statusCode, 200, decided.body);
      const view = decided.json().trade_in as TradeInView;
      assert.deepEqual([view.status, view.partner_status, view.codes_accepted, view.credited], ['completed', 'fulfilled', 17, '25.50']);
      assert.deepEqual(view.codes.filter((c) => c.status === 'rejected').map((c) => [c.position, c.reason]), [[2, 'already redeemed'], [7, 'already redeemed'], [19, 'already redeemed']]);
      assert.equal(await balanceOf(t.souk, partner.accountId), before + 2550);
      assert.deepEqual(await tradeInCredits(view.trade_in_id), [{ amount_minor: 2550 }]);
      assert.equal(await stockOf('TI-GIFT'), 17);

      await hook.waitFor((receipts) => receipts.some((r) => r.status === 200 && r.event.type === 'payout.completed'), WAIT_CEILING_MS, 'payout.completed');
      const receipt = hook.receipts.find((r) => r.event.type === 'payout.completed')!;
      assert.equal(receipt.headers['x-signature'], hmacHex(partner.signingSecret, receipt.body));
      verifyReceipt(receipt, await callbackSecret({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, partner.accountId), partner.signingSecret);
      assert.deepEqual(tradeInOf(receipt), (await signed(partner, 'GET', `/v1/orders/${view.trade_in_id}`)).json().trade_in);

      // The accepted codes are the shop's stock now: a buyer gets one of them.
      const bought = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(partner.apiKey), payload: { product: 'TI-GIFT', quantity: 17 } });
      assert.equal(bought.statusCode, 200, bought.body);
      const delivered = (bought.json().order.items as Array<{ code: string }>).map((i) => i.code).sort();
      assert.deepEqual(delivered, sold.filter((_, i) => ![2, 7, 19].includes(i)).sort());
    });

    test('a trade-in is decided once: a second decision is 409, and 8 racing decisions credit once', async () => {
      await buyBackProduct('TI-RACE', '2.00');
      const res = await sell(partner, 'WS-RACE', 'TI-RACE', codes('TI-RACE-SOLD', 4));
      assert.equal(res.statusCode, 202, res.body);
      const id = (res.json().trade_in as TradeInView).trade_in_id;
      const before = await balanceOf(t.souk, partner.accountId);
      const deps = tradeInDepsOf(t.souk);
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => decideTradeIn(deps, id, { rejected: [] }, 'test')));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one decision wins');
      for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as { code?: string }).code, 'invalid_state');
      const again = await admin('POST', `/trade-ins/${id}/decide`, {});
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().error, 'invalid_state');
      assert.equal(await balanceOf(t.souk, partner.accountId), before + 800);
      assert.deepEqual(await tradeInCredits(id), [{ amount_minor: 800 }]);
      assert.equal(await stockOf('TI-RACE'), 4);
    });

    test('a code twice in one request, one already in stock and one already offered to the shop are refused by their place, naming no owner; a rejected trade-in credits nothing', async () => {
      await buyBackProduct('TI-DUP', '1.00', 2);
      const twice = await sell(partner, 'WS-DUP-1', 'TI-DUP', ['NEW-A', 'NEW-B', 'NEW-A']);
      assert.equal(twice.statusCode, 400, twice.body);
      assert.deepEqual(twice.json().fields, [{ field: 'items[2].code', message: 'the same code as items[0]' }]);

      const inStock = await sell(partner, 'WS-DUP-2', 'TI-DUP', ['NEW-A', 'TI-DUP-STOCK-002']);
      assert.equal(inStock.statusCode, 409, inStock.body);
      assert.equal(inStock.json().error, 'codes_refused');
      assert.deepEqual(inStock.json().fields, [{ field: 'items[1].code', message: 'the shop already holds this code' }]);

      const other = await createReseller(t.souk, { kind: 'partner', signed: true, name: 'Another partner' });
      const otherKey = { ...other, signingSecret: other.signingSecret! };
      const first = await sell(otherKey, 'OTHER-1', 'TI-DUP', ['HELD-1', 'HELD-2']);
      assert.equal(first.statusCode, 202, first.body);
      const offered = await sell(partner, 'WS-DUP-3', 'TI-DUP', ['HELD-2', 'NEW-C']);
      assert.equal(offered.statusCode, 409, offered.body);
      assert.deepEqual(offered.json().fields, [{ field: 'items[0].code', message: 'the shop already holds this code' }]);
      assert.doesNotMatch(offered.body, /Another partner|OTHER-1|HELD/);

      // Every code rejected: nothing credited, nothing stocked; the codes may be offered again.
      const otherBefore = await balanceOf(t.souk, other.accountId);
      const id = (first.json().trade_in as TradeInView).trade_in_id;
      const decided = await admin('POST', `/trade-ins/${id}/decide`, { rejected: [{ code: 'HELD-1', reason: 'invalid' }, { code: 'HELD-2', reason: 'invalid' }] });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.deepEqual([decided.json().trade_in.status, decided.json().trade_in.credited], ['rejected', '0.00']);
      assert.equal(await balanceOf(t.souk, other.accountId), otherBefore);
      assert.deepEqual(await tradeInCredits(id), []);
      assert.equal(await stockOf('TI-DUP'), 2);
      const again = await sell(partner, 'WS-DUP-4', 'TI-DUP', ['HELD-2']);
      assert.equal(again.statusCode, 202, again.body);

      const notBoughtBack = await createProduct(stockDeps(t.souk), { code: 'TI-NOPE', name: 'Not bought back', price: '1.00' });
      const refused = await sell(partner, 'WS-NOPE', notBoughtBack.code, ['X-1']);
      assert.equal(refused.statusCode, 400, refused.body);
    });

    test('a hybrid sells and buys in one request: the purchase waits for the verification, then is paid from the credit and the wallet; another is rejected with its trade-in', async () => {
      await buyBackProduct('TI-HYB-SELL', '2.00');
      await stockedProduct(t.souk, { code: 'TI-HYB-BUY', price: '12.00' }, 3);
      const hook = await receiver();
      const hybrid = (reference: string, items: string[]) =>
        signed(partner, 'POST', '/v1/orders', {
          partner_order_id: reference,
          flow_type: 'hybrid_trade_in',
          product_code: 'TI-HYB-BUY',
          sell_product_code: 'TI-HYB-SELL',
          quantity: 1,
          buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
          items: items.map((code) => ({ code })),
          callback_url: hook.url,
        });
      const before = await balanceOf(t.souk, partner.accountId);
      const res = await hybrid('WS-HYB-OK', codes('HYB-OK', 5));
      assert.equal(res.statusCode, 202, res.body);
      const submitted = res.json().trade_in as TradeInView;
      assert.deepEqual(submitted.purchase, { product_code: 'TI-HYB-BUY', quantity: 1, status: 'waiting', order_id: null, reason: null });
      assert.equal(await stockOf('TI-HYB-BUY'), 3, 'nothing is held while the trade-in waits');
      assert.equal(await balanceOf(t.souk, partner.accountId), before, 'nothing is charged while the trade-in waits');

      const decided = await admin('POST', `/trade-ins/${submitted.trade_in_id}/decide`, {});
      assert.equal(decided.statusCode, 200, decided.body);
      const purchase = (decided.json().trade_in as TradeInView).purchase!;
      assert.equal(purchase.status, 'placed');
      // 5 × 2.00 credited, 12.00 charged: the credit paid 10.00 and the wallet 2.00.
      assert.equal(await balanceOf(t.souk, partner.accountId), before + 1000 - 1200);
      const polled = await signed(partner, 'GET', '/v1/orders/WS-HYB-OK');
      assert.equal(polled.statusCode, 200, polled.body);
      assert.equal(polled.json().order.status, 'fulfilled');
      assert.equal(polled.json().order.order_id, purchase.order_id);
      assert.equal(polled.json().order.fulfillment.delivered_items.length, 1);

      // A process that stopped after placing the order but before recording it: the sweep places
      // again, finds the same order by its reference, and charges nothing more.
      const charged = await balanceOf(t.souk, partner.accountId);
      await t.souk.db.updateTable('trade_ins').set({ purchase_status: 'waiting', purchase_order_id: null }).where('id', '=', submitted.trade_in_id).execute();
      assert.equal(await resumeWaitingPurchases(tradeInDepsOf(t.souk)), 1);
      const resumed = await t.souk.db.selectFrom('trade_ins').select(['purchase_status', 'purchase_order_id']).where('id', '=', submitted.trade_in_id).executeTakeFirstOrThrow();
      assert.deepEqual(resumed, { purchase_status: 'placed', purchase_order_id: purchase.order_id });
      assert.equal(await balanceOf(t.souk, partner.accountId), charged);
      assert.equal(await stockOf('TI-HYB-BUY'), 2);

      const failing = await hybrid('WS-HYB-NO', codes('HYB-NO', 2));
      assert.equal(failing.statusCode, 202, failing.body);
      const failingId = (failing.json().trade_in as TradeInView).trade_in_id;
      const middle = await balanceOf(t.souk, partner.accountId);
      const refused = await admin('POST', `/trade-ins/${failingId}/decide`, { rejected: codes('HYB-NO', 2).map((code) => ({ code, reason: 'used' })) });
      assert.equal(refused.statusCode, 200, refused.body);
      const failed = refused.json().trade_in as TradeInView;
      assert.deepEqual([failed.status, failed.purchase!.status, failed.purchase!.order_id], ['rejected', 'failed', null]);
      assert.equal(await balanceOf(t.souk, partner.accountId), middle);
      assert.equal(await stockOf('TI-HYB-BUY'), 2);

      // Verified, but the stock ran out meanwhile: the purchase fails with the reason, nothing is
      // oversold, and the credit stays in the wallet.
      const tooMany = await signed(partner, 'POST', '/v1/orders', {
        partner_order_id: 'WS-HYB-STOCK',
        flow_type: 'hybrid_trade_in',
        product_code: 'TI-HYB-BUY',
        sell_product_code: 'TI-HYB-SELL',
        quantity: 3,
        buyer: { name: 'Rahim Uddin', email: 'rahim@example.com' },
        items: [{ code: 'HYB-STOCK-1' }],
      });
      assert.equal(tooMany.statusCode, 202, tooMany.body);
      const beforeStockOut = await balanceOf(t.souk, partner.accountId);
      const stockOut = await admin('POST', `/trade-ins/${(tooMany.json().trade_in as TradeInView).trade_in_id}/decide`, {});
      assert.equal(stockOut.statusCode, 200, stockOut.body);
      const outOfStock = stockOut.json().trade_in as TradeInView;
      assert.deepEqual([outOfStock.status, outOfStock.purchase!.status, outOfStock.purchase!.order_id], ['completed', 'failed', null]);
      assert.match(outOfStock.purchase!.reason!, /TI-HYB-BUY has 2 in stock; 3 were asked for/);
      assert.equal(await balanceOf(t.souk, partner.accountId), beforeStockOut + 200);
      assert.equal(await stockOf('TI-HYB-BUY'), 2);

      await hook.waitFor(
        (receipts) => receipts.some((r) => r.status === 200 && r.event.type === 'payout.rejected') && receipts.some((r) => r.status === 200 && r.event.type === 'payout.completed'),
        WAIT_CEILING_MS,
        'both payouts',
      );
      const completed = tradeInOf(hook.receipts.find((r) => r.event.type === 'payout.completed')!);
      assert.deepEqual([completed.trade_in_id, completed.purchase!.status], [submitted.trade_in_id, 'placed']);
      const rejectedPayout = hook.receipts.find((r) => r.event.type === 'payout.rejected')!;
      assert.equal(tradeInOf(rejectedPayout).purchase!.status, 'failed');
      verifyReceipt(rejectedPayout, await callbackSecret({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, partner.accountId), partner.signingSecret);
    });

    test('the canonical API: POST /api/v1/trade-ins (202, a retry 200, another body 422), GET by id and reference, the list, and 404 for another account', async () => {
      await buyBackProduct('TI-API', '0.75');
      const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/trade-ins', headers: bearer(partner.apiKey), payload });
      const body = { product: 'TI-API', items: codes('API', 3).map((code) => ({ code })), reference: 'API-TI-1' };
      const created = await post(body);
      assert.equal(created.statusCode, 202, created.body);
      const view = created.json().trade_in as TradeInView;
      assert.deepEqual([view.status, view.amount, view.partner_order_id], ['verifying', '2.25', 'API-TI-1']);
      const retry = await post(body);
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().trade_in.trade_in_id, view.trade_in_id);
      const changed = await post({ ...body, items: [{ code: 'API-OTHER' }] });
      assert.equal(changed.statusCode, 422, changed.body);

      for (const ref of [view.trade_in_id, 'API-TI-1']) {
        const got = await t.app.inject({ method: 'GET', url: `/api/v1/trade-ins/${ref}`, headers: bearer(partner.apiKey) });
        assert.equal(got.statusCode, 200, got.body);
        assert.deepEqual(got.json().trade_in, view);
      }
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/trade-ins?status=verifying', headers: bearer(partner.apiKey) });
      assert.equal(list.statusCode, 200, list.body);
      assert.ok((list.json().trade_ins as TradeInView[]).some((x) => x.trade_in_id === view.trade_in_id));
      const stranger = await createReseller(t.souk, { name: 'Stranger' });
      const hidden = await t.app.inject({ method: 'GET', url: `/api/v1/trade-ins/${view.trade_in_id}`, headers: bearer(stranger.apiKey) });
      assert.equal(hidden.statusCode, 404, hidden.body);
    });

    test('the CLI sets buy-back prices, lists trade-ins and decides one with rejections; doctor is clean after everything', async () => {
      const env = t.env;
      await createProduct(stockDeps(t.souk), { code: 'TI-CLI', name: 'CLI card', price: '3.00' });
      const updated = jsonOf(await runCli(['product', 'update', 'TI-CLI', '--buyback-price', '1.25', '--json'], env));
      assert.deepEqual(updated, { product_id: updated.product_id, code: 'TI-CLI', buyback_price: '1.25', currency: 'USD' });
      const created = jsonOf(await runCli(['product', 'create', '--code', 'TI-CLI-2', '--name', 'CLI two', '--price', '2.00', '--buyback-price', '1.50', '--json'], env));
      assert.equal(created.code, 'TI-CLI-2');
      const res = await sell(partner, 'WS-CLI', 'TI-CLI', ['CLI-1', 'CLI-2', 'CLI-3']);
      assert.equal(res.statusCode, 202, res.body);
      const id = (res.json().trade_in as TradeInView).trade_in_id;

      const listed = jsonOf(await runCli(['trade-in', 'list', '--json'], env)).trade_ins as TradeInView[];
      assert.ok(listed.some((x) => x.trade_in_id === id && x.status === 'verifying'));
      const before = await balanceOf(t.souk, partner.accountId);
      const decided = jsonOf(await runCli(['trade-in', 'decide', id, '--reject', 'CLI-2=not valid at the issuer', '--json'], env)).trade_in as TradeInView;
      assert.deepEqual([decided.status, decided.codes_accepted, decided.credited], ['completed', 2, '2.50']);
      assert.deepEqual(decided.codes.map((c) => [c.status, c.reason]), [['accepted', null], ['rejected', 'not valid at the issuer'], ['accepted', null]]);
      assert.equal(await balanceOf(t.souk, partner.accountId), before + 250);
      assertRefused(await runCli(['trade-in', 'decide', id], env), /already decided/);

      // The invariants are the database's and doctor's, not the callers': a second credit of one
      // trade-in is refused by the unique ledger reference, and a wrong record is named by doctor.
      const Rollback = class extends Error {};
      await assert.rejects(
        t.souk.db.transaction().execute(async (tx) => {
          const wallet = await tx.selectFrom('wallets').select('id').where('account_id', '=', partner.accountId).where('currency', '=', 'USD').executeTakeFirstOrThrow();
          await tx.insertInto('ledger_entries').values({ wallet_id: wallet.id, amount_minor: 250, balance_after_minor: 0, kind: 'trade_in', reference: `trade-in:${id}`, memo: null, actor: 'test', request_key: null, created_at: new Date().toISOString() }).execute();
        }),
        (error: Error) => /unique|duplicate/i.test(error.message),
      );
      await assert.rejects(
        t.souk.db.transaction().execute(async (tx) => {
          await tx.updateTable('trade_ins').set({ credited_minor: 999 }).where('id', '=', id).execute();
          const planted = await checkTradeInInvariants(tx);
          assert.deepEqual(planted.map((v) => v.invariant), ['trade-ins are credited once']);
          assert.match(planted[0]!.detail, new RegExp(`trade-in ${id} records 999 credited; its ledger has 1 credit\\(s\\) of 250`));
          throw new Rollback();
        }),
        Rollback,
      );

      const doctor = jsonOf(await runCli(['doctor', '--json'], env));
      assert.deepEqual(doctor, { ok: true, violations: [] });
      assert.deepEqual([...(await checkInvariants(t.souk.db)), ...(await checkTradeInInvariants(t.souk.db))], []);
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createLogin, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockDeps } from '../helpers/orders.js';
import { authenticateApiKey } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { checkInvariants } from '../../src/core/orders/index.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

interface StockItem {
  id: number;
  code: string;
  status: string;
}

const CODES = ['ABCD-EFGH-IJKL-WXYZ', 'QRST-2345-6789-MNOP', 'TEXT-AAAA-BBBB-0001', 'TEXT-AAAA-BBBB-0002'];

for (const kind of DATABASE_KINDS) {
  describe(`admin API for the order engine (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    let adminKeyId: string;
    const admin = (method: Method, url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload === undefined ? {} : { payload }) });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };
    const placeOrder = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload });
    const stockOf = async (ref: string, query = '') => ok(await admin('GET', `/products/${ref}/stock${query}`));

    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk, { name: 'Reseller' });
      const credentials = await authenticateApiKey(t.souk.db, t.souk.box, t.adminKey);
      assert.ok(credentials?.principal.keyId);
      adminKeyId = credentials.principal.keyId;
      await createProduct(stockDeps(t.souk), { code: 'CARD-10', name: 'Card 10', price: '10.00' });
      await createProduct(stockDeps(t.souk), { code: 'MAN-1', name: 'Manual', price: '2.00', fulfillment: 'manual' });
      await fund(t.souk, reseller.accountId, 10_000);
    });
    after(() => t.close());

    test('upload codes as JSON: imported, duplicates and blanks counted', async () => {
      const body = ok(await admin('POST', '/products/CARD-10/stock', { codes: [CODES[0], CODES[1], '', '   ', CODES[0]], batch: 'invoice-77' }));
      assert.deepEqual(body, { ok: true, imported: 2, duplicates: 1, blank: 2 });
      const again = ok(await admin('POST', '/products/CARD-10/stock', { codes: [CODES[1]] }));
      assert.deepEqual(again, { ok: true, imported: 0, duplicates: 1, blank: 0 });
      const missing = await admin('POST', '/products/NOPE/stock', { codes: ['X'] });
      assert.equal(missing.statusCode, 404);
      const manual = await admin('POST', '/products/MAN-1/stock', { codes: ['X'] });
      assert.equal(manual.statusCode, 400);
      assert.equal(manual.json().error, 'validation_error');
    });

    test('upload codes as text/plain, one per line', async () => {
      const text = `${CODES[2]}\r\n${CODES[3]}\n\n${CODES[0]}\n`;
      const res = await t.app.inject({ method: 'POST', url: '/admin/api/products/CARD-10/stock', headers: { ...bearer(t.adminKey), 'content-type': 'text/plain; charset=utf-8' }, payload: text });
      assert.deepEqual(ok(res), { ok: true, imported: 2, duplicates: 1, blank: 1 });
      const tooMany = await t.app.inject({ method: 'POST', url: '/admin/api/products/CARD-10/stock', headers: { ...bearer(t.adminKey), 'content-type': 'text/plain' }, payload: 'x\n'.repeat(50_001) });
      assert.equal(tooMany.statusCode, 400);
      assert.equal(tooMany.json().error, 'validation_error');
      const latin1 = await t.app.inject({ method: 'POST', url: '/admin/api/products/CARD-10/stock', headers: { ...bearer(t.adminKey), 'content-type': 'text/plain; charset=latin1' }, payload: 'x' });
      assert.equal(latin1.statusCode, 400);
      // text/plain is taken by the upload only.
      const elsewhere = await t.app.inject({ method: 'PUT', url: '/admin/api/fx-rates/USD/SAR', headers: { ...bearer(t.adminKey), 'content-type': 'text/plain' }, payload: 'rate=3' });
      assert.equal(elsewhere.statusCode, 415);
    });

    test('stock lists show counts and masked codes, never the full code, a page at a time', async () => {
      const stock = await stockOf('CARD-10');
      assert.deepEqual(stock.counts, { available: 4, reserved: 0, sold: 0, void: 0 });
      const codes = stock.items.map((i: StockItem) => i.code);
      assert.ok(codes.includes('ABCD-••••-••••-WXYZ'), codes.join(', '));
      assert.ok(codes.includes('QRST-••••-••••-MNOP'));
      for (const full of CODES) assert.ok(!JSON.stringify(stock).includes(full), `${full} leaked`);
      assert.ok(!JSON.stringify(stock).includes('EFGH'));
      assert.equal(stock.items.find((i: { code: string; batch: string | null }) => i.code === 'ABCD-••••-••••-WXYZ').batch, 'invoice-77');
      const first = await stockOf('CARD-10', '?limit=3');
      assert.equal(first.items.length, 3);
      assert.equal(typeof first.next_after, 'number');
      const rest = await stockOf('CARD-10', `?limit=3&after=${first.next_after}`);
      assert.equal(rest.items.length, 1);
      assert.equal(rest.next_after, null);
      const sold = await stockOf('CARD-10', '?status=sold');
      assert.deepEqual(sold.items, []);
    });

    test('reveal shows the full code and writes who, when and which to the audit log', async () => {
      const item = (await stockOf('CARD-10')).items.find((i: StockItem) => i.code === 'ABCD-••••-••••-WXYZ');
      const res = await admin('POST', `/stock/${item.id}/reveal`);
      assert.deepEqual(ok(res), { ok: true, id: item.id, code: CODES[0] });
      assert.equal(res.headers['cache-control'], 'no-store');
      const rows = await t.souk.db.selectFrom('audit_log').selectAll().where('subject', '=', `stock_item:${item.id}`).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.actor, `key:${adminKeyId}`);
      assert.equal(rows[0]?.action, 'stock.reveal');
      assert.ok(Math.abs(Date.parse(rows[0]?.created_at ?? '') - Date.now()) < 60_000);

      // An admin login is recorded by its user id.
      const admins = await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').execute();
      const login = await createLogin(t.souk, admins[0]!.id);
      const token = ok(await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: login })).token as string;
      ok(await t.app.inject({ method: 'POST', url: `/admin/api/stock/${item.id}/reveal`, headers: bearer(token) }));
      const user = await t.souk.db.selectFrom('users').select('id').where('username', '=', login.username).executeTakeFirstOrThrow();

      const log = ok(await admin('GET', '/audit-log?action=stock.reveal'));
      assert.deepEqual(
        log.entries.slice(0, 2).map((e: { actor: string; subject: string }) => [e.actor, e.subject]),
        [
          [`user:${user.id}`, `stock_item:${item.id}`],
          [`key:${adminKeyId}`, `stock_item:${item.id}`],
        ],
      );
      const paged = ok(await admin('GET', '/audit-log?limit=1'));
      assert.equal(paged.entries.length, 1);
      assert.equal(typeof paged.next_before, 'number');
      assert.equal((await admin('POST', '/stock/999999/reveal')).statusCode, 404);
    });

    test('void takes an available code out of the counts, once', async () => {
      const item = (await stockOf('CARD-10')).items.find((i: StockItem) => i.code === 'QRST-••••-••••-MNOP');
      assert.deepEqual(ok(await admin('POST', `/stock/${item.id}/void`)), { ok: true, id: item.id, status: 'void' });
      assert.deepEqual((await stockOf('CARD-10')).counts, { available: 3, reserved: 0, sold: 0, void: 1 });
      const twice = await admin('POST', `/stock/${item.id}/void`);
      assert.equal(twice.statusCode, 409);
      const log = ok(await admin('GET', `/audit-log?subject=stock_item:${item.id}`));
      assert.deepEqual(log.entries.map((e: { action: string }) => e.action), ['stock.void']);
    });

    test('top-up and adjustment change the balance and write ledger entries with their memo', async () => {
      const other = await createReseller(t.souk, { name: 'Wallet owner' });
      const topped = ok(await admin('POST', `/accounts/${other.accountId}/wallets/topup`, { amount: 25.5, memo: 'bank transfer 123' }));
      assert.deepEqual(topped.wallet, { ...topped.wallet, currency: 'USD', balance: 25.5, available: 25.5 });
      const adjusted = ok(await admin('POST', `/accounts/${other.accountId}/wallets/adjust`, { amount: '-5.25', memo: 'wire fee' }));
      assert.equal(adjusted.wallet.balance, 20.25);
      const sar = ok(await admin('POST', `/accounts/${other.accountId}/wallets/topup`, { amount: '100', currency: 'sar' }));
      assert.equal(sar.wallet.currency, 'SAR');
      assert.equal(await balanceOf(t.souk, other.accountId), 2025);

      const wallets = ok(await admin('GET', `/accounts/${other.accountId}/wallets`));
      assert.deepEqual(
        wallets.wallets.map((w: { currency: string; balance: number }) => [w.currency, w.balance]),
        [
          ['SAR', 100],
          ['USD', 20.25],
        ],
      );
      assert.deepEqual(
        wallets.entries.map((e: { kind: string; amount: number; balance_after: number; memo: string | null; currency: string; actor: string }) => [e.kind, e.currency, e.amount, e.balance_after, e.memo, e.actor]),
        [
          ['topup', 'SAR', 100, 100, null, `key:${adminKeyId}`],
          ['adjustment', 'USD', -5.25, 20.25, 'wire fee', `key:${adminKeyId}`],
          ['topup', 'USD', 25.5, 25.5, 'bank transfer 123', `key:${adminKeyId}`],
        ],
      );
      const newest = ok(await admin('GET', `/accounts/${other.accountId}/wallets?limit=1`)).entries;
      assert.equal(newest.length, 1);
      const older = ok(await admin('GET', `/accounts/${other.accountId}/wallets?before=${newest[0].id}`)).entries;
      assert.deepEqual(older.map((e: { kind: string }) => e.kind), ['adjustment', 'topup']);
      assert.equal((await admin('GET', '/accounts/999999/wallets')).statusCode, 404);
    });

    test('bad amounts and an adjustment without a memo are 400 naming the field', async () => {
      const id = reseller.accountId;
      const before = await balanceOf(t.souk, id);
      const cases: Array<[string, object, string]> = [
        ['topup', { amount: '0.001' }, 'amount'],
        ['topup', { amount: -5 }, 'amount'],
        ['topup', { amount: 0 }, 'amount'],
        ['topup', { amount: 'ten' }, 'amount'],
        ['topup', { amount: 1.5, currency: 'JPY' }, 'amount'],
        ['topup', { amount: 1, currency: 'US' }, 'currency'],
        ['topup', {}, 'amount'],
        ['adjust', { amount: 5 }, 'memo'],
        ['adjust', { amount: 5, memo: '   ' }, 'memo'],
        ['adjust', { amount: 0, memo: 'nothing' }, 'amount'],
        ['adjust', { amount: '1.234', memo: 'too fine' }, 'amount'],
      ];
      for (const [action, payload, field] of cases) {
        const res = await admin('POST', `/accounts/${id}/wallets/${action}`, payload);
        assert.equal(res.statusCode, 400, `${action} ${JSON.stringify(payload)}: ${res.body}`);
        assert.equal(res.json().error, 'validation_error');
        assert.ok(
          res.json().fields.some((f: { field: string }) => f.field === field),
          `${action} ${JSON.stringify(payload)} names ${field}: ${res.body}`,
        );
      }
      const overdrawn = await admin('POST', `/accounts/${id}/wallets/adjust`, { amount: -1_000_000, memo: 'too much' });
      assert.equal(overdrawn.statusCode, 402);
      assert.equal(await balanceOf(t.souk, id), before);
      // A balance stays a safe integer of minor units.
      const whale = await createReseller(t.souk, { name: 'Whale' });
      ok(await admin('POST', `/accounts/${whale.accountId}/wallets/topup`, { amount: '90071992547409.91' }));
      const overflow = await admin('POST', `/accounts/${whale.accountId}/wallets/topup`, { amount: '0.01' });
      assert.equal(overflow.statusCode, 400, overflow.body);
      assert.equal(overflow.json().fields[0].field, 'amount');
      assert.equal(await balanceOf(t.souk, whale.accountId), Number.MAX_SAFE_INTEGER);
    });

    test('FX rates: set and list; a bad rate is 400', async () => {
      assert.deepEqual(ok(await admin('PUT', '/fx-rates/usd/sar', { rate: '3.75' })).rate, { base: 'USD', quote: 'SAR', rate: '3.75' });
      ok(await admin('PUT', '/fx-rates/USD/SAR', { rate: '3.7512' }));
      const rates = ok(await admin('GET', '/fx-rates')).rates;
      assert.deepEqual(
        rates.map((r: { base: string; quote: string; rate: string }) => [r.base, r.quote, r.rate]),
        [['USD', 'SAR', '3.7512']],
      );
      for (const rate of ['-1', '0', 'abc', '1.1234567890123']) {
        const res = await admin('PUT', '/fx-rates/USD/SAR', { rate });
        assert.equal(res.statusCode, 400, rate);
        assert.equal(res.json().fields[0].field, 'rate');
      }
      assert.equal((await admin('PUT', '/fx-rates/USD/USD', { rate: '1' })).statusCode, 400);
    });

    test('price tiers: set, list, and an account placed in one buys at its discount', async () => {
      assert.deepEqual(ok(await admin('PUT', '/price-tiers/gold', { discount_percent: 10 })).tier, { name: 'gold', discount_percent: 10 });
      ok(await admin('PUT', '/price-tiers/silver', { discount_percent: '2.5' }));
      const tiers = ok(await admin('GET', '/price-tiers')).tiers;
      assert.deepEqual(
        tiers.map((x: { name: string; discount_percent: number }) => [x.name, x.discount_percent]),
        [
          ['gold', 10],
          ['silver', 2.5],
        ],
      );
      assert.equal((await admin('PUT', '/price-tiers/gold', { discount_percent: 101 })).statusCode, 400);
      assert.equal((await admin('PUT', '/price-tiers/Not%20A%20Name', { discount_percent: 1 })).statusCode, 400);

      const buyer = await createReseller(t.souk, { name: 'Gold buyer' });
      await fund(t.souk, buyer.accountId, 5_000);
      assert.equal(ok(await admin('PATCH', `/accounts/${buyer.accountId}`, { tier: 'gold' })).account.tier, 'gold');
      const unknown = await admin('PATCH', `/accounts/${buyer.accountId}`, { tier: 'platinum' });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().fields[0].field, 'tier');
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'MAN-1' } });
      assert.equal(placed.statusCode, 200, placed.body);
      assert.equal(placed.json().order.unit_price, 1.8);
      assert.equal(ok(await admin('PATCH', `/accounts/${buyer.accountId}`, { tier: null })).account.tier, null);
      ok(await admin('POST', `/orders/${placed.json().order_id}/reject`, { reason: 'test order' }));
    });

    test("a manual order fulfilled by the admin shows its codes on the reseller's GET", async () => {
      const placed = await placeOrder({ product: 'MAN-1', quantity: 2 });
      assert.equal(placed.json().status, 'processing', placed.body);
      const orderId: string = placed.json().order_id;
      const waiting = ok(await admin('GET', `/orders?status=processing&account=${reseller.accountId}`)).orders;
      assert.ok(waiting.some((o: { order_id: string; account_id: number }) => o.order_id === orderId && o.account_id === reseller.accountId));

      const short = await admin('POST', `/orders/${orderId}/fulfil`, { codes: ['MANUAL-0001'] });
      assert.equal(short.statusCode, 400);
      assert.equal(short.json().fields[0].field, 'codes');
      const fulfilled = ok(await admin('POST', `/orders/${orderId}/fulfil`, { codes: ['MANUAL-0001', 'MANUAL-0002'] })).order;
      assert.equal(fulfilled.status, 'fulfilled');
      assert.equal(fulfilled.account_id, reseller.accountId);
      // The admin's answer, like its order detail, shows the codes masked.
      assert.deepEqual(
        fulfilled.items.map((i: { code: string }) => i.code),
        ['MA••••-••01', 'MA••••-••02'],
      );
      const last = fulfilled.timeline.at(-1);
      assert.deepEqual([last.from, last.to, last.actor], ['processing', 'fulfilled', `key:${adminKeyId}`]);

      const seen = await t.app.inject({ url: `/api/v1/orders/${orderId}`, headers: bearer(reseller.apiKey) });
      assert.deepEqual(
        ok(seen).order.items.map((i: { code: string }) => i.code),
        ['MANUAL-0001', 'MANUAL-0002'],
      );
      const detail = ok(await admin('GET', `/orders/${orderId}`)).order;
      assert.equal(detail.fulfillment, 'manual');
      assert.deepEqual(
        detail.items.map((i: { code: string }) => i.code),
        ['MA••••-••01', 'MA••••-••02'],
      );
      // Opening an order reveals nothing; showing a delivered code in full is the audited act.
      const audited = () => t.souk.db.selectFrom('audit_log').select('subject').where('action', '=', 'stock.reveal').orderBy('id').execute();
      const auditedBefore = (await audited()).length;
      const revealed = ok(await admin('POST', `/stock/${detail.items[1].id}/reveal`));
      assert.equal(revealed.code, 'MANUAL-0002');
      assert.deepEqual((await audited()).map((r) => r.subject).slice(auditedBefore), [`stock_item:${detail.items[1].id}`]);
      assert.deepEqual(
        detail.timeline.map((e: { to: string }) => e.to),
        ['queued', 'processing', 'fulfilled'],
      );
      const again = await admin('POST', `/orders/${orderId}/fulfil`, { codes: ['MANUAL-0003', 'MANUAL-0004'] });
      assert.equal(again.statusCode, 409);
      assert.equal((await admin('GET', '/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode, 404);
    });

    test('reject returns the money; a fulfilled order cannot be rejected', async () => {
      const before = await balanceOf(t.souk, reseller.accountId);
      const placed = await placeOrder({ product: 'MAN-1' });
      assert.equal(await balanceOf(t.souk, reseller.accountId), before - 200);
      const rejected = ok(await admin('POST', `/orders/${placed.json().order_id}/reject`, { reason: 'supplier out of codes' })).order;
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.payment_status, 'refunded');
      assert.equal(rejected.reason, 'supplier out of codes');
      assert.equal(await balanceOf(t.souk, reseller.accountId), before);
      const noReason = await admin('POST', `/orders/${placed.json().order_id}/reject`, {});
      assert.equal(noReason.statusCode, 400);
      assert.equal(noReason.json().fields[0].field, 'reason');

      const delivered = await placeOrder({ product: 'CARD-10' });
      assert.equal(delivered.json().status, 'fulfilled', delivered.body);
      const refused = await admin('POST', `/orders/${delivered.json().order_id}/reject`, { reason: 'too late' });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error, 'invalid_state');
    });

    test('refunding a fulfilled order refunds the wallet and keeps the codes delivered', async () => {
      const placed = await placeOrder({ product: 'CARD-10' });
      assert.equal(placed.json().status, 'fulfilled', placed.body);
      const before = await balanceOf(t.souk, reseller.accountId);
      const refunded = ok(await admin('POST', `/orders/${placed.json().order_id}/refund`, { reason: 'code did not redeem' })).order;
      assert.equal(refunded.status, 'refunded');
      assert.equal(refunded.payment_status, 'refunded');
      assert.equal(refunded.items.length, 1);
      assert.equal(await balanceOf(t.souk, reseller.accountId), before + 1000);
      const entries = ok(await admin('GET', `/accounts/${reseller.accountId}/wallets`)).entries;
      assert.deepEqual([entries[0].kind, entries[0].amount, entries[0].reference, entries[0].memo], ['refund', 10, `order:${placed.json().order_id}`, 'refunded: code did not redeem']);
      const twice = await admin('POST', `/orders/${placed.json().order_id}/refund`, { reason: 'again' });
      assert.equal(twice.statusCode, 409);
      assert.deepEqual((await stockOf('CARD-10')).counts, { available: 1, reserved: 0, sold: 2, void: 1 });
    });

    test("the admin's order list covers every account, with filters and a cursor", async () => {
      const stranger = await createReseller(t.souk, { name: 'Stranger' });
      await fund(t.souk, stranger.accountId, 1_000);
      const theirs = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(stranger.apiKey), payload: { product: 'MAN-1' } });
      assert.equal(theirs.statusCode, 200, theirs.body);
      const all = ok(await admin('GET', '/orders?limit=200')).orders as Array<{ order_id: string; account_id: number; item_id: number; status: string }>;
      assert.ok(all.some((o) => o.account_id === stranger.accountId));
      assert.ok(all.some((o) => o.account_id === reseller.accountId));
      assert.deepEqual(
        all.map((o) => o.order_id),
        all.map((o) => o.order_id).sort().reverse(),
      );
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = ok(await admin('GET', `/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`)) as { orders: Array<{ order_id: string }>; next_cursor: string | null };
        ids.push(...page.orders.map((o) => o.order_id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(ids, all.map((o) => o.order_id));
      const strangers = ok(await admin('GET', `/orders?account=${stranger.accountId}`)).orders;
      assert.deepEqual(
        strangers.map((o: { order_id: string }) => o.order_id),
        [theirs.json().order_id],
      );
      const cardId = all.find((o) => o.status === 'refunded')?.item_id;
      const cards = ok(await admin('GET', `/orders?product=${cardId}&status=refunded`)).orders;
      assert.ok(cards.length >= 1 && cards.every((o: { item_id: number; status: string }) => o.item_id === cardId && o.status === 'refunded'));
      assert.deepEqual(ok(await admin('GET', '/orders?created_from=2999-01-01T00:00:00%2B02:00')).orders, []);
      assert.equal((await admin('GET', '/orders?cursor=not-a-cursor')).statusCode, 400);
    });

    test('the API failures log lists a failed order attempt, newest first, filtered', async () => {
      const failed = await placeOrder({ item_id: 777777 });
      assert.equal(failed.statusCode, 404);
      let found: { account_id: number; error_code: string; status: number; route: string; request_excerpt: string } | undefined;
      for (let i = 0; i < 100 && !found; i++) {
        const list = ok(await admin('GET', `/api-failures?account_id=${reseller.accountId}&error_code=item_not_found`)).failures;
        found = list.find((f: { request_excerpt: string }) => f.request_excerpt.includes('777777'));
        if (!found) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(found, 'the failure is listed');
      assert.deepEqual([found.account_id, found.error_code, found.status, found.route], [reseller.accountId, 'item_not_found', 404, '/api/v1/orders']);
      const recent = ok(await admin('GET', '/api-failures')).failures as Array<{ id: number }>;
      assert.deepEqual(
        recent.map((f) => f.id),
        recent.map((f) => f.id).sort((a, b) => b - a),
      );
      assert.deepEqual(ok(await admin('GET', '/api-failures?since=2999-01-01T00:00:00Z')).failures, []);
      assert.ok(ok(await admin('GET', '/api-failures?since=2000-01-01T00:00:00Z')).failures.length >= 1);
      assert.deepEqual(ok(await admin('GET', `/api-failures?account_id=${reseller.accountId}&error_code=no_such_code`)).failures, []);
    });

    test('switching wallet checkout off makes orders 503 wallet_disabled', async () => {
      assert.deepEqual(ok(await admin('GET', '/settings/wallet-checkout')), { ok: true, enabled: true });
      assert.deepEqual(ok(await admin('PUT', '/settings/wallet-checkout', { enabled: false })), { ok: true, enabled: false });
      try {
        assert.equal(ok(await admin('GET', '/settings/wallet-checkout')).enabled, false);
        const refused = await placeOrder({ product: 'MAN-1' });
        assert.equal(refused.statusCode, 503);
        assert.equal(refused.json().error, 'wallet_disabled');
      } finally {
        ok(await admin('PUT', '/settings/wallet-checkout', { enabled: true }));
      }
      assert.equal((await placeOrder({ product: 'MAN-1' })).statusCode, 200);
      assert.equal((await admin('PUT', '/settings/wallet-checkout', { enabled: 'maybe' })).statusCode, 400);
    });

    test('a reseller key gets 403 on every one of these routes', async () => {
      const orderId = ok(await admin('GET', '/orders?limit=1')).orders[0].order_id as string;
      const itemId = (await stockOf('CARD-10')).items[0].id as number;
      const routes: Array<[Method, string, object?]> = [
        ['POST', '/products/CARD-10/stock', { codes: ['NEW-CODE-403'] }],
        ['GET', '/products/CARD-10/stock'],
        ['POST', `/stock/${itemId}/void`],
        ['POST', `/stock/${itemId}/reveal`],
        ['GET', '/audit-log'],
        ['GET', `/accounts/${reseller.accountId}/wallets`],
        ['POST', `/accounts/${reseller.accountId}/wallets/topup`, { amount: 100 }],
        ['POST', `/accounts/${reseller.accountId}/wallets/adjust`, { amount: 100, memo: 'mine' }],
        ['GET', '/fx-rates'],
        ['PUT', '/fx-rates/USD/EUR', { rate: '0.9' }],
        ['GET', '/price-tiers'],
        ['PUT', '/price-tiers/free', { discount_percent: 100 }],
        ['PATCH', `/accounts/${reseller.accountId}`, { tier: 'gold' }],
        ['GET', '/orders'],
        ['GET', `/orders/${orderId}`],
        ['POST', `/orders/${orderId}/fulfil`, { codes: ['X'] }],
        ['POST', `/orders/${orderId}/reject`, { reason: 'mine' }],
        ['POST', `/orders/${orderId}/refund`, { reason: 'mine' }],
        ['GET', '/api-failures'],
        ['GET', '/settings/wallet-checkout'],
        ['PUT', '/settings/wallet-checkout', { enabled: false }],
      ];
      const before = await balanceOf(t.souk, reseller.accountId);
      for (const [method, url, payload] of routes) {
        const res = await t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(reseller.apiKey), ...(payload ? { payload } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error, 'forbidden');
      }
      const text = await t.app.inject({ method: 'POST', url: '/admin/api/products/CARD-10/stock', headers: { ...bearer(reseller.apiKey), 'content-type': 'text/plain' }, payload: 'NEW-CODE-403\n' });
      assert.equal(text.statusCode, 403);
      assert.equal(await balanceOf(t.souk, reseller.accountId), before);
      assert.equal(ok(await admin('GET', '/settings/wallet-checkout')).enabled, true);
      assert.equal(ok(await admin('GET', '/audit-log?action=stock.void')).entries.length, 1);
    });

    test('the invariants hold after all of the above', async () => {
      assert.deepEqual(await checkInvariants(t.souk.db), []);
    });
  });
}

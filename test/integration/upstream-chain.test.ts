// Two Souks chained on 127.0.0.1: A, a real `souk serve` process, is the upstream of B, which
// adds one provider per dialect pointing at A (souk and store at /api/v1, partner at /v1, shop at
// /api) and one at the fake SMM panel. For each: the import prices B's product at the upstream
// price × FX × markup, rounded up to the step, with the names carried; a price change upstream
// reaches B's catalog by a sync and B's own webhooks; an order on B is fulfilled with exactly the
// codes A sold, one debit on each side; an upstream that cannot sell rejects B's order and gives
// the buyer's money back. Then `souk doctor` finds nothing on either side. The faults (A killed
// mid-order, A answering 500 after it bought, an outcome that cannot be looked up) are in
// upstream-chain-faults.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startFakeSmm, type FakeSmm } from '../helpers/fake-smm.js';
import { balanceOf, fund } from '../helpers/orders.js';
import { runCli } from '../helpers/processes.js';
import { startReceiver, verifyReceipt, type Receipt, type Receiver } from '../helpers/receiver.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';
import {
  accountOnA,
  API_PATH,
  driveUntil,
  ledgerOf,
  orderDebitsOf,
  orderOnA,
  orderOnB,
  ordersOf,
  productOnA,
  refOnA,
  repriceOnA,
  SOUK_DIALECTS,
  startChainUpstream,
  startHoldingHop,
  statusOnB,
  type AccountOnA,
  type ChainUpstream,
  type HoldingHop,
  type ProductOnA,
  type SoukDialect,
} from '../helpers/upstream-chain.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { openSouk } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { findProduct } from '../../src/core/catalog/index.js';
import { ValidationFailed } from '../../src/core/errors.js';
import { formatMinor } from '../../src/core/money.js';
import { checkInvariants } from '../../src/core/orders/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { createWebhookEndpoint } from '../../src/core/webhooks/index.js';
import type { ProviderInput } from '../../src/core/upstream/index.js';
import { startBackgroundWork, type BackgroundWork } from '../../src/worker/background.js';

/** B sells in EUR what A and the panel sell in USD, at this rate. */
const USD_TO_EUR = '0.92';

/**
 * Per dialect: A's price, the names A gives, the pricing rule on B, and B's price worked out by
 * hand from the rule "upstream × FX × (1 + percent) + fixed, rounded up to the step" (one rounding,
 * at the end), before and after the price change. Several are chosen where rounding the converted
 * cost to a cent first would land one step higher.
 */
const CASES = {
  // 7.30 × 0.92 × 1.125 = 7.5555 → 7.60; 8.10 × 0.92 × 1.125 = 8.3835 → 8.40
  souk: { price: '7.30', name: { en: 'Steam card', ar: 'بطاقة ستيم' }, rule: { markupPercent: '12.5', rounding: '0.05' }, sells: '7.60', newPrice: '8.10', sellsNew: '8.40', quantity: 2 },
  // 4.10 × 0.92 × 1.10 + 0.50 = 4.6492 → 4.65; 5.00 × 0.92 × 1.10 + 0.50 = 5.56
  partner: { price: '4.10', name: { en: 'Partner voucher', ar: 'قسيمة' }, rule: { markupPercent: '10', markupFixed: '0.50', rounding: '0.01' }, sells: '4.65', newPrice: '5.00', sellsNew: '5.56', quantity: 2 },
  // 12.00 × 0.92 = 11.04 → 12.00 (whole euros); 13.50 × 0.92 = 12.42 → 13.00. Seed 003 sells one unit an order.
  store: { price: '12.00', name: { en: 'Store top-up', zh: '商店充值' }, rule: { rounding: '1' }, sells: '12.00', newPrice: '13.50', sellsNew: '13.00', quantity: 1 },
  // 2.35 × 0.92 × 1.20 = 2.5944 → 2.60; 3.00 × 0.92 × 1.20 = 3.312 → 3.40
  shop: { price: '2.35', name: { en: 'Mail account', zh: '邮箱账号' }, rule: { markupPercent: '20', rounding: '0.10' }, sells: '2.60', newPrice: '3.00', sellsNew: '3.40', quantity: 3 },
} satisfies Record<SoukDialect, unknown>;

/** Names as each dialect can carry them: seed 000 (partner) lists one name; the shop API only English and Chinese. */
const NAMES_CARRIED: Record<SoukDialect, Record<string, string>> = {
  souk: CASES.souk.name,
  partner: { en: CASES.partner.name.en },
  store: CASES.store.name,
  shop: CASES.shop.name,
};

// The panel's service: 0.90 per 1,000 (one local unit) × 0.92 × 1.50 = 1.242 → 1.25; at 1.20: 1.656 → 1.66.
const SMM = { rate: '0.90', rule: { markupPercent: '50', rounding: '0.01' }, sells: '1.25', newRate: '1.20', sellsNew: '1.66' };

/** Codes A holds of each dialect's product. */
const STOCK_ON_A = 20;

const B_ENV = { SOUK_UPSTREAM_ALLOW_PRIVATE: '1', SOUK_WEBHOOK_ALLOW_PRIVATE: '1', SOUK_UPSTREAM_TIMEOUT_MS: '5000' };

interface Seeded {
  accounts: Record<SoukDialect, AccountOnA>;
  /** An account on A that pays in EUR (A lists its USD products to it in EUR). */
  euroKey: string;
  products: Record<SoukDialect, ProductOnA>;
  empty: Record<SoukDialect, ProductOnA>;
  /** For two syncs at once. */
  race: ProductOnA;
  /** Followed by the scheduled sync alone. */
  scheduled: ProductOnA;
}

for (const kind of DATABASE_KINDS) {
  describe(`two Souks chained, A upstream of B (${kind})`, () => {
    let a: ChainUpstream & { seeded: Seeded };
    let b: TestSouk;
    let panel: FakeSmm;
    let background: BackgroundWork;
    let receiver: Receiver;
    let endpointSecret: string;
    const backgroundErrors: string[] = [];
    let buyer: { accountId: number; apiKey: string };
    const providers = {} as Record<SoukDialect | 'smm', number>;
    /** B's product imported from each dialect's product on A (and from the panel's service 1). */
    const imported = {} as Record<SoukDialect | 'smm', { productId: number; code: string }>;
    const importedEmpty = {} as Record<SoukDialect, { productId: number; code: string }>;
    let scheduledProduct: number;
    let raceHop: HoldingHop | undefined;
    let serial = 0;
    const reference = (dialect: string) => `chain-${kind}-${dialect}-${++serial}`;

    before(async () => {
      a = await startChainUpstream(kind, async (souk) => {
        const accounts = {} as Seeded['accounts'];
        const products = {} as Seeded['products'];
        const empty = {} as Seeded['empty'];
        for (const dialect of SOUK_DIALECTS) {
          accounts[dialect] = await accountOnA(souk, dialect, 100_000, `B via ${dialect}`);
          const { price, name } = CASES[dialect];
          products[dialect] = await productOnA(souk, `CH-${dialect.toUpperCase()}`, price, STOCK_ON_A, name);
          empty[dialect] = await productOnA(souk, `CH-${dialect.toUpperCase()}-EMPTY`, '1.00', 0);
        }
        await setFxRate(souk, 'USD', 'EUR', '0.90');
        const euro = await createAccount(souk.db, { name: 'B in euros', kind: 'reseller', currency: 'EUR' });
        const euroKey = (await createApiKey(souk.db, souk.box, { accountId: euro.id })).apiKey;
        const race = await productOnA(souk, 'CH-RACE', '2.00', 5);
        const scheduled = await productOnA(souk, 'CH-SCHEDULED', '5.00', 5);
        return { accounts, products, empty, euroKey, race, scheduled };
      });
      panel = await startFakeSmm({ services: [{ service: 1, name: 'Followers', type: 'Default', category: 'Instagram', rate: SMM.rate, min: 50, max: 10_000, refill: false, cancel: true }] });

      b = await startTestSouk(kind, { env: B_ENV });
      await setFxRate(b.souk, 'USD', 'EUR', USD_TO_EUR);
      const account = await createAccount(b.souk.db, { name: 'B buyer', kind: 'reseller', currency: 'EUR' });
      buyer = { accountId: account.id, apiKey: (await createApiKey(b.souk.db, b.souk.box, { accountId: account.id })).apiKey };
      await fund(b.souk, buyer.accountId, 100_000, 'EUR');
      receiver = await startReceiver();
      endpointSecret = (await createWebhookEndpoint({ db: b.souk.db, box: b.souk.box, allowPrivate: true }, buyer.accountId, { url: receiver.url, events: ['product.updated'] })).secret;
      background = await startBackgroundWork(b.souk, { worker: true, onError: (what, error) => backgroundErrors.push(`${what}: ${String(error)}`), log: () => {} });

      for (const dialect of SOUK_DIALECTS) {
        const input: ProviderInput = { name: `A (${dialect})`, url: `${a.origin}${API_PATH[dialect]}`, dialect, currency: 'USD', sellCurrency: 'EUR', ...a.seeded.accounts[dialect].credentials, ...CASES[dialect].rule };
        providers[dialect] = (await b.souk.upstream.add(input)).id;
      }
      // Synced by B's schedule alone (due every 10 s), never by a call: A's price moves now, and B is looked at in the last tests.
      const scheduled = (await b.souk.upstream.add({ name: 'A (souk, scheduled)', url: `${a.origin}/api/v1`, dialect: 'souk', ...a.seeded.accounts.souk.credentials, syncIntervalSeconds: 10 })).id;
      scheduledProduct = (await b.souk.upstream.import(scheduled, [{ ref: String(a.seeded.scheduled.id) }]))[0]!.product_id;
      await repriceOnA(a, 'CH-SCHEDULED', '6.00');
      providers.smm = (await b.souk.upstream.add({ name: 'Panel', url: panel.url, dialect: 'smm', key: panel.key, currency: 'USD', sellCurrency: 'EUR', ...SMM.rule })).id;
    });

    after(async () => {
      await background?.stop();
      await receiver?.close();
      await b?.close();
      await raceHop?.close();
      await panel?.close();
      await a?.close();
      assert.deepEqual(backgroundErrors, [], 'B background work ran without errors');
    });

    const priceOnB = async (productId: number) => {
      const product = await findProduct(b.souk.db, productId);
      return { price: formatMinor(product.price_minor, product.currency), currency: product.currency, name: product.name, status: product.status };
    };

    for (const dialect of SOUK_DIALECTS) {
      const c = CASES[dialect];

      test(`${dialect}: import carries the names and prices A's price × FX × markup, rounded up to the step, in B's currency`, async () => {
        const [one] = await b.souk.upstream.import(providers[dialect], [{ ref: refOnA(dialect, a.seeded.products[dialect]) }]);
        imported[dialect] = { productId: one!.product_id, code: one!.code };
        const [empty] = await b.souk.upstream.import(providers[dialect], [{ ref: refOnA(dialect, a.seeded.empty[dialect]) }]);
        importedEmpty[dialect] = { productId: empty!.product_id, code: empty!.code };
        const product = await findProduct(b.souk.db, one!.product_id);
        assert.deepEqual({ price: formatMinor(product.price_minor, product.currency), currency: product.currency, fulfillment: product.fulfillment, status: product.status }, { price: c.sells, currency: 'EUR', fulfillment: 'upstream', status: 'active' });
        assert.deepEqual(product.name, NAMES_CARRIED[dialect]);
        // Importing again finds the first import.
        const again = await b.souk.upstream.import(providers[dialect], [{ ref: refOnA(dialect, a.seeded.products[dialect]) }]);
        assert.deepEqual(again, [one]);
      });

      test(`${dialect}: a price change on A reaches B's catalog by a sync, and B's webhooks say product.updated`, async () => {
        await repriceOnA(a, a.seeded.products[dialect].code, c.newPrice);
        // Synced until the new price shows (the schedule's sync may be the one that brings it).
        await until(
          async () => (await b.souk.upstream.sync(providers[dialect]), priceOnB(imported[dialect].productId)),
          (now) => now.price === c.sellsNew,
          `B's sync of the ${dialect} provider brings the new price`,
        );
        assert.deepEqual(await priceOnB(imported[dialect].productId), { price: c.sellsNew, currency: 'EUR', name: NAMES_CARRIED[dialect], status: 'active' });
        const productId = imported[dialect].productId;
        const said = (r: Receipt) => r.event.type === 'product.updated' && r.event.data.product?.id === productId && r.event.data.changed?.includes('price') && r.event.data.product.price === Number(c.sellsNew);
        await receiver.waitFor((receipts) => receipts.some(said), undefined, `product.updated for ${imported[dialect].code} at ${c.sellsNew}`);
        // Signed by B, as its documented schema says, in B's currency.
        const receipt = receiver.receipts.find(said)!;
        verifyReceipt(receipt, endpointSecret);
        assert.equal(receipt.event.data.product?.currency, 'EUR');
      });

      test(`${dialect}: an order on B is fulfilled with exactly the codes A sold, one debit on each side`, async () => {
        const onA = a.seeded.accounts[dialect];
        const [ordersBefore, debitsBefore] = [(await ordersOf(a.souk, onA.accountId)).length, await orderDebitsOf(a.souk, onA.accountId)];
        const balanceBefore = await balanceOf(b.souk, buyer.accountId, 'EUR');
        // B's view of its balance at A, where the dialect can ask (seed 000 has no balance call).
        if (dialect !== 'partner') assert.equal((await b.souk.upstream.balance(providers[dialect])).balance, formatMinor(await balanceOf(a.souk, onA.accountId), 'USD'));
        const placed = await orderOnB(b, buyer.apiKey, { product: imported[dialect].code, quantity: c.quantity, client_order_id: reference(dialect) });
        await driveUntil(b, `B's ${dialect} order fulfilled`, async () => (await statusOnB(b, placed.order_id)) === 'fulfilled');
        const detail = await b.app.inject({ url: `/api/v1/orders/${placed.order_id}`, headers: { authorization: `Bearer ${buyer.apiKey}` } });
        const codesOnB = (detail.json<{ order: { items: Array<{ code: string }> } }>().order.items ?? []).map((i) => i.code).sort();
        // A delivers from its stock at once: the order's own answer is the delivered order, as it reads back.
        if (dialect === 'souk') assert.deepEqual(placed.order, detail.json<{ order: unknown }>().order, 'the answer to the order is the order as stored, codes and events included');

        const forwarded = await b.souk.db.selectFrom('upstream_orders').selectAll().where('order_id', '=', placed.order_id).executeTakeFirstOrThrow();
        assert.equal(forwarded.state, 'delivered');
        assert.ok(forwarded.upstream_order_id, 'the upstream order id is kept');
        const sold = await orderOnA(a, forwarded.upstream_order_id);
        assert.deepEqual([sold.account_id, sold.status], [onA.accountId, 'fulfilled']);
        assert.equal(sold.codes.length, c.quantity);
        assert.deepEqual(codesOnB, sold.codes, "B delivered exactly A's codes");

        // One order and one debit on A; one charge on B, of B's price.
        assert.equal((await ordersOf(a.souk, onA.accountId)).length, ordersBefore + 1);
        assert.equal(await orderDebitsOf(a.souk, onA.accountId), debitsBefore + 1);
        const charged = Math.round(Number(c.sellsNew) * 100) * c.quantity;
        assert.deepEqual(await ledgerOf(b.souk, placed.order_id), [{ kind: 'order', amount_minor: -charged }]);
        assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balanceBefore - charged);
        // What A took is booked against B's balance there, which stays what A says it is.
        const known = await b.souk.db.selectFrom('providers').select('balance_minor').where('id', '=', providers[dialect]).executeTakeFirstOrThrow();
        assert.equal(known.balance_minor, dialect === 'partner' ? null : await balanceOf(a.souk, onA.accountId));
        // B's stock follows A's at the next sync.
        await until(
          async () => (await b.souk.upstream.sync(providers[dialect]), (await findProduct(b.souk.db, imported[dialect].productId)).stock_available),
          (stock) => stock === STOCK_ON_A - c.quantity,
          `B shows A's ${dialect} stock`,
        );
      });

      test(`${dialect}: A out of stock rejects B's order, and the buyer's money goes back`, async () => {
        const onA = a.seeded.accounts[dialect];
        const [ordersBefore, debitsBefore] = [(await ordersOf(a.souk, onA.accountId)).length, await orderDebitsOf(a.souk, onA.accountId)];
        const balanceBefore = await balanceOf(b.souk, buyer.accountId, 'EUR');
        const placed = await orderOnB(b, buyer.apiKey, { product: importedEmpty[dialect].code, quantity: 1, client_order_id: reference(dialect) });
        await driveUntil(b, `B's ${dialect} order for an empty product rejected`, async () => (await statusOnB(b, placed.order_id)) === 'rejected');
        const forwarded = await b.souk.db.selectFrom('upstream_orders').selectAll().where('order_id', '=', placed.order_id).executeTakeFirstOrThrow();
        assert.equal(forwarded.state, 'failed');
        assert.match(forwarded.last_error ?? '', /out_of_stock/);
        const ledger = await ledgerOf(b.souk, placed.order_id);
        assert.deepEqual(ledger.map((e) => e.kind), ['order', 'refund']);
        assert.equal(ledger[0]!.amount_minor, -ledger[1]!.amount_minor);
        assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balanceBefore);
        assert.equal((await ordersOf(a.souk, onA.accountId)).length, ordersBefore, 'A took no order');
        assert.equal(await orderDebitsOf(a.souk, onA.accountId), debitsBefore);
      });
    }

    // The panel delivers a service, not codes; it has no stock, so "cannot sell" is our balance there.
    test('smm: import carries the name and prices the rate per 1,000 × FX × markup, rounded up', async () => {
      const [one] = await b.souk.upstream.import(providers.smm, [{ ref: '1' }]);
      imported.smm = { productId: one!.product_id, code: one!.code };
      assert.deepEqual(await priceOnB(one!.product_id), { price: SMM.sells, currency: 'EUR', name: { en: 'Followers' }, status: 'active' });
    });

    test("smm: a rate change on the panel reaches B's catalog by a sync, and B's webhooks say product.updated", async () => {
      panel.services[0]!.rate = SMM.newRate;
      await b.souk.upstream.sync(providers.smm);
      assert.equal((await priceOnB(imported.smm.productId)).price, SMM.sellsNew);
      await receiver.waitFor((receipts) => receipts.some((r) => r.event.data.product?.id === imported.smm.productId && r.event.data.product.price === Number(SMM.sellsNew)));
    });

    test('smm: an order on B is added once on the panel with its link, followed until Completed, one debit on each side', async () => {
      const panelBefore = panel.balance();
      const balanceBefore = await balanceOf(b.souk, buyer.accountId, 'EUR');
      const placed = await orderOnB(b, buyer.apiKey, { product: imported.smm.code, quantity: 2, client_order_id: reference('smm'), fields: { link: 'https://instagram.com/souk.example' } });
      const forwarded = await until(
        () => b.souk.db.selectFrom('upstream_orders').selectAll().where('order_id', '=', placed.order_id).executeTakeFirst(),
        (row) => row?.state === 'pending' && row.upstream_order_id !== null,
        'the panel order is pending',
      );
      const onPanel = panel.orders.get(Number(forwarded!.upstream_order_id))!;
      assert.deepEqual([onPanel.quantity, onPanel.link], [2000, 'https://instagram.com/souk.example']);
      panel.advance(onPanel.id, 'Completed');
      await driveUntil(b, "B's smm order fulfilled", async () => (await statusOnB(b, placed.order_id)) === 'fulfilled', placed.order_id);
      assert.equal(panel.count('add'), 1, 'one add on the panel');
      // 1.20 per 1,000 × 2,000 = 2.40 taken from our balance there, once.
      assert.equal(Math.round(Number(panelBefore) * 100) - Math.round(Number(panel.balance()) * 100), 240);
      const charged = Math.round(Number(SMM.sellsNew) * 100) * 2;
      assert.deepEqual(await ledgerOf(b.souk, placed.order_id), [{ kind: 'order', amount_minor: -charged }]);
      assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balanceBefore - charged);
      assert.equal((await b.souk.db.selectFrom('upstream_orders').select('state').where('order_id', '=', placed.order_id).executeTakeFirstOrThrow()).state, 'delivered');
    });

    test("smm: a panel without the funds rejects B's order and the buyer's money goes back; the next order is refused at once until the balance is seen again", async () => {
      panel.setBalance('1.00');
      const adds = panel.count('add');
      const balanceBefore = await balanceOf(b.souk, buyer.accountId, 'EUR');
      const placed = await orderOnB(b, buyer.apiKey, { product: imported.smm.code, quantity: 1, client_order_id: reference('smm'), fields: { link: 'https://instagram.com/souk.example' } });
      await driveUntil(b, "B's smm order rejected", async () => (await statusOnB(b, placed.order_id)) === 'rejected');
      assert.deepEqual((await ledgerOf(b.souk, placed.order_id)).map((e) => e.kind), ['order', 'refund']);
      assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balanceBefore);
      assert.equal(panel.count('add'), adds + 1);
      // Our balance there is known to be short now: refused with 503 before anything is bought.
      const refused = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${buyer.apiKey}` }, payload: { product: imported.smm.code, quantity: 1, fields: { link: 'https://instagram.com/souk.example' } } });
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.json().error, 'provider_unavailable');
      assert.equal(panel.count('add'), adds + 1);
      panel.setBalance('100.00');
      assert.equal((await b.souk.upstream.ping(providers.smm)).balance, '100.00');
      // A balance in debt at the panel is short too: refused here, not sent there.
      panel.setBalance('-2.50');
      assert.equal((await b.souk.upstream.ping(providers.smm)).balance, '-2.50');
      const indebted = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${buyer.apiKey}` }, payload: { product: imported.smm.code, quantity: 1, fields: { link: 'https://instagram.com/souk.example' } } });
      assert.equal(indebted.statusCode, 503, indebted.body);
      assert.equal(panel.count('add'), adds + 1);
      panel.setBalance('100.00');
      await b.souk.upstream.ping(providers.smm);
    });

    test('a disabled provider sells nothing: its products answer 503 provider_unavailable and nothing is charged or bought; enabled again, they sell', async () => {
      const onA = a.seeded.accounts.store.accountId;
      const aOrders = (await ordersOf(a.souk, onA)).length;
      const balance = await balanceOf(b.souk, buyer.accountId, 'EUR');
      await b.souk.upstream.setEnabled(providers.store, false);
      const refused = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${buyer.apiKey}` }, payload: { product: imported.store.code, quantity: 1 } });
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.json().error, 'provider_unavailable');
      assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balance);
      assert.equal((await ordersOf(a.souk, onA)).length, aOrders);
      await b.souk.upstream.setEnabled(providers.store, true);
      const placed = await orderOnB(b, buyer.apiKey, { product: imported.store.code, quantity: 1, client_order_id: reference('store') });
      await driveUntil(b, "B's store order fulfilled", async () => (await statusOnB(b, placed.order_id)) === 'fulfilled');
    });

    test('a provider turned off by another process refuses the next order here at once, though this process read it on a moment before', async () => {
      const onA = a.seeded.accounts.store.accountId;
      const aOrders = (await ordersOf(a.souk, onA)).length;
      const balance = await balanceOf(b.souk, buyer.accountId, 'EUR');
      const other = await openSouk(loadConfig(b.env));
      try {
        // Admission has just read the provider on: the next order's admission may answer from that read.
        await b.souk.upstream.admit(b.souk.db, await findProduct(b.souk.db, imported.store.code), 1, false);
        await other.upstream.setEnabled(providers.store, false);
        const refused = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${buyer.apiKey}` }, payload: { product: imported.store.code, quantity: 1 } });
        assert.equal(refused.statusCode, 503, refused.body);
        assert.equal(refused.json().error, 'provider_unavailable');
        assert.equal(await balanceOf(b.souk, buyer.accountId, 'EUR'), balance);
        assert.equal((await ordersOf(a.souk, onA)).length, aOrders);
      } finally {
        await other.upstream.setEnabled(providers.store, true);
        await other.close();
      }
    });

    test('a provider that lists its prices in another currency than it was added with is refused at import, never priced as if they were in its own', async () => {
      // Added without --currency (USD), for an account on A that pays, and is listed prices, in EUR.
      const id = (await b.souk.upstream.add({ name: 'A (souk, euro account)', url: `${a.origin}/api/v1`, dialect: 'souk', key: a.seeded.euroKey, sellCurrency: 'EUR' })).id;
      const listed = await b.souk.upstream.products(id);
      assert.ok(listed.length > 0 && listed.every((p) => p.currency === 'EUR'));
      await assert.rejects(b.souk.upstream.import(id, [{ ref: String(a.seeded.products.souk.id) }]), (error: Error) => error instanceof ValidationFailed && /EUR/.test(error.message) && /USD/.test(error.message));
      assert.equal(await b.souk.db.selectFrom('upstream_products').select('product_id').where('provider_id', '=', id).executeTakeFirst(), undefined, 'nothing imported');
    });

    test("two syncs at once (a product callback's and the schedule's): the one that read A's catalog last wins, and the product goes on following A's price", async () => {
      // Left open until the end: B's schedule syncs this provider too.
      const hop = (raceHop = await startHoldingHop(a.origin));
      const id = (await b.souk.upstream.add({ name: 'A (souk) via a slow hop', url: `${hop.origin}/api/v1`, dialect: 'souk', ...a.seeded.accounts.souk.credentials })).id;
      const [race] = await b.souk.upstream.import(id, [{ ref: String(a.seeded.race.id) }]);
      const price = async () => formatMinor((await findProduct(b.souk.db, race!.product_id)).price_minor, 'USD');
      assert.equal(await price(), '2.00');
      // The first sync's catalog (2.00) is held on its way back while A's price moves and a second sync reads 3.00.
      const held = hop.holdNext((method, url) => method === 'GET' && url.startsWith('/api/v1/products'));
      const first = b.souk.upstream.sync(id);
      await held.answered;
      await repriceOnA(a, 'CH-RACE', '3.00');
      await until(() => b.souk.upstream.sync(id).then(price), (p) => p === '3.00', 'a second sync brings 3.00');
      held.release();
      await first;
      assert.equal(await price(), '3.00', 'the older catalog did not overwrite the newer');
      // And the product still follows A: it was not taken for one repriced by hand.
      await repriceOnA(a, 'CH-RACE', '4.00');
      await until(() => b.souk.upstream.sync(id).then(price), (p) => p === '4.00', 'B follows A to 4.00');
    });

    test("the price change A made at the start reached B through the scheduled sync alone, and B's webhooks said product.updated", async () => {
      await until(() => priceOnB(scheduledProduct), (now) => now.price === '6.00', 'the scheduled sync brings 6.00');
      await receiver.waitFor((receipts) => receipts.some((r) => r.event.data.product?.id === scheduledProduct && r.event.data.product.price === 6), undefined, 'product.updated at 6.00');
      const synced = await b.souk.db.selectFrom('providers').select('last_sync_at').where('name', '=', 'A (souk, scheduled)').executeTakeFirstOrThrow();
      assert.ok(synced.last_sync_at, 'the schedule recorded its sync');
    });

    test('souk doctor finds nothing wrong on B or on A after all of it', async () => {
      assert.deepEqual(await checkInvariants(b.souk.db), []);
      const doctor = await runCli(['doctor', '--json'], a.env);
      assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      assert.deepEqual(JSON.parse(doctor.stdout), { ok: true, violations: [] });
    });
  });
}

// Orders that take nothing from stock (upstream and manual fulfilment) are written on PostgreSQL in
// one statement that checks instead of reading first (core/orders/placement-unread.ts). Whichever
// way a database writes them, a batch's outcomes and what it leaves in the wallets and the ledger
// must be those of deciding each order in turn against the database as it is: the same scenarios
// run through each database's own placement writer.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { pgBuyersAsPriced } from '../../src/core/accounts/index.js';
import { createProduct, pgProductsAsPriced } from '../../src/core/catalog/index.js';
import { newUlid } from '../../src/core/ids.js';
import { setWalletCheckout } from '../../src/core/orders/settings.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from '../../src/core/orders/placement-batch.js';
import { postgresPlacementWriter } from '../../src/core/orders/placement-postgres.js';
import { sqlitePlacementWriter } from '../../src/core/orders/placement-sqlite.js';
import { writableUnread, writeUnread } from '../../src/core/orders/placement-unread.js';
import { findWalletId, pgChargeWalletsUnread, setFxRate } from '../../src/core/wallets/index.js';
import { placementWriterOf, sqliteHandleOf } from '../../src/db/index.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { fund, stockDeps } from '../helpers/orders.js';
import { genericPlanOf, scansOf } from '../helpers/query-plans.js';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';

const PRICE = 250;
/** Rows of each kind beside the test's own, for the plan checks: enough that reading them all shows. */
const MANY = 20_000;
const AT = '2026-12-01T00:00:00.000Z';

interface Product {
  id: number;
  updatedAt: string;
}

for (const kind of DATABASE_KINDS) {
  describe(`placing orders that take no stock (${kind})`, () => {
    let t: TestSouk;
    let write: PlacementWriter;
    let accountId: number;
    let walletId: number;
    let product: Product;
    let serial = 0;

    before(async () => {
      t = await startTestSouk(kind);
      write = kind === 'postgres' ? postgresPlacementWriter(placementWriterOf(t.souk.db)!) : sqlitePlacementWriter(t.souk.db, sqliteHandleOf(t.souk.db)!);
    });
    after(() => t.close());

    beforeEach(async () => {
      accountId = (await createReseller(t.souk)).accountId;
      await fund(t.souk, accountId, 1000);
      walletId = (await findWalletId(t.souk.db, accountId, 'USD'))!;
      const created = await createProduct(stockDeps(t.souk), { code: `MANUAL-${++serial}`, name: 'Made by hand', price: (PRICE / 100).toFixed(2), fulfillment: 'manual' });
      product = { id: created.id, updatedAt: created.updated_at };
    });

    /** An order of one unit, paid from the wallet, as planning would hand it to the writer. */
    function plan(options: { clientOrderId?: string; priced?: Partial<PlacementPlan['priced']>; currency?: string; chargedMinor?: number } = {}): PlacementPlan {
      const at = new Date().toISOString();
      const id = newUlid();
      const charged = options.chargedMinor ?? PRICE;
      return {
        order: {
          id, number: `T-${id.slice(-10)}`, account_id: accountId, channel: 'api', client_order_id: options.clientOrderId ?? null, idempotency_key: null, request_hash: 'h',
          product_id: product.id, quantity: 1, unit_price_minor: PRICE, currency: options.currency ?? 'USD', total_minor: PRICE, charged_minor: charged, charged_currency: 'USD',
          fx_rate: options.priced?.fxRate ?? null, status: 'processing', payment_status: 'paid', payment_provider: 'wallet', fulfillment: 'manual', wallet_id: walletId,
          buyer_name: null, buyer_email: null, delivery_channel: 'api', callback_url: null, fields: '{}', reason: null, expires_at: null, created_at: at, updated_at: at,
          coupon_id: null, discount_minor: 0, risk_score: null, risk_verdict: null, risk_reasons: null, review_until: null, client_ip: null,
        },
        priced: {
          updatedAt: product.updatedAt, priceMinor: PRICE, currency: 'USD', fulfillment: 'manual', stockMode: 'unique',
          buyer: { currency: 'USD', discountBp: 0, walletCheckout: true, risk: { currency: 'USD', risk_review_score: null, risk_reject_score: null, review_above_minor: null } },
          fxRate: null, unitFx: null, ...options.priced,
        },
        coupon: null,
        claim: 'none',
        debit: { walletId, amountMinor: charged },
        events: [{ from: null, to: 'processing', reason: 'placed', actor: 'test', at }],
        outbox: [{ event_id: `evt_${id}`, type: 'order.created', account_id: accountId, order_id: id, endpoint_id: null, callback_url: null, payload: '{}', created_at: at }],
        actor: 'test',
      };
    }

    const kinds = (outcomes: PlacementOutcome[]) => outcomes.map((o) => o.kind);

    async function walletNow() {
      const wallet = await t.souk.db.selectFrom('wallets').select('balance_minor').where('id', '=', walletId).executeTakeFirstOrThrow();
      const entries = await t.souk.db.selectFrom('ledger_entries').select(['amount_minor', 'balance_after_minor', 'reference']).where('wallet_id', '=', walletId).where('kind', '=', 'order').orderBy('id').execute();
      return { balance: Number(wallet.balance_minor), entries: entries.map((e) => ({ amount: Number(e.amount_minor), after: Number(e.balance_after_minor), reference: e.reference })) };
    }

    async function ordersOf(plans: PlacementPlan[]): Promise<string[]> {
      const rows = await t.souk.db.selectFrom('orders').select('id').where('id', 'in', plans.map((p) => p.order.id)).execute();
      return rows.map((r) => r.id).sort();
    }

    test('a batch is charged once per order, and each ledger entry holds the balance the wallet had after it', async () => {
      const plans = [plan(), plan(), plan()];
      assert.deepEqual(kinds(await write(plans)), ['placed', 'placed', 'placed']);
      const wallet = await walletNow();
      assert.equal(wallet.balance, 1000 - 3 * PRICE);
      assert.deepEqual(wallet.entries, plans.map((p, i) => ({ amount: -PRICE, after: 1000 - (i + 1) * PRICE, reference: `order:${p.order.id}` })));
      assert.deepEqual(await ordersOf(plans), plans.map((p) => p.order.id).sort());
      const events = await t.souk.db.selectFrom('outbox_events').select('order_id').where('order_id', 'in', plans.map((p) => p.order.id)).execute();
      assert.equal(events.length, 3);
    });

    test('orders past what the wallet covers are refused in turn; those before them are placed', async () => {
      const plans = [plan(), plan(), plan(), plan(), plan()];
      assert.deepEqual(
        (await write(plans)).map((o) => (o.kind === 'insufficient_balance' ? `${o.kind} ${o.available}` : o.kind)),
        ['placed', 'placed', 'placed', 'placed', `insufficient_balance ${1000 - 4 * PRICE}`],
      );
      const wallet = await walletNow();
      assert.equal(wallet.balance, 0);
      assert.deepEqual(wallet.entries.map((e) => e.after), [750, 500, 250, 0]);
      assert.deepEqual(await ordersOf(plans), plans.slice(0, 4).map((p) => p.order.id).sort());
    });

    test('an order priced from a product as it was before an edit is stale, and the others of its batch are placed', async () => {
      const early = plan();
      // Any edit of a product moves its updated_at on.
      const edited = new Date(Date.now() + 1000).toISOString();
      await t.souk.db.updateTable('products').set({ name: 'Renamed', updated_at: edited }).where('id', '=', product.id).execute();
      product = { id: product.id, updatedAt: edited };
      const late = plan();
      assert.deepEqual(kinds(await write([early, late])), ['stale', 'placed']);
      assert.deepEqual(await ordersOf([early, late]), [late.order.id]);
      assert.equal((await walletNow()).balance, 1000 - PRICE);
    });

    test("an order whose client_order_id the account holds already is a duplicate, and charges nothing", async () => {
      const first = plan({ clientOrderId: 'only-once' });
      assert.deepEqual(kinds(await write([first])), ['placed']);
      const again = plan({ clientOrderId: 'only-once' });
      const other = plan();
      assert.deepEqual(kinds(await write([again, other])), ['duplicate', 'placed']);
      assert.equal((await walletNow()).balance, 1000 - 2 * PRICE);
    });

    test('with wallet checkout switched off, a wallet-paid order is stale and charges nothing', async () => {
      await setWalletCheckout(t.souk.db, false);
      try {
        assert.deepEqual(kinds(await write([plan()])), ['stale']);
        assert.equal((await walletNow()).balance, 1000);
      } finally {
        await setWalletCheckout(t.souk.db, true);
      }
    });

    test("an order priced before the buyer's own risk terms changed is stale", async () => {
      await t.souk.db.updateTable('accounts').set({ risk_review_score: 40 }).where('id', '=', accountId).execute();
      assert.deepEqual(kinds(await write([plan()])), ['stale']);
      assert.equal((await walletNow()).balance, 1000);
    });

    test('an order priced in another currency is placed at the rate it was priced with, and is stale once the rate changed', async () => {
      await setFxRate(stockDeps(t.souk), 'EUR', 'USD', '1.25');
      const priced = plan({ currency: 'EUR', chargedMinor: 300, priced: { fxRate: '1.25' } });
      assert.deepEqual(kinds(await write([priced])), ['placed']);
      await setFxRate(stockDeps(t.souk), 'EUR', 'USD', '1.30');
      assert.deepEqual(kinds(await write([plan({ currency: 'EUR', chargedMinor: 300, priced: { fxRate: '1.25' } })])), ['stale']);
      assert.equal((await walletNow()).balance, 700);
    });

    if (kind === 'postgres') {
      test('PostgreSQL writes such a batch in one statement without reading first, and a refused one writes nothing at all', async () => {
        const connections = placementWriterOf(t.souk.db)!;
        const placed = [plan(), plan()];
        assert.ok(writableUnread(placed));
        assert.deepEqual(kinds((await writeUnread(connections, [], placed))!), ['placed', 'placed']);
        assert.equal((await walletNow()).balance, 1000 - 2 * PRICE);
        // Three more orders than the wallet covers: the statement fails as a whole, not order by order.
        const refused = [plan(), plan(), plan(), plan()];
        assert.equal(await writeUnread(connections, [], refused), undefined);
        assert.deepEqual(await ordersOf(refused), []);
        const wallet = await walletNow();
        assert.equal(wallet.balance, 1000 - 2 * PRICE);
        assert.equal(wallet.entries.length, 2);
        // Orders that take codes or coupons are decided the locked way.
        assert.equal(writableUnread([{ ...plan(), claim: 'sell' }]), false);
      });

      test("planned once for any values, as placement's connections plan it, the checks and the debit find each product, buyer and wallet by its key among many", async () => {
        const db = t.souk.db;
        await sql`insert into accounts (name, kind, currency, status, created_at, updated_at) select 'bulk ' || g, 'reseller', 'USD', 'active', ${AT}, ${AT} from generate_series(1, ${MANY}) g`.execute(db);
        await sql`insert into wallets (account_id, currency, balance_minor, credit_limit_minor, updated_at) select id, 'USD', 1000, 0, ${AT} from accounts where name like 'bulk %'`.execute(db);
        await sql`insert into products (code, slug, name, description, price_minor, currency, status, fulfillment, created_at, updated_at)
          select 'BULK-' || g, 'bulk-' || g, '{"en":"bulk"}', '', 100, 'USD', 'active', 'manual', ${AT}, ${AT} from generate_series(1, ${MANY}) g`.execute(db);
        await sql`analyze accounts, wallets, products`.execute(db);
        const one = plan();
        const charge = pgChargeWalletsUnread([{ walletId, amountMinor: PRICE, orderId: one.order.id, actor: 'test', at: AT }], AT);
        const checked = [
          pgProductsAsPriced([{ id: product.id, updated_at: product.updatedAt, price_minor: PRICE, currency: 'USD', fulfillment: 'manual', stock_mode: 'unique' }]),
          pgBuyersAsPriced([{ id: accountId, currency: 'USD', discount_bp: 0, risk_review_score: null, risk_reject_score: null, review_above_minor: null }]),
        ];
        const plans = [
          ...(await Promise.all(checked.map((check) => genericPlanOf(db, sql`select ${check}`)))),
          await genericPlanOf(db, sql`with nothing as (select 1) ${charge.ctes} select ${charge.covered}`),
        ];
        for (const [relation, scanned] of [['products', plans[0]!], ['accounts', plans[1]!], ['wallets', plans[2]!]] as const) {
          const scans = scansOf(scanned, relation).filter((node) => node['Node Type']?.endsWith('Scan'));
          assert.ok(scans.length > 0, relation);
          for (const scan of scans) assert.equal(scan['Index Name'], `${relation}_pkey`, JSON.stringify(scan));
        }
      });
    }
  });
}

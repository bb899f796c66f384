import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideBatch as decideBatchAt, type BatchState, type BuyerNow, type CouponNow } from '../../src/core/orders/placement-decide.js';
import type { PlacementPlan } from '../../src/core/orders/placement-batch.js';

const AT = '2026-11-30T00:00:00.000Z';
/** An account that takes the shop's default risk terms. */
const NO_OWN_RISK_TERMS = { risk_review_score: null, risk_reject_score: null, review_above_minor: null };
/** When the batch writes: a little after the orders were priced (AT). */
const RECORDED_AT = '2026-11-30T00:00:00.040Z';
const decideBatch = (plans: PlacementPlan[], batchState: BatchState) => decideBatchAt(plans, batchState, RECORDED_AT);
let serial = 0;

interface PlanOverrides {
  product?: number;
  quantity?: number;
  clientOrderId?: string | null;
  idempotencyKey?: string;
  account?: number;
  wallet?: number | null;
  amount?: number;
  claim?: PlacementPlan['claim'];
  price?: number;
  coupon?: { id: number; customer?: string; updatedAt?: string };
}

function plan(overrides: PlanOverrides = {}): PlacementPlan {
  const id = `ORDER${String(++serial).padStart(21, '0')}`;
  const amount = overrides.amount ?? 100;
  const wallet = overrides.wallet === undefined ? 1 : overrides.wallet;
  return {
    order: {
      id,
      number: `SK-${serial}`,
      account_id: overrides.account ?? 7,
      channel: 'api',
      payment_provider: wallet === null ? 'deferred' : 'wallet',
      client_order_id: overrides.clientOrderId === undefined ? null : overrides.clientOrderId,
      idempotency_key: overrides.idempotencyKey ?? null,
      request_hash: 'h',
      risk_score: null,
      risk_verdict: null,
      risk_reasons: null,
      review_until: null,
      client_ip: null,
      product_id: overrides.product ?? 1,
      quantity: overrides.quantity ?? 1,
      unit_price_minor: amount,
      currency: 'USD',
      total_minor: amount,
      charged_minor: amount,
      charged_currency: 'USD',
      fx_rate: null,
      status: 'fulfilled',
      payment_status: wallet === null ? 'pending' : 'paid',
      fulfillment: 'stock',
      wallet_id: wallet ?? 1,
      buyer_name: null,
      buyer_email: null,
      delivery_channel: 'api',
      callback_url: null,
      fields: '{}',
      reason: null,
      expires_at: null,
      created_at: AT,
      updated_at: AT,
      coupon_id: overrides.coupon?.id ?? null,
      discount_minor: overrides.coupon ? 10 : 0,
    },
    priced: {
      updatedAt: AT,
      priceMinor: overrides.price ?? 100,
      currency: 'USD',
      fulfillment: 'stock',
      stockMode: overrides.claim === 'shared' ? 'shared' : 'unique',
      buyer: { currency: 'USD', discountBp: 0, walletCheckout: true, risk: { currency: 'USD', ...NO_OWN_RISK_TERMS } },
      fxRate: null,
      unitFx: null,
    },
    coupon: overrides.coupon
      ? { id: overrides.coupon.id, code: `C${overrides.coupon.id}`, updatedAt: overrides.coupon.updatedAt ?? AT, discountMinor: 10, customerKey: overrides.coupon.customer ?? `account:${overrides.account ?? 7}` }
      : null,
    claim: overrides.claim ?? 'sell',
    debit: wallet === null ? null : { walletId: wallet, amountMinor: amount },
    events: [
      { from: null, to: 'queued', reason: 'placed', actor: 'test', at: AT },
      { from: 'queued', to: 'fulfilled', reason: 'delivered from stock', actor: 'test', at: AT },
    ],
    outbox: [
      { event_id: `evt_${id}`, type: 'order.created', account_id: overrides.account ?? 7, order_id: id, endpoint_id: null, callback_url: null, payload: '{}', created_at: AT },
    ],
    actor: 'test',
  };
}

function state(overrides: Partial<BatchState> & { codes?: number; balance?: number; credit?: number } = {}): BatchState {
  return {
    buyers:
      overrides.buyers ??
      new Map([
        [7, { currency: 'USD', discount_bp: 0, wallet_checkout: true, ...NO_OWN_RISK_TERMS }],
        [8, { currency: 'USD', discount_bp: 0, wallet_checkout: true, ...NO_OWN_RISK_TERMS }],
      ]),
    fxRates: overrides.fxRates ?? new Map(),
    products: overrides.products ?? new Map([[1, { price_minor: 100, currency: 'USD', status: 'active', fulfillment: 'stock', stock_mode: 'unique', updated_at: AT }]]),
    wallets: overrides.wallets ?? new Map([[1, { balance_minor: overrides.balance ?? 1000, credit_limit_minor: overrides.credit ?? 0, currency: 'USD' }]]),
    takenReferences: overrides.takenReferences ?? new Set(),
    pools: overrides.pools ?? new Map([[1, Array.from({ length: overrides.codes ?? 10 }, (_, i) => ({ id: i + 1, code_enc: `sealed-${i + 1}` }))]]),
    sharedCodes: overrides.sharedCodes ?? new Map(),
    coupons: overrides.coupons ?? new Map(),
    couponUses: overrides.couponUses ?? new Map(),
  };
}

const coupon = (c: Partial<CouponNow> = {}): CouponNow => ({
  updated_at: AT, status: 'active', used_count: 0, usage_limit: null, per_customer_limit: null, starts_at: null, ends_at: null, ...c,
});

test('orders of a batch take codes in turn and the order that finds too few is out of stock with what was left', () => {
  const plans = [plan({ quantity: 2 }), plan({ quantity: 2 }), plan({ quantity: 2 })];
  const { outcomes, writes } = decideBatch(plans, state({ codes: 5 }));
  assert.deepEqual(
    outcomes.map((o) => (o.kind === 'placed' ? o.items.map((i) => i.id) : o)),
    [[1, 2], [3, 4], { kind: 'out_of_stock', available: 1 }],
  );
  assert.deepEqual(writes.stock.counted, new Map([[1, 4]]));
  assert.equal(writes.orders.length, 2);
  assert.equal(writes.items.length, 4);
  assert.equal(writes.events.length, 4);
  assert.deepEqual(
    writes.outbox.map((e) => e.order_id),
    [plans[0]!.order.id, plans[1]!.order.id],
  );
  // The events carry the time the batch recorded them, not the time their orders were priced.
  assert.deepEqual([...new Set(writes.outbox.map((e) => e.created_at))], [RECORDED_AT]);
  assert.equal(plans[0]!.outbox[0]!.created_at, AT);
});

test('a wallet is followed through the batch: the order it cannot cover is refused with the funds left, credit limit included', () => {
  const plans = [plan({ amount: 400 }), plan({ amount: 400 }), plan({ amount: 400 }), plan({ amount: 100 })];
  const { outcomes, writes } = decideBatch(plans, state({ balance: 1000, credit: 100 }));
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['placed', 'placed', 'insufficient_balance', 'placed'],
  );
  assert.deepEqual(outcomes[2], { kind: 'insufficient_balance', available: 300, currency: 'USD' });
  assert.deepEqual(writes.charges.debits, new Map([[1, 900]]));
  assert.deepEqual(
    writes.charges.ledger.map((l) => [l.amount_minor, l.balance_after_minor]),
    [[-400, 600], [-400, 200], [-100, 100]],
  );
});

test('a refused order takes nothing: the codes it would have had go to the next order', () => {
  const plans = [plan({ amount: 5000 }), plan()];
  const { outcomes } = decideBatch(plans, state({ balance: 1000 }));
  assert.equal(outcomes[0]!.kind, 'insufficient_balance');
  const second = outcomes[1]!;
  assert.deepEqual(second.kind === 'placed' && second.items.map((i) => i.id), [1]);
});

test('a client_order_id already taken, or taken earlier in the same batch, is a duplicate', () => {
  const plans = [plan({ clientOrderId: 'a' }), plan({ clientOrderId: 'b' }), plan({ clientOrderId: 'a' }), plan({ clientOrderId: 'b', account: 8 })];
  const { outcomes } = decideBatch(plans, state({ takenReferences: new Set(['7:client_order_id:b']) }));
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['placed', 'duplicate', 'duplicate', 'placed'],
  );
});

test('an Idempotency-Key already taken, or taken earlier in the batch, is a duplicate, apart from client_order_ids of the same text', () => {
  const plans = [
    plan({ idempotencyKey: 'k1' }),
    plan({ idempotencyKey: 'k2' }),
    plan({ idempotencyKey: 'k1', clientOrderId: 'fresh' }),
    plan({ clientOrderId: 'k2' }),
    plan({ idempotencyKey: 'k2', account: 8 }),
  ];
  const { outcomes } = decideBatch(plans, state({ takenReferences: new Set(['7:idempotency_key:k2']) }));
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['placed', 'duplicate', 'duplicate', 'placed', 'placed'],
  );
});

test('an order priced from a product that has changed since is stale', () => {
  const products = new Map([[1, { price_minor: 120, currency: 'USD', status: 'active', fulfillment: 'stock', stock_mode: 'unique', updated_at: AT }]]);
  assert.equal(decideBatch([plan()], state({ products })).outcomes[0]!.kind, 'stale');
  const archived = new Map([[1, { price_minor: 100, currency: 'USD', status: 'archived', fulfillment: 'stock', stock_mode: 'unique', updated_at: AT }]]);
  assert.equal(decideBatch([plan()], state({ products: archived })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ products: new Map() })).outcomes[0]!.kind, 'stale');
  const edited = new Map([[1, { price_minor: 100, currency: 'USD', status: 'active', fulfillment: 'stock', stock_mode: 'unique', updated_at: '2026-11-30T00:00:01.000Z' }]]);
  assert.equal(decideBatch([plan()], state({ products: edited })).outcomes[0]!.kind, 'stale');
});

test('an order priced for a buyer whose tier, currency, wallet checkout or risk terms have changed since is stale', () => {
  const buyer = (b: Partial<BuyerNow>) => new Map([[7, { currency: 'USD', discount_bp: 0, wallet_checkout: true, ...NO_OWN_RISK_TERMS, ...b }]]);
  assert.equal(decideBatch([plan()], state({ buyers: buyer({}) })).outcomes[0]!.kind, 'placed');
  // Assessed by the shop's defaults: an owner's own thresholds for the account apply to it from now on.
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ risk_review_score: 40 }) })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ risk_reject_score: 80 }) })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ review_above_minor: 5000 }) })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ discount_bp: 500 }) })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ currency: 'EUR' }) })).outcomes[0]!.kind, 'stale');
  assert.equal(decideBatch([plan()], state({ buyers: buyer({ wallet_checkout: false }) })).outcomes[0]!.kind, 'stale');
  // An order paid later does not use the wallet: switching wallet checkout off does not stop it.
  assert.equal(decideBatch([plan({ claim: 'hold', wallet: null })], state({ buyers: buyer({ wallet_checkout: false }) })).outcomes[0]!.kind, 'placed');
});

test('a shared code goes to every buyer, once per unit, and is never counted down', () => {
  const products = new Map([[1, { price_minor: 100, currency: 'USD', status: 'active', fulfillment: 'stock', stock_mode: 'shared', updated_at: AT }]]);
  const shared = { id: 99, code_enc: 'sealed-shared' };
  const { outcomes, writes } = decideBatch([plan({ claim: 'shared', quantity: 2 }), plan({ claim: 'shared' })], state({ products, sharedCodes: new Map([[1, shared]]) }));
  assert.deepEqual(
    outcomes.map((o) => (o.kind === 'placed' ? o.items.map((i) => i.id) : o.kind)),
    [[99, 99], [99]],
  );
  assert.equal(writes.stock.claims.length, 0);
  assert.equal(writes.stock.counted.size, 0);
  const none = decideBatch([plan({ claim: 'shared' })], state({ products, sharedCodes: new Map([[1, undefined]]) }));
  assert.deepEqual(none.outcomes[0], { kind: 'out_of_stock', available: 0 });
});

test('an order paid later holds its codes and debits nothing', () => {
  const { outcomes, writes } = decideBatch([plan({ claim: 'hold', wallet: null })], state());
  assert.equal(outcomes[0]!.kind, 'placed');
  assert.deepEqual(writes.stock.claims.map((c) => c.hold), [true]);
  assert.equal(writes.charges.debits.size, 0);
  assert.equal(writes.charges.ledger.length, 0);
});

test('whatever the batch, no code goes to two orders, no wallet passes its credit limit, and the money taken is what the placed orders cost', () => {
  const request = fc.record({ quantity: fc.integer({ min: 1, max: 4 }), amount: fc.integer({ min: 1, max: 700 }), clientOrderId: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }) });
  fc.assert(
    fc.property(fc.array(request, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 1000 }), (requests, codes, balance, credit) => {
      const plans = requests.map((r) => plan(r));
      const { outcomes, writes } = decideBatch(plans, state({ codes, balance, credit }));
      const handed = outcomes.flatMap((o) => (o.kind === 'placed' ? o.items.map((i) => i.id) : []));
      assert.equal(new Set(handed).size, handed.length);
      assert.ok(handed.length <= codes);
      const placed = plans.filter((_, i) => outcomes[i]!.kind === 'placed');
      const cost = placed.reduce((sum, p) => sum + p.debit!.amountMinor, 0);
      assert.equal(writes.charges.debits.get(1) ?? 0, cost);
      assert.ok(balance - cost + credit >= 0);
      const ids = placed.flatMap((p) => (p.order.client_order_id === null ? [] : [p.order.client_order_id]));
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(writes.charges.ledger.at(-1)?.balance_after_minor ?? balance, balance - cost);
    }),
  );
});

test('a coupon is used at most its usage limit across a batch, and the orders past it are refused without taking anything', () => {
  const plans = [plan({ coupon: { id: 5 }, account: 7 }), plan({ coupon: { id: 5 }, account: 8 }), plan({ coupon: { id: 5 }, account: 7 }), plan()];
  const { outcomes, writes } = decideBatch(plans, state({ coupons: new Map([[5, coupon({ usage_limit: 3, used_count: 1 })]]), codes: 10, balance: 10_000 }));
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['placed', 'placed', 'coupon_exhausted', 'placed'],
  );
  assert.deepEqual(outcomes[2], { kind: 'coupon_exhausted', perCustomer: false });
  assert.deepEqual(writes.coupons.added, new Map([[5, 2]]));
  assert.deepEqual(
    writes.coupons.redemptions.map((r) => [r.order_id, r.customer_key]),
    [
      [plans[0]!.order.id, 'account:7'],
      [plans[1]!.order.id, 'account:8'],
    ],
  );
  // The refused order took no code: the fourth order got the third code.
  const last = outcomes[3]!;
  assert.deepEqual(last.kind === 'placed' && last.items.map((i) => i.id), [3]);
});

test('a customer uses a coupon at most its per-customer limit, counting uses from before the batch', () => {
  const plans = [plan({ coupon: { id: 5 }, account: 7 }), plan({ coupon: { id: 5 }, account: 8 }), plan({ coupon: { id: 5 }, account: 8 })];
  const { outcomes } = decideBatch(
    plans,
    state({ coupons: new Map([[5, coupon({ per_customer_limit: 1, used_count: 1 })]]), couponUses: new Map([['5:account:7', 1]]), balance: 10_000 }),
  );
  assert.deepEqual(
    outcomes.map((o) => (o.kind === 'coupon_exhausted' ? `exhausted:${o.perCustomer}` : o.kind)),
    ['exhausted:true', 'placed', 'exhausted:true'],
  );
});

test('an order priced by a coupon that has changed, been disabled or gone out of its window since is stale', () => {
  const stale = (c: CouponNow | undefined) => decideBatch([plan({ coupon: { id: 5 } })], state({ coupons: c ? new Map([[5, c]]) : new Map() })).outcomes[0]!.kind;
  assert.equal(stale(coupon()), 'placed');
  assert.equal(stale(undefined), 'stale');
  assert.equal(stale(coupon({ updated_at: '2026-11-30T00:00:01.000Z' })), 'stale');
  assert.equal(stale(coupon({ status: 'disabled' })), 'stale');
  assert.equal(stale(coupon({ ends_at: AT })), 'stale');
  assert.equal(stale(coupon({ starts_at: '2026-11-30T00:00:00.001Z' })), 'stale');
});

test('whatever the batch, a coupon is never used past its limits', () => {
  const request = fc.record({ account: fc.constantFrom(7, 8), withCoupon: fc.boolean() });
  fc.assert(
    fc.property(
      fc.array(request, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 10 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      fc.integer({ min: 0, max: 3 }),
      (requests, usageLimit, perCustomer, usedBefore) => {
        const plans = requests.map((r) => plan({ account: r.account, ...(r.withCoupon ? { coupon: { id: 5 } } : {}) }));
        const used = Math.min(usedBefore, usageLimit);
        const { outcomes, writes } = decideBatch(
          plans,
          state({ codes: 100, balance: 1_000_000, coupons: new Map([[5, coupon({ usage_limit: usageLimit, per_customer_limit: perCustomer, used_count: used })]]), couponUses: new Map([['5:account:7', used]]) }),
        );
        const redeemed = plans.filter((p, i) => p.coupon && outcomes[i]!.kind === 'placed');
        assert.equal(writes.coupons.redemptions.length, redeemed.length);
        assert.ok(used + redeemed.length <= usageLimit);
        for (const account of [7, 8]) {
          const mine = redeemed.filter((p) => p.order.account_id === account).length + (account === 7 ? used : 0);
          if (perCustomer !== null) assert.ok(mine <= Math.max(perCustomer, account === 7 ? used : 0));
        }
        // Orders without a coupon are never refused for one.
        plans.forEach((p, i) => {
          if (!p.coupon) assert.equal(outcomes[i]!.kind, 'placed');
        });
      },
    ),
  );
});

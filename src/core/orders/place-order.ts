// Placing an order: resolve the product, check the quantity and checkout fields, price it (tier,
// FX), check the buyer's price guard, then write it as one transaction that claims the goods,
// debits the wallet and inserts the order with its events (placement-batch.ts), re-checking
// there that the product is still as it was priced. Any failure writes nothing.
import { createHash } from 'node:crypto';
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import type { OrderChannel } from '../../db/schema.js';
import type { PaymentRequest } from '../payments/index.js';
import { Conflict, CouponExhausted, DomainError, IdempotencyKeyReused, InsufficientBalance, OutOfStock, ValidationFailed } from '../errors.js';
import type { AllocatedItem, CodeVault } from '../inventory/index.js';
import { formatMinor } from '../money.js';
import { outboundUrlProblem } from '../../platform/outbound-guard.js';
import { withDelivery } from './change-order.js';
import { loadOrderDetail, riskOf, type OrderDetail } from './read-orders.js';
import type { Placement } from './placement.js';
import { MAX_CHECKOUT_FIELDS, planOrder, type PlacementStrategies, type PlannedOrder } from './plan-order.js';
import { placeWaitingOrder } from './waiting-stock.js';

export interface PlaceOrderInput {
  /** Product id, code or slug. */
  product: string | number;
  quantity?: number;
  clientOrderId?: string;
  /**
   * The request's Idempotency-Key: kept in the order, unique per account for ever, so a retry
   * (even after a crash that lost the first answer) gets the order it placed.
   */
  idempotencyKey?: string;
  fields?: Record<string, string>;
  buyer?: { name?: string; email?: string };
  deliveryChannel?: 'api' | 'email';
  callbackUrl?: string;
  /** Decimal, in the currency the wallet is charged in. */
  maxUnitPrice?: string | number;
  channel?: OrderChannel;
  /**
   * How it is paid (core/payments): from a wallet now (the default: the one in the account's
   * currency; `currency` picks another of the account's wallets, the price converted by the FX
   * table), later (the goods held until `holdSeconds` pass), or outside Souk (a zid order).
   */
  payment?: PaymentRequest;
  /** A coupon code, applied and counted in the order's transaction. */
  couponCode?: string;
  /**
   * The currency the order is priced in (a shop's own, for example): the unit price is converted
   * to it and rounded up per unit (unitPriceIn) before the quantity multiplies it, and the total is
   * what the wallet pays, converted again if the wallet is in another currency. Default: the
   * product's currency.
   */
  priceIn?: string;
  /**
   * What else a profile's client asked for that changes nothing in the order but makes it another
   * request (seed 000's flow_type): a retry with a different one is 422, not the first order.
   */
  requestVariant?: string;
  /**
   * What an order does when stock cannot cover it: `refuse` (the default: 409 out_of_stock,
   * nothing written) or `wait` (written `processing` without items, delivered when stock arrives:
   * waiting-stock.ts). Only an order paid outside Souk (`payment: { kind: 'external' }`) may wait:
   * Souk never takes money for goods it cannot give now. Products not sold from stock never wait.
   */
  whenOutOfStock?: 'refuse' | 'wait';
  /** The IP the request came from (the per-IP velocity rule of core/risk); not part of the request's hash. */
  clientIp?: string;
}

export interface OrderDeps extends PlacementStrategies {
  db: Db;
  dialect: Dialect;
  vault: CodeVault;
  /** SOUK_WEBHOOK_ALLOW_PRIVATE: an order's callback_url may be a private address (tests, local development). */
  allowPrivate?: boolean;
  /** A warning for the shop's admin, for what has no request to log with (an order that waits for stock). */
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

/** What placing an order needs besides: the app's placement queue. */
export interface PlacementDeps extends OrderDeps {
  placement: Placement;
}

export interface PlacedOrder {
  order: OrderDetail;
  /** True when this was a retry of an order placed before (same client_order_id and body). */
  replayed: boolean;
}

/** A stable hash of what was asked, to tell a retry (same request) from a reuse (different one). */
function requestHash(input: PlaceOrderInput): string {
  const fields = Object.entries(input.fields ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const canonical = JSON.stringify([
    String(input.product),
    input.quantity ?? null,
    fields,
    input.buyer?.name ?? null,
    input.buyer?.email ?? null,
    input.deliveryChannel ?? 'api',
    input.callbackUrl ?? null,
    input.maxUnitPrice === undefined ? null : String(input.maxUnitPrice),
  ]);
  // Appended only when given, so orders placed before coupons, wallet choice and request variants keep their hashes.
  const walletCurrency = input.payment && 'currency' in input.payment ? input.payment.currency?.toUpperCase() : undefined;
  const more = input.couponCode !== undefined || walletCurrency !== undefined ? JSON.stringify([input.couponCode?.trim().toUpperCase() ?? null, walletCurrency ?? null]) : '';
  const variant = input.requestVariant !== undefined ? JSON.stringify(['variant', input.requestVariant]) : '';
  return createHash('sha256').update(canonical + more + variant).digest('hex');
}

const selectByClientOrderId = queryTemplate(['accountId', 'clientOrderId'], (db, p) =>
  db.selectFrom('orders').select(['id', 'request_hash', 'client_order_id']).where('account_id', '=', p.accountId).where('client_order_id', '=', p.clientOrderId),
);
const selectByIdempotencyKey = queryTemplate(['accountId', 'idempotencyKey'], (db, p) =>
  db.selectFrom('orders').select(['id', 'request_hash', 'client_order_id']).where('account_id', '=', p.accountId).where('idempotency_key', '=', p.idempotencyKey),
);

/**
 * The order this request repeats, if any: the one holding its client_order_id, else the one
 * placed with its Idempotency-Key. Either must have been asked for with the same request, and a
 * key's order with the same client_order_id (or none), else 422.
 */
async function findReplay(db: Db, accountId: number, input: PlaceOrderInput, hash: string): Promise<string | undefined> {
  if (input.clientOrderId !== undefined) {
    const [existing] = await selectByClientOrderId.run(db, { accountId, clientOrderId: input.clientOrderId });
    if (existing) {
      if (existing.request_hash !== hash) throw new IdempotencyKeyReused(`client_order_id "${input.clientOrderId}"`);
      return existing.id;
    }
  }
  if (input.idempotencyKey !== undefined) {
    const [existing] = await selectByIdempotencyKey.run(db, { accountId, idempotencyKey: input.idempotencyKey });
    if (existing) {
      if (existing.request_hash !== hash || existing.client_order_id !== (input.clientOrderId ?? null)) throw new IdempotencyKeyReused(`Idempotency-Key "${input.idempotencyKey}"`);
      return existing.id;
    }
  }
  return undefined;
}

/** Refuses a callback_url the order's events could not be sent to: the same rule as webhook endpoints. */
async function checkCallbackUrl(url: string, allowPrivate: boolean): Promise<void> {
  const problem = await outboundUrlProblem(url, { allowPrivate });
  if (problem) throw new ValidationFailed(`callback_url ${problem}.`, [{ field: 'callback_url', message: problem }]);
}

/** Refuses a way to wait for stock that could take money for goods Souk cannot give now. */
function checkWhenOutOfStock(input: PlaceOrderInput): void {
  const { whenOutOfStock } = input;
  if (whenOutOfStock === undefined || whenOutOfStock === 'refuse') return;
  const problem = (message: string) => new ValidationFailed(`whenOutOfStock ${message}.`, [{ field: 'whenOutOfStock', message }]);
  if (whenOutOfStock !== 'wait') throw problem("is 'refuse' or 'wait'");
  if (input.payment?.kind !== 'external') throw problem("'wait' is only for an order paid outside Souk (payment kind external)");
  if (input.couponCode !== undefined) throw problem("'wait' does not take a coupon");
}

/** Whether a refusal for want of stock becomes an order waiting for it. */
function waitsForStock(input: PlaceOrderInput, planned: PlannedOrder): boolean {
  return input.whenOutOfStock === 'wait' && planned.product.fulfillment === 'stock';
}

/** A product that keeps changing under an order is tried this many times before giving up. */
const PRICING_ATTEMPTS = 3;

/** Places and pays for an order from the account's wallet. See the file comment for the steps. */
export async function placeOrder(deps: PlacementDeps, accountId: number, input: PlaceOrderInput, actor: string): Promise<PlacedOrder> {
  // Before the hash sorts them: sorting is only cheap for the few fields a product can declare.
  if (input.fields && Object.keys(input.fields).length > MAX_CHECKOUT_FIELDS) {
    throw new ValidationFailed(`An order carries at most ${MAX_CHECKOUT_FIELDS} checkout fields.`, [{ field: 'fields', message: `at most ${MAX_CHECKOUT_FIELDS} fields` }]);
  }
  const hash = requestHash(input);
  if (input.clientOrderId !== undefined && !/^[\x21-\x7e]{1,120}$/.test(input.clientOrderId)) {
    throw new ValidationFailed('client_order_id must be 1 to 120 printable ASCII characters.', [{ field: 'client_order_id', message: '1 to 120 printable ASCII characters' }]);
  }
  checkWhenOutOfStock(input);
  try {
    if (input.callbackUrl !== undefined) await checkCallbackUrl(input.callbackUrl, deps.allowPrivate === true);
    let reads = deps.placement.reads;
    for (let attempt = 1; ; attempt++) {
      let planned: PlannedOrder;
      try {
        planned = await planOrder(deps.db, deps, reads, accountId, input, hash, actor);
      } catch (error) {
        // Refused on what the cache said: ask the database before answering.
        if (!(error instanceof DomainError) || !reads.cached) throw error;
        reads = reads.fresh();
        planned = await planOrder(deps.db, deps, reads, accountId, input, hash, actor);
      }
      let outcome = await deps.placement.submit(planned.plan);
      // Apart from the batch, and only after it found the stock short: the normal path pays nothing for it.
      const short = outcome.kind === 'out_of_stock' && waitsForStock(input, planned) ? outcome : undefined;
      if (short) outcome = await placeWaitingOrder(deps.db, planned.plan);
      switch (outcome.kind) {
        case 'placed': {
          if (short) {
            const { order } = planned.plan;
            deps.log?.('order waits for stock', { order: order.number, product: planned.product.code, quantity: order.quantity, available: short.available });
            return { order: await loadOrderDetail(deps.db, deps.vault, order.id), replayed: false };
          }
          const moved = await planned.fulfillment.afterPlacement({ db: deps.db }, planned.plan.order);
          if (moved === true) return { order: await loadOrderDetail(deps.db, deps.vault, planned.plan.order.id), replayed: false };
          // Delivered meanwhile (bought upstream): answered from what the delivery wrote.
          if (moved) return { order: withDelivery(placedDetail(planned, outcome.items, deps.vault), moved), replayed: false };
          return { order: placedDetail(planned, outcome.items, deps.vault), replayed: false };
        }
        case 'duplicate':
          // Answered below from the order that holds this client_order_id or Idempotency-Key.
          throw new Conflict(
            input.clientOrderId !== undefined ? `An order with client_order_id "${input.clientOrderId}" already exists.` : `An order with Idempotency-Key "${input.idempotencyKey}" already exists.`,
            input.clientOrderId !== undefined ? 'client_order_id' : 'idempotency_key',
          );
        case 'stale':
          reads = deps.placement.reads.fresh();
          if (attempt < PRICING_ATTEMPTS) continue;
          throw new DomainError('product_changed', 409, `${planned.product.code} changed while the order was being placed; try again.`);
        case 'out_of_stock':
          throw new OutOfStock(planned.product.code, planned.plan.order.quantity, outcome.available);
        case 'insufficient_balance': {
          const charged = planned.plan.debit?.amountMinor ?? 0;
          throw new InsufficientBalance(formatMinor(charged, outcome.currency), formatMinor(outcome.available, outcome.currency), outcome.currency);
        }
        case 'coupon_exhausted':
          throw new CouponExhausted(planned.plan.coupon?.code ?? String(input.couponCode), outcome.perCustomer);
        case 'failed':
          throw outcome.error;
      }
    }
  } catch (error) {
    // A retry of an order placed before gets the original order, whatever has changed since
    // (stock, balance, the product itself); the same id with a different body is 422.
    if (input.clientOrderId !== undefined || input.idempotencyKey !== undefined) {
      const replay = await findReplay(deps.db, accountId, input, hash);
      if (replay) return { order: await loadOrderDetail(deps.db, deps.vault, replay), replayed: true };
    }
    throw error;
  }
}

/** The order as placed, built from what was written rather than read back. */
function placedDetail({ plan, product, fields }: PlannedOrder, items: AllocatedItem[], vault: CodeVault): OrderDetail {
  const { order } = plan;
  return {
    ...order,
    product: { id: product.id, code: product.code, name: product.name.en ?? product.code },
    buyer: { name: order.buyer_name, email: order.buyer_email },
    coupon_code: plan.coupon?.code ?? null,
    fields,
    items: order.status === 'fulfilled' ? items.map((item) => ({ id: item.id, code: vault.open(item.code_enc) })) : [],
    events: plan.events,
    risk: riskOf(order),
  };
}

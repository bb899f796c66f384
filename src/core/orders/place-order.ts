// Placing an order: resolve the product, check the quantity and checkout fields, price it (tier,
// FX), check the buyer's price guard, then write it as one transaction that claims the goods,
// debits the wallet and inserts the order with its events (placement-batch.ts), re-checking
// there that the product is still as it was priced. Any failure writes nothing.
import { createHash, randomInt } from 'node:crypto';
import { queryTemplate, sqliteHandleOf, type Db, type Dialect } from '../../db/index.js';
import { findProduct, tieredPrice, type CheckoutField, type Product } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { Conflict, DomainError, IdempotencyKeyReused, InsufficientBalance, ItemNotFound, NotFound, OutOfStock, PriceAboveLimit, ValidationFailed, WalletDisabled, type FieldProblem } from '../errors.js';
import { fulfillmentFor } from '../fulfillment/index.js';
import type { AllocatedItem, CodeVault } from '../inventory/index.js';
import { formatMinor, parseMinor } from '../money.js';
import { convertMinor, ensureWallet, findFxRate } from '../wallets/index.js';
import { newUlid } from '../ids.js';
import { loadOrderDetail, type OrderDetail, type OrderEvent } from './read-orders.js';
import type { OrderStatus } from './status.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import { PlacementQueue, type OrderRow, type PlacementPlan } from './placement-batch.js';
import { sqlitePlacementWriter } from './placement-sqlite.js';
import { postgresPlacementWriter } from './placement-postgres.js';

export interface PlaceOrderInput {
  /** Product id, code or slug. */
  product: string | number;
  quantity?: number;
  clientOrderId?: string;
  fields?: Record<string, string>;
  buyer?: { name?: string; email?: string };
  deliveryChannel?: 'api' | 'email';
  callbackUrl?: string;
  /** Decimal, in the currency the wallet is charged in. */
  maxUnitPrice?: string | number;
  channel?: 'api' | 'partner' | 'shop';
  /** Paid now from the wallet (default), or later: the goods are held until `holdSeconds` pass. */
  payment?: { kind: 'wallet' } | { kind: 'deferred'; holdSeconds: number };
}

export interface OrderDeps {
  db: Db;
  dialect: Dialect;
  vault: CodeVault;
}

export interface PlacedOrder {
  order: OrderDetail;
  /** True when this was a retry of an order placed before (same client_order_id and body). */
  replayed: boolean;
}

const MAX_FIELDS = 20;
const MAX_FIELD_LENGTH = 500;

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
  return createHash('sha256').update(canonical).digest('hex');
}

const NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A human order number: SK-XXXX-XXXX-XXXX, 60 random bits. */
function orderNumber(): string {
  const chars = Array.from({ length: 12 }, () => NUMBER_ALPHABET[randomInt(32)]).join('');
  return `SK-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

function checkFields(declared: CheckoutField[], given: Record<string, string>, problems: FieldProblem[]): Record<string, string> {
  const entries = Object.entries(given);
  if (entries.length > MAX_FIELDS) problems.push({ field: 'fields', message: `at most ${MAX_FIELDS} fields` });
  const out: Record<string, string> = {};
  for (const [name, value] of entries.slice(0, MAX_FIELDS)) {
    if (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH) problems.push({ field: `fields.${name}`, message: `must be text of at most ${MAX_FIELD_LENGTH} characters` });
    else out[name] = value.trim();
  }
  for (const field of declared) {
    const value = out[field.name];
    if (!value) {
      if (field.required) problems.push({ field: `fields.${field.name}`, message: `is required for this product (${field.label.en ?? field.name})` });
      continue;
    }
    if (value.length > field.max_length) problems.push({ field: `fields.${field.name}`, message: `must be at most ${field.max_length} characters` });
    else if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(value)) problems.push({ field: `fields.${field.name}`, message: 'is not in the expected format' });
  }
  return out;
}

interface Pricing {
  unitMinor: number;
  totalMinor: number;
  chargedMinor: number;
  chargedCurrency: string;
  fxRate: string | null;
}

/** What placement needs to know about the buyer, read in one query. */
interface Buyer {
  currency: string;
  discountBp: number;
  walletId: number | null;
  walletCheckout: boolean;
}

const selectBuyer = queryTemplate(['accountId', 'setting'], (db, p) =>
  db
    .selectFrom('accounts as a')
    .select((eb) => [
      'a.currency',
      eb.selectFrom('price_tiers').select('discount_bp').whereRef('price_tiers.name', '=', 'a.tier').as('discount_bp'),
      eb.selectFrom('wallets').select('wallets.id').whereRef('wallets.account_id', '=', 'a.id').whereRef('wallets.currency', '=', 'a.currency').as('wallet_id'),
      eb.selectFrom('settings').select('value').where('key', '=', p.setting).as('wallet_checkout'),
    ])
    .where('a.id', '=', p.accountId),
);

async function loadBuyer(tx: Db, accountId: number): Promise<Buyer> {
  const [row] = await selectBuyer.run(tx, { accountId, setting: WALLET_CHECKOUT_SETTING });
  if (!row) throw new ItemNotFound(`account ${accountId}`);
  return { currency: row.currency, discountBp: row.discount_bp ?? 0, walletId: row.wallet_id ?? null, walletCheckout: row.wallet_checkout !== 'off' };
}

async function priceOrder(tx: Db, product: Product, quantity: number, buyer: Buyer): Promise<Pricing> {
  const unitMinor = tieredPrice(product.price_minor, buyer.discountBp);
  const totalMinor = unitMinor * quantity;
  if (buyer.currency === product.currency) return { unitMinor, totalMinor, chargedMinor: totalMinor, chargedCurrency: product.currency, fxRate: null };
  const rate = await findFxRate(tx, product.currency, buyer.currency).catch((error: unknown) => {
    if (!(error instanceof NotFound)) throw error;
    throw new DomainError('currency_unavailable', 409, `This shop has no exchange rate from ${product.currency} to your currency ${buyer.currency}; ask the shop to set one.`);
  });
  return { unitMinor, totalMinor, chargedMinor: convertMinor(totalMinor, product.currency, buyer.currency, rate), chargedCurrency: buyer.currency, fxRate: rate };
}

const selectByClientOrderId = queryTemplate(['accountId', 'clientOrderId'], (db, p) =>
  db.selectFrom('orders').select(['id', 'request_hash']).where('account_id', '=', p.accountId).where('client_order_id', '=', p.clientOrderId),
);

async function findReplay(db: Db, accountId: number, clientOrderId: string, hash: string): Promise<string | undefined> {
  const [existing] = await selectByClientOrderId.run(db, { accountId, clientOrderId });
  if (!existing) return undefined;
  if (existing.request_hash !== hash) throw new IdempotencyKeyReused(`client_order_id "${clientOrderId}"`);
  return existing.id;
}

/** One queue per database: every placement of this process goes through it (group commit). */
const queues = new WeakMap<Db, PlacementQueue>();

function placementQueue(deps: OrderDeps): PlacementQueue {
  let queue = queues.get(deps.db);
  if (!queue) {
    const sqlite = sqliteHandleOf(deps.db);
    if (deps.dialect === 'sqlite' && !sqlite) throw new Error('no SQLite handle behind this database');
    queue = new PlacementQueue(sqlite ? sqlitePlacementWriter(deps.db, sqlite) : postgresPlacementWriter(deps.db));
    queues.set(deps.db, queue);
  }
  return queue;
}

/** A product that keeps changing under an order is tried this many times before giving up. */
const PRICING_ATTEMPTS = 3;

/** Places and pays for an order from the account's wallet. See the file comment for the steps. */
export async function placeOrder(deps: OrderDeps, accountId: number, input: PlaceOrderInput, actor: string): Promise<PlacedOrder> {
  const hash = requestHash(input);
  if (input.clientOrderId !== undefined && !/^[\x21-\x7e]{1,120}$/.test(input.clientOrderId)) {
    throw new ValidationFailed('client_order_id must be 1 to 120 printable ASCII characters.', [{ field: 'client_order_id', message: '1 to 120 printable ASCII characters' }]);
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const planned = await planOrder(deps.db, accountId, input, hash, actor);
      const outcome = await placementQueue(deps).submit(planned.plan);
      switch (outcome.kind) {
        case 'placed':
          return { order: placedDetail(planned, outcome.items, deps.vault), replayed: false };
        case 'duplicate':
          // Answered below from the order that holds this client_order_id.
          throw new Conflict(`An order with client_order_id "${input.clientOrderId}" already exists.`, 'client_order_id');
        case 'stale':
          if (attempt < PRICING_ATTEMPTS) continue;
          throw new DomainError('product_changed', 409, `${planned.product.code} changed while the order was being placed; try again.`);
        case 'out_of_stock':
          throw new OutOfStock(planned.product.code, planned.plan.order.quantity, outcome.available);
        case 'insufficient_balance': {
          const charged = planned.plan.debit?.amountMinor ?? 0;
          throw new InsufficientBalance(formatMinor(charged, outcome.currency), formatMinor(outcome.available, outcome.currency), outcome.currency);
        }
        case 'failed':
          throw outcome.error;
      }
    }
  } catch (error) {
    // A retry of an order placed before gets the original order, whatever has changed since
    // (stock, balance, the product itself); the same id with a different body is 422.
    if (input.clientOrderId !== undefined) {
      const replay = await findReplay(deps.db, accountId, input.clientOrderId, hash);
      if (replay) return { order: await loadOrderDetail(deps.db, deps.vault, replay), replayed: true };
    }
    throw error;
  }
}

interface PlannedOrder {
  plan: PlacementPlan;
  product: Product;
  fields: Record<string, string>;
}

/** Reads and checks everything an order needs and prices it: the plan of what to write. */
async function planOrder(db: Db, accountId: number, input: PlaceOrderInput, hash: string, actor: string): Promise<PlannedOrder> {
  const [product, buyer] = await Promise.all([findProduct(db, input.product), loadBuyer(db, accountId)]);
  if (product.status !== 'active') throw new ItemNotFound(String(input.product));
  const strategy = fulfillmentFor(product.fulfillment);
  if (!strategy) throw new DomainError('fulfillment_unavailable', 503, `${product.code} cannot be fulfilled right now; try again later.`);

  const problems: FieldProblem[] = [];
  const quantity = input.quantity ?? product.min_quantity;
  if (!Number.isInteger(quantity) || quantity < product.min_quantity || quantity > product.max_quantity) {
    problems.push({ field: 'quantity', message: `must be a whole number from ${product.min_quantity} to ${product.max_quantity} for ${product.code}` });
  }
  const fields = checkFields(product.fields, input.fields ?? {}, problems);
  if (input.deliveryChannel === 'email' && !input.buyer?.email) problems.push({ field: 'buyer.email', message: 'is required for e-mail delivery' });
  if (problems.length) throw new ValidationFailed(`The order is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems);

  const deferred = input.payment?.kind === 'deferred' ? input.payment : undefined;
  if (!deferred && !buyer.walletCheckout) throw new WalletDisabled();
  const price = await priceOrder(db, product, quantity, buyer);
  if (input.maxUnitPrice !== undefined) {
    const limit = parseMinor(input.maxUnitPrice, price.chargedCurrency);
    if (limit === undefined) throw new ValidationFailed('max_unit_price is not a valid amount.', [{ field: 'max_unit_price', message: `a decimal amount in ${price.chargedCurrency}` }]);
    const chargedUnit = Math.ceil(price.chargedMinor / quantity);
    if (chargedUnit > limit) throw new PriceAboveLimit(formatMinor(chargedUnit, price.chargedCurrency), formatMinor(limit, price.chargedCurrency), price.chargedCurrency);
  }

  const orderId = newUlid();
  const now = nowIso();
  const holdUntil = deferred ? new Date(Date.now() + deferred.holdSeconds * 1000).toISOString() : null;
  const walletId = buyer.walletId ?? (await ensureWallet(db, accountId, price.chargedCurrency)).id;
  const events: OrderEvent[] = deferred
    ? [{ from: null, to: 'awaiting_payment', reason: `placed; goods held until ${holdUntil}`, actor, at: now }]
    : [
        { from: null, to: 'queued', reason: 'placed', actor, at: now },
        { from: 'queued', to: strategy.statusWhenPaid, reason: strategy.statusWhenPaid === 'fulfilled' ? 'delivered from stock' : 'waiting for fulfilment', actor, at: now },
      ];
  const order: OrderRow = {
    id: orderId,
    number: orderNumber(),
    account_id: accountId,
    channel: input.channel ?? 'api',
    client_order_id: input.clientOrderId ?? null,
    request_hash: hash,
    product_id: product.id,
    quantity,
    unit_price_minor: price.unitMinor,
    currency: product.currency,
    total_minor: price.totalMinor,
    charged_minor: price.chargedMinor,
    charged_currency: price.chargedCurrency,
    fx_rate: price.fxRate,
    // Already the final status: if any later step fails, the whole order goes.
    status: events.at(-1)!.to,
    payment_status: deferred ? 'pending' : 'paid',
    fulfillment: product.fulfillment,
    wallet_id: walletId,
    buyer_name: input.buyer?.name ?? null,
    buyer_email: input.buyer?.email ?? null,
    delivery_channel: input.deliveryChannel ?? 'api',
    callback_url: input.callbackUrl ?? null,
    fields: JSON.stringify(fields),
    reason: null,
    expires_at: holdUntil,
    created_at: now,
    updated_at: now,
  };
  const claim = !strategy.claimsStockAtPlacement ? 'none' : product.stock_mode === 'shared' ? 'shared' : deferred ? 'hold' : 'sell';
  const plan: PlacementPlan = {
    order,
    priced: { priceMinor: product.price_minor, currency: product.currency, fulfillment: product.fulfillment, stockMode: product.stock_mode },
    claim,
    debit: !deferred && price.chargedMinor > 0 ? { walletId, amountMinor: price.chargedMinor } : null,
    events,
    actor,
  };
  return { plan, product, fields };
}

/** The order as placed, built from what was written rather than read back. */
function placedDetail({ plan, product, fields }: PlannedOrder, items: AllocatedItem[], vault: CodeVault): OrderDetail {
  const { order } = plan;
  const status = order.status as OrderStatus;
  return {
    ...order,
    status,
    product: { id: product.id, code: product.code, name: product.name.en ?? product.code },
    buyer: { name: order.buyer_name, email: order.buyer_email },
    fields,
    items: status === 'fulfilled' ? items.map((item) => ({ id: item.id, code: vault.open(item.code_enc) })) : [],
    events: plan.events,
  };
}

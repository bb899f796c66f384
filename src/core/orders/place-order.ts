// Placing an order is one transaction: resolve the product, check the quantity and checkout
// fields, price it (tier, FX), check the buyer's price guard, claim the goods, debit the wallet,
// and write the order with its events. Any failure rolls all of it back.
import { createHash, randomInt } from 'node:crypto';
import { ulid } from 'ulid';
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import { findProduct, tieredPrice, type CheckoutField, type Product } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { DomainError, IdempotencyKeyReused, ItemNotFound, NotFound, PriceAboveLimit, ValidationFailed, WalletDisabled, type FieldProblem } from '../errors.js';
import { insertOutboxEvents, orderPlacedEvents, wakeDispatchers } from '../events/index.js';
import { fulfillmentFor } from '../fulfillment/index.js';
import type { CodeVault } from '../inventory/index.js';
import { formatMinor, parseMinor } from '../money.js';
import { convertMinor, debitWallet, ensureWallet, findFxRate } from '../wallets/index.js';
import { isUniqueViolation } from './unique-violation.js';
import { loadOrderDetail, type OrderDetail, type OrderEvent } from './read-orders.js';
import type { OrderStatus } from './status.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';

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

/** Places and pays for an order from the account's wallet. See the file comment for the steps. */
export async function placeOrder(deps: OrderDeps, accountId: number, input: PlaceOrderInput, actor: string): Promise<PlacedOrder> {
  const hash = requestHash(input);
  if (input.clientOrderId !== undefined && !/^[\x21-\x7e]{1,120}$/.test(input.clientOrderId)) {
    throw new ValidationFailed('client_order_id must be 1 to 120 printable ASCII characters.', [{ field: 'client_order_id', message: '1 to 120 printable ASCII characters' }]);
  }
  let placed: OrderDetail | { replayOf: string };
  try {
    placed = await deps.db.transaction().execute(async (tx) => {
      if (input.clientOrderId) {
        const replay = await findReplay(tx, accountId, input.clientOrderId, hash);
        if (replay) return { replayOf: replay };
      }
      return placeInTransaction(tx, deps, accountId, input, hash, actor);
    });
  } catch (error) {
    // A concurrent request with the same client_order_id committed first: answer with its order.
    const replay = input.clientOrderId && isUniqueViolation(error, 'client_order_id') ? await findReplay(deps.db, accountId, input.clientOrderId, hash) : undefined;
    if (!replay) throw error;
    placed = { replayOf: replay };
  }
  if ('replayOf' in placed) return { order: await loadOrderDetail(deps.db, deps.vault, placed.replayOf), replayed: true };
  // Events and webhooks: the order's events committed; wake the dispatchers (no wait, no round trip awaited).
  wakeDispatchers(deps.db);
  return { order: placed, replayed: false };
}

const ORDER_COLUMNS = [
  'id', 'number', 'account_id', 'channel', 'client_order_id', 'request_hash', 'product_id', 'quantity', 'unit_price_minor', 'currency',
  'total_minor', 'charged_minor', 'charged_currency', 'fx_rate', 'status', 'payment_status', 'fulfillment', 'wallet_id', 'buyer_name',
  'buyer_email', 'delivery_channel', 'callback_url', 'fields', 'reason', 'expires_at', 'created_at', 'updated_at',
] as const;
const insertOrder = queryTemplate(ORDER_COLUMNS, (db, p) => db.insertInto('orders').values(p));
const insertOneEvent = queryTemplate(['orderId', 'to', 'reason', 'actor', 'at'], (db, p) =>
  db.insertInto('order_events').values({ order_id: p.orderId, from_status: null, to_status: p.to, reason: p.reason, actor: p.actor, created_at: p.at }),
);
// A wallet-paid order's two events: placed (null → queued), then where it goes (queued → …).
const insertTwoEvents = queryTemplate(['orderId', 'firstTo', 'firstReason', 'to', 'reason', 'actor', 'at'], (db, p) =>
  db.insertInto('order_events').values([
    { order_id: p.orderId, from_status: null, to_status: p.firstTo, reason: p.firstReason, actor: p.actor, created_at: p.at },
    { order_id: p.orderId, from_status: p.firstTo, to_status: p.to, reason: p.reason, actor: p.actor, created_at: p.at },
  ]),
);

/**
 * The transaction's steps, ordered so that rows every order shares (the buyer's wallet, the
 * product's stock counter) are written last and their locks held only until the commit.
 * Returns the order as placed, built from what was written rather than read back.
 */
async function placeInTransaction(tx: Db, deps: OrderDeps, accountId: number, input: PlaceOrderInput, hash: string, actor: string): Promise<OrderDetail> {
  const product = await findProduct(tx, input.product);
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
  const buyer = await loadBuyer(tx, accountId);
  if (!deferred && !buyer.walletCheckout) throw new WalletDisabled();
  const price = await priceOrder(tx, product, quantity, buyer);
  if (input.maxUnitPrice !== undefined) {
    const limit = parseMinor(input.maxUnitPrice, price.chargedCurrency);
    if (limit === undefined) throw new ValidationFailed('max_unit_price is not a valid amount.', [{ field: 'max_unit_price', message: `a decimal amount in ${price.chargedCurrency}` }]);
    const chargedUnit = Math.ceil(price.chargedMinor / quantity);
    if (chargedUnit > limit) throw new PriceAboveLimit(formatMinor(chargedUnit, price.chargedCurrency), formatMinor(limit, price.chargedCurrency), price.chargedCurrency);
  }

  const orderId = ulid();
  const now = nowIso();
  const holdUntil = deferred ? new Date(Date.now() + deferred.holdSeconds * 1000).toISOString() : null;
  const walletId = buyer.walletId ?? (await ensureWallet(tx, accountId, price.chargedCurrency)).id;
  const events: OrderEvent[] = deferred
    ? [{ from: null, to: 'awaiting_payment', reason: `placed; goods held until ${holdUntil}`, actor, at: now }]
    : [
        { from: null, to: 'queued', reason: 'placed', actor, at: now },
        { from: 'queued', to: strategy.statusWhenPaid, reason: strategy.statusWhenPaid === 'fulfilled' ? 'delivered from stock' : 'waiting for fulfilment', actor, at: now },
      ];
  const status = events.at(-1)!.to as OrderStatus;
  const order = {
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
    status,
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
  // The order row goes first: with a client_order_id, a concurrent duplicate stops here. Its
  // status is already the final one; if any later step fails, the whole transaction goes.
  await insertOrder.run(tx, order);
  const target = { id: product.id, code: product.code, stock_mode: product.stock_mode };
  const outcome = await strategy.fulfilAtPlacement({ tx, dialect: deps.dialect, orderId, product: target, quantity, ...(holdUntil ? { holdUntil } : {}) });
  if (events.length === 2) await insertTwoEvents.run(tx, { orderId, firstTo: events[0]!.to, firstReason: events[0]!.reason, to: events[1]!.to, reason: events[1]!.reason, actor, at: now });
  else await insertOneEvent.run(tx, { orderId, to: events[0]!.to, reason: events[0]!.reason, actor, at: now });
  // Events and webhooks: the order's outbox rows (order.created, order.fulfilled), in this transaction.
  await insertOutboxEvents(tx, orderPlacedEvents(order));
  if (!deferred && price.chargedMinor > 0) await debitWallet(tx, walletId, price.chargedMinor, { kind: 'order', reference: `order:${orderId}`, actor });
  await outcome.settle();

  return {
    ...order,
    status,
    product: { id: product.id, code: product.code, name: product.name.en ?? product.code },
    buyer: { name: order.buyer_name, email: order.buyer_email },
    fields,
    items: status === 'fulfilled' ? outcome.items.map((item) => ({ id: item.id, code: deps.vault.open(item.code_enc) })) : [],
    events,
  };
}

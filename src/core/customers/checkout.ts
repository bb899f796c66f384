// A shop order (seed 004's POST /api/orders): the shop's own rules on top of placement. The
// product is named by its id only, the quantity stays within min_quantity..200 and the stock,
// crypto needs a coin (any other method ignores one), and the payment method must be open. Orders
// are priced in the shop's currency (the unit price GET /api/products shows); balance methods
// charge the customer's wallet in it or the USD one through placeOrder; nothing is reserved before that.
import { findProduct, type Product } from '../catalog/index.js';
import { DomainError, InvalidCoupon, ItemNotFound, PaymentMethodUnavailable, Unauthorized, ValidationFailed, type FieldProblem } from '../errors.js';
import { rowIdOf } from '../ids.js';
import { countedStock } from '../inventory/index.js';
import { placeOrder, type PlacementDeps, type PlacedOrder } from '../orders/index.js';
import { walletCurrencies, isWalletMethod, openCryptoInvoice, paymentAvailability, type Coin, type CryptoSettings, type PaymentMethod } from '../payments/index.js';
import type { GatewayPayments, PaymentGateway } from '../payments/gateways/index.js';
import type { PaymentRequest } from '../payments/provider.js';
import { cancelOrder, loadOrderDetail } from '../orders/index.js';
import type { Customer } from './customers.js';

/** Seed 004: "Maximum 200 per order". */
export const SHOP_MAX_QUANTITY = 200;

export interface ShopOrderRequest {
  /** Souk's product id, as GET /api/products gives it. */
  productId: string;
  quantity: number;
  contactEmail: string;
  paymentMethod: PaymentMethod;
  /** Required with crypto; any other method ignores it. */
  coin?: Coin;
  couponCode?: string;
  /** The IP the request came from: the risk review's per-IP velocity (core/risk). */
  clientIp?: string;
}

function invalid(problem: FieldProblem): never {
  throw new ValidationFailed(`The order is not valid: ${problem.field} ${problem.message}.`, [problem]);
}

async function orderedProduct(deps: PlacementDeps, reference: string): Promise<Product> {
  if (!/^[0-9]{1,15}$/.test(reference)) {
    invalid({ field: 'productId', message: `must be the product id from GET /api/products (digits such as "12"), not the slug or code; "${reference.slice(0, 60)}" is not an id` });
  }
  const id = rowIdOf(reference);
  if (id === undefined) throw new ItemNotFound(reference);
  const product = await findProduct(deps.db, id);
  // findProduct also reads codes and slugs; a product whose code happens to be these digits is not it.
  if (product.id !== id || product.status !== 'active') throw new ItemNotFound(reference);
  return product;
}

function checkQuantity(product: Product, quantity: number): void {
  const max = Math.min(SHOP_MAX_QUANTITY, product.max_quantity);
  if (!Number.isSafeInteger(quantity) || quantity < product.min_quantity || quantity > max) {
    invalid({ field: 'quantity', message: `must be a whole number from ${product.min_quantity} to ${max} for this product` });
  }
  const stock = countedStock(product);
  if (stock !== undefined && quantity > stock) {
    invalid({ field: 'quantity', message: `cannot exceed the stock: ${stock} left` });
  }
}

/**
 * Places a shop order for `customer` (null when no customer token came with it), priced in
 * `shopCurrency` exactly as GET /api/products shows it. Every check runs before anything is
 * written; a refused order reserves nothing.
 */
export async function placeShopOrder(
  deps: PlacementDeps,
  customer: Customer | null,
  request: ShopOrderRequest,
  shopCurrency: string,
  idempotencyKey: string | null = null,
  crypto: CryptoSettings = { rateMaxAgeSeconds: 900, holdSeconds: 1800 },
  gateways?: GatewayPayments,
): Promise<PlacedOrder> {
  const method = request.paymentMethod;
  // Seed 004: coin is "required only when paymentMethod=crypto"; a client that sends one anyway still buys.
  const coin = method === 'crypto' ? request.coin : undefined;
  if (method === 'crypto' && coin === undefined) invalid({ field: 'coin', message: 'is required when paymentMethod is crypto' });
  const product = await orderedProduct(deps, request.productId);
  checkQuantity(product, request.quantity);

  const [availability, ownCoins] = await Promise.all([paymentAvailability(deps.db, crypto, await gateways?.offered()), paymentAvailability(deps.db, crypto)]);
  if (!availability.methods[method] || (coin !== undefined && !availability.coins[coin])) {
    throw new PaymentMethodUnavailable(coin ? `${method} (${coin})` : method);
  }
  // The shop's own address first (no third party), else the gateway that takes the coin.
  if (coin !== undefined && ownCoins.coins[coin]) return placeCryptoOrder(deps, customer, product, { ...request, coin }, shopCurrency, idempotencyKey, crypto);
  if (!isWalletMethod(method)) {
    const gateway = gateways?.gatewayFor(method, coin);
    if (!gateway || !gateways) throw new PaymentMethodUnavailable(coin ? `${method} (${coin})` : method);
    return placeGatewayOrder(deps, gateways, gateway, customer, product, request, shopCurrency, idempotencyKey);
  }
  if (!customer) throw new Unauthorized(`Paying by ${method} needs the customer's token: log in (POST /api/auth/login) and send Authorization: Bearer USER_TOKEN.`);

  const placed = await placeOrder(
    deps,
    customer.accountId,
    {
      product: product.id,
      quantity: request.quantity,
      buyer: { email: request.contactEmail.trim() },
      channel: 'shop',
      payment: { kind: 'wallet', currency: walletCurrencies(shopCurrency)[method] },
      priceIn: shopCurrency,
      couponCode: request.couponCode,
      idempotencyKey: idempotencyKey ?? undefined,
      clientIp: request.clientIp,
    },
    `customer:${customer.customerId}`,
  ).catch(renameCouponField);
  return placed;
}

/** A coupon refusal names the field as this profile's clients send it (`couponCode`). */
function renameCouponField(error: unknown): never {
  if (error instanceof InvalidCoupon) throw new DomainError(error.code, error.status, error.message, { fields: [{ field: 'couponCode', message: error.message }] });
  throw error;
}

/** The account shop orders without a customer token are booked to (created by migration 0016). */
async function shopGuestAccount(deps: PlacementDeps): Promise<number> {
  const row = await deps.db.selectFrom('settings').select('value').where('key', '=', 'shop_guest_account').executeTakeFirst();
  if (!row) throw new Error('the shop guest account is missing (migration 0016)');
  return Number(row.value);
}

/** A placed order awaiting its payment, as the payment's opener sees it. */
type HeldOrder = { id: string; number: string; charged_minor: number; expires_at: string };

/**
 * An order paid later (own-address crypto, a gateway): written awaiting payment with its codes held
 * (the customer's when a token came, else the shop's guest account's), mailed its codes once paid,
 * then its payment is opened by `openPayment`. A payment that cannot be opened (a stale rate, every
 * amount taken, a gateway not answering) cancels the order, and its error is the answer.
 */
async function placeHeldOrder(
  deps: PlacementDeps,
  customer: Customer | null,
  product: Product,
  request: ShopOrderRequest,
  order: { shopCurrency: string; idempotencyKey: string | null; payment: PaymentRequest; why: string },
  openPayment: (placed: HeldOrder) => Promise<unknown>,
): Promise<PlacedOrder> {
  const accountId = customer?.accountId ?? (await shopGuestAccount(deps));
  const placed = await placeOrder(
    deps,
    accountId,
    {
      product: product.id,
      quantity: request.quantity,
      buyer: { email: request.contactEmail.trim() },
      channel: 'shop',
      deliveryChannel: 'email',
      payment: order.payment,
      priceIn: order.shopCurrency,
      couponCode: request.couponCode,
      // A key is the customer's: without a token there is no one to scope it to.
      idempotencyKey: customer ? (order.idempotencyKey ?? undefined) : undefined,
      clientIp: request.clientIp,
    },
    customer ? `customer:${customer.customerId}` : 'shop:guest',
  ).catch(renameCouponField);
  const held = placed.order;
  if (held.status !== 'awaiting_payment' || held.expires_at === null) return placed;
  try {
    await openPayment({ id: held.id, number: held.number, charged_minor: held.charged_minor, expires_at: held.expires_at });
  } catch (error) {
    await cancelOrder(deps, accountId, held.id, 'system:payments', order.why).catch(() => undefined);
    throw error;
  }
  return { order: await loadOrderDetail(deps.db, deps.vault, held.id), replayed: placed.replayed };
}

/** A crypto order to the shop's own address: priced in USD (as balance_crypto is), given its invoice with a unique amount. */
function placeCryptoOrder(deps: PlacementDeps, customer: Customer | null, product: Product, request: ShopOrderRequest & { coin: Coin }, shopCurrency: string, idempotencyKey: string | null, crypto: CryptoSettings): Promise<PlacedOrder> {
  const payment: PaymentRequest = { kind: 'crypto', coin: request.coin, holdSeconds: crypto.holdSeconds };
  return placeHeldOrder(deps, customer, product, request, { shopCurrency, idempotencyKey, payment, why: 'no crypto invoice could be opened' }, (held) =>
    openCryptoInvoice(deps.db, crypto, { orderId: held.id, coin: request.coin, usdCents: held.charged_minor, expiresAt: held.expires_at }),
  );
}

/** An order paid through a gateway (Alipay, WeChat Pay, BTCPay): in the gateway's currency, its charge opened there (503 payment_unavailable when it cannot be). */
function placeGatewayOrder(deps: PlacementDeps, gateways: GatewayPayments, gateway: PaymentGateway, customer: Customer | null, product: Product, request: ShopOrderRequest, shopCurrency: string, idempotencyKey: string | null): Promise<PlacedOrder> {
  const coin = gateway.method === 'crypto' ? request.coin : undefined;
  const payment: PaymentRequest = { kind: gateway.name, holdSeconds: gateways.ctx.settings.holdSeconds, ...(coin ? { coin } : {}) };
  return placeHeldOrder(deps, customer, product, request, { shopCurrency, idempotencyKey, payment, why: `${gateway.name} could not open the payment` }, (held) => gateways.openOrderCharge(gateway, held, coin));
}

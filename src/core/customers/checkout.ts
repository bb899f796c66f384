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
import { walletCurrencies, isWalletMethod, paymentAvailability, type Coin, type PaymentMethod } from '../payments/index.js';
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
): Promise<PlacedOrder> {
  const method = request.paymentMethod;
  // Seed 004: coin is "required only when paymentMethod=crypto"; a client that sends one anyway still buys.
  const coin = method === 'crypto' ? request.coin : undefined;
  if (method === 'crypto' && coin === undefined) invalid({ field: 'coin', message: 'is required when paymentMethod is crypto' });
  const product = await orderedProduct(deps, request.productId);
  checkQuantity(product, request.quantity);

  const availability = await paymentAvailability(deps.db);
  if (!availability.methods[method] || (coin !== undefined && !availability.coins[coin])) {
    throw new PaymentMethodUnavailable(coin ? `${method} (${coin})` : method);
  }
  // An open provider method would hand over to its provider here; none is built yet.
  if (!isWalletMethod(method)) throw new PaymentMethodUnavailable(method);
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
    },
    `customer:${customer.customerId}`,
  ).catch((error: unknown) => {
    // Name the field as this profile's clients send it.
    if (error instanceof InvalidCoupon) throw new DomainError(error.code, error.status, error.message, { fields: [{ field: 'couponCode', message: error.message }] });
    throw error;
  });
  return placed;
}

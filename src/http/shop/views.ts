// How the shop profile (seed 004) shows things: `success` flags, products with name_zh/name_en and
// one decimal unit price in the shop's currency, and orders in the shop's status words. Money is a decimal number in the
// stated currency, times UTC to the second.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Product } from '../../core/catalog/index.js';
import type { OrderDetail, OrderStatus } from '../../core/orders/index.js';
import type { ShopOrderStatus } from '../../core/customers/index.js';
import type { CryptoPaymentView } from '../../core/payments/index.js';
import type { GatewayPaymentView } from '../../core/payments/gateways/index.js';
import { minorToDecimal, type Money } from '../../core/money.js';
import { wireTime } from '../../core/clock.js';
import { WireTime } from '../schema-helpers.js';
import { ErrorSchema } from '../envelope.js';

/** `{ success: true, …fields }` */
export function successObject(fields: Record<string, TSchema>) {
  return Type.Object({ success: Type.Literal(true), ...fields });
}

/** The shared error envelope plus seed 004's `success: false`. */
export const ShopErrorSchema = Type.Object(
  { success: Type.Literal(false, { description: 'Seed 004 clients test this field.' }), ...ErrorSchema.properties },
  { $id: 'ShopError', title: 'ShopError', additionalProperties: true },
);

export function shopErrors(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'ShopError#' }]));
}

export const ShopProductSchema = Type.Object(
  {
    id: Type.String({ description: "The product id: send it as productId when ordering (not the slug)." }),
    slug: Type.String(),
    name_zh: Type.String({ description: 'Chinese name (the English one when there is none).' }),
    name_en: Type.String(),
    stock: Type.Integer({ description: 'Codes available now.' }),
    min_quantity: Type.Integer(),
    price: Type.Number({
      description:
        "Unit price, a decimal number in the shop's currency (CNY unless SOUK_SHOP_CURRENCY says otherwise): exactly what balance_cny charges per unit; " +
        'balance_crypto charges quantity × price converted to USD at the shop rate.',
    }),
  },
  { $id: 'ShopProduct', title: 'ShopProduct' },
);

/** `price`: the unit price in the shop's currency (shopUnitPrices). */
export function productView(product: Product, price: Money): Static<typeof ShopProductSchema> {
  return {
    id: String(product.id),
    slug: product.slug,
    name_zh: product.name.zh ?? product.name.en ?? product.code,
    name_en: product.name.en ?? product.code,
    stock: product.stock_available,
    min_quantity: product.min_quantity,
    price: minorToDecimal(price.minor, price.currency),
  };
}

/** Seed 004 says "completed"; the rest of its words follow from Souk's statuses. */
const ORDER_WORDS: Record<OrderStatus, string> = {
  awaiting_payment: 'pending',
  queued: 'processing',
  processing: 'processing',
  review: 'processing',
  fulfilled: 'completed',
  rejected: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
  refunded: 'refunded',
};
const PAYMENT_WORDS: Record<string, string> = { pending: 'unpaid', paid: 'paid', refunded: 'refunded' };
const FULFILMENT_WORDS: Record<OrderStatus, string> = {
  awaiting_payment: 'pending',
  queued: 'pending',
  processing: 'processing',
  review: 'processing',
  fulfilled: 'completed',
  refunded: 'completed',
  rejected: 'failed',
  cancelled: 'cancelled',
  expired: 'cancelled',
};

/** Where and how much to pay (seed 004: "a payment address and expected amount"; the checkout URL or QR code for Alipay and WeChat Pay). */
export const ShopPaymentSchema = Type.Object(
  {
    method: Type.Unsafe<'crypto' | 'alipay' | 'wechat'>({ type: 'string', enum: ['crypto', 'alipay', 'wechat'], description: 'How the order is paid.' }),
    provider: Type.Optional(Type.String({ description: 'The payment gateway: btcpay, alipay or wechat. Absent for crypto paid to the shop\'s own address.' })),
    coin: Type.Optional(Type.String({ description: 'Crypto: the coin asked for: trc20_usdt, erc20_usdt, bep20_usdt, btc, eth, trx or bnb.' })),
    address: Type.Optional(Type.String({ description: 'Crypto: the receiving address for the coin.' })),
    amount: Type.String({
      description:
        "Own-address crypto: exactly this much, a decimal string in the coin's units (the last decimals make it unique to this order, so send it to the unit). " +
        'Through a gateway: what the gateway charges, a decimal string in `currency`.',
    }),
    currency: Type.Optional(Type.String({ description: 'Through a gateway: the currency of `amount` (CNY for Alipay and WeChat Pay).' })),
    coinAmount: Type.Optional(Type.String({ description: 'BTCPay: the amount in the coin, as BTCPay asks it.' })),
    received: Type.Optional(Type.String({ description: "Own-address crypto: what has been credited so far, in the coin's units." })),
    status: Type.String({ description: 'open, partial (less than amount so far), paid, overpaid, expired or late (arrived after the order expired).' }),
    expiresAt: WireTime(),
    uri: Type.Optional(Type.String({ description: 'Crypto: a payment URI for wallets: BIP-21 `bitcoin:`, EIP-681 `ethereum:` (chain 1 or 56; a token transfer for USDT) or `tron:`.' })),
    checkoutUrl: Type.Optional(Type.String({ description: "A page to send the buyer to (BTCPay's checkout, Alipay's page pay)." })),
    qrCode: Type.Optional(Type.String({ description: 'What a QR code shows, for the buyer to scan (WeChat Pay `code_url`, Alipay `qr_code`).' })),
  },
  { $id: 'ShopPayment', title: 'ShopPayment' },
);
type ShopPaymentView = Static<typeof ShopPaymentSchema>;

/** How an order is paid, as the routes read it: the own-address invoice or the gateway charge. */
export type OrderPayment = CryptoPaymentView | GatewayPaymentView;

function paymentView(payment: OrderPayment | undefined): { payment?: ShopPaymentView } {
  return payment ? { payment: { ...payment, expiresAt: wireTime(payment.expiresAt) } } : {};
}

const StatusFields = {
  id: Type.String({ description: "Souk's order id." }),
  orderNo: Type.String({ description: 'The order number: with contactEmail, it finds the order (POST /api/orders/query).' }),
  status: Type.String({ description: 'pending, processing, completed, failed, cancelled, expired or refunded.' }),
  paymentStatus: Type.String({ description: 'unpaid, paid or refunded.' }),
  fulfillmentStatus: Type.String({ description: 'pending, processing, completed, failed or cancelled.' }),
  updatedAt: WireTime(),
  payment: Type.Optional(Type.Ref('ShopPayment', { description: 'Orders paid by crypto, Alipay or WeChat Pay: where and how much to pay, and what has arrived.' })),
};

export const ShopOrderStatusSchema = Type.Object(StatusFields, { $id: 'ShopOrderStatus', title: 'ShopOrderStatus' });

export const ShopOrderSchema = Type.Object(
  {
    ...StatusFields,
    productId: Type.String(),
    productName: Type.String(),
    quantity: Type.Integer(),
    amount: Type.Number({ description: 'What was charged, a decimal number in currency.' }),
    currency: Type.String({ description: "The shop's currency (CNY by default) for balance_cny, USD for balance_crypto." }),
    contactEmail: Type.Union([Type.String(), Type.Null()]),
    createdAt: WireTime(),
    items: Type.Array(Type.String(), { description: 'The delivered account credentials or codes, once the order is completed; empty before.' }),
  },
  { $id: 'ShopOrder', title: 'ShopOrder' },
);

function statusView(order: { id: string; number: string; status: OrderStatus; payment_status: string; updated_at: string }): Static<typeof ShopOrderStatusSchema> {
  return {
    id: order.id,
    orderNo: order.number,
    status: ORDER_WORDS[order.status],
    paymentStatus: PAYMENT_WORDS[order.payment_status] ?? order.payment_status,
    fulfillmentStatus: FULFILMENT_WORDS[order.status],
    updatedAt: wireTime(order.updated_at),
  };
}

export function orderStatusView(order: ShopOrderStatus, payment?: OrderPayment): Static<typeof ShopOrderStatusSchema> {
  return { ...statusView(order), ...paymentView(payment) };
}

export function orderView(order: OrderDetail, payment?: OrderPayment): Static<typeof ShopOrderSchema> {
  return {
    ...statusView(order),
    ...paymentView(payment),
    productId: String(order.product.id),
    productName: order.product.name,
    quantity: order.quantity,
    amount: minorToDecimal(order.charged_minor, order.charged_currency),
    currency: order.charged_currency,
    contactEmail: order.buyer.email,
    createdAt: wireTime(order.created_at),
    items: order.items.map((item) => item.code),
  };
}

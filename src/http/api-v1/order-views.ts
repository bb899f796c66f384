// How orders look on the canonical API: seed 003's order_id/status/amount/currency, plus the
// order in full with its delivered codes and timeline. Money as decimals, times UTC to the second (wireTime).
import { Type, type Static } from '@sinclair/typebox';
import type { OrderDetail, OrderSummary } from '../../core/orders/index.js';
import { minorToDecimal } from '../../core/money.js';
import { wireTime } from '../../core/clock.js';
import { WireTime } from '../schema-helpers.js';

const Money = (description: string) => Type.Number({ description });

export const OrderSchema = Type.Object(
  {
    order_id: Type.String({ description: "Souk's id for the order (a ULID)." }),
    number: Type.String({ description: 'Human order number.' }),
    client_order_id: Type.Union([Type.String(), Type.Null()]),
    status: Type.String({ description: 'awaiting_payment, queued, processing, review, fulfilled, rejected, cancelled, expired or refunded.' }),
    payment_status: Type.String({ description: 'pending, paid or refunded.' }),
    item_id: Type.Integer({ description: 'The product id.' }),
    product: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }),
    quantity: Type.Integer(),
    unit_price: Money('Unit price in price_currency, after any tier discount.'),
    subtotal: Money('unit_price × quantity in price_currency.'),
    discount: Money("Taken off the subtotal by the coupon, in price_currency; amount is what is left, in the wallet's currency."),
    coupon_code: Type.Union([Type.String(), Type.Null()]),
    price_currency: Type.String(),
    amount: Money('What the wallet was charged, in currency.'),
    currency: Type.String({ description: 'The currency the wallet was charged in.' }),
    fx_rate: Type.Union([Type.String(), Type.Null()], { description: 'price_currency → currency rate used, when they differ.' }),
    buyer: Type.Object({ name: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]) }),
    delivery_channel: Type.String(),
    callback_url: Type.Union([Type.String(), Type.Null()]),
    fields: Type.Record(Type.String(), Type.String()),
    reason: Type.Union([Type.String(), Type.Null()]),
    expires_at: Type.Union([WireTime(), Type.Null()]),
    items: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String() }), { description: 'The delivered codes, once fulfilled.' }),
    timeline: Type.Array(
      Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), actor: Type.String(), at: WireTime() }),
    ),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'Order', title: 'Order' },
);
export type OrderView = Static<typeof OrderSchema>;

export const OrderSummarySchema = Type.Object(
  {
    order_id: Type.String(),
    number: Type.String(),
    client_order_id: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    item_id: Type.Integer(),
    quantity: Type.Integer(),
    amount: Type.Number(),
    currency: Type.String(),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'OrderSummary', title: 'OrderSummary' },
);

export function orderView(order: OrderDetail): OrderView {
  return {
    order_id: order.id,
    number: order.number,
    client_order_id: order.client_order_id,
    status: order.status,
    payment_status: order.payment_status,
    item_id: order.product.id,
    product: order.product,
    quantity: order.quantity,
    unit_price: minorToDecimal(order.unit_price_minor, order.currency),
    subtotal: minorToDecimal(order.total_minor + order.discount_minor, order.currency),
    discount: minorToDecimal(order.discount_minor, order.currency),
    coupon_code: order.coupon_code,
    price_currency: order.currency,
    amount: minorToDecimal(order.charged_minor, order.charged_currency),
    currency: order.charged_currency,
    fx_rate: order.fx_rate,
    buyer: order.buyer,
    delivery_channel: order.delivery_channel,
    callback_url: order.callback_url,
    fields: order.fields,
    reason: order.reason,
    expires_at: wireTime(order.expires_at),
    items: order.items,
    timeline: order.events.map((event) => ({ ...event, at: wireTime(event.at) })),
    created_at: wireTime(order.created_at),
    updated_at: wireTime(order.updated_at),
  };
}

export function orderSummaryView(order: OrderSummary) {
  return {
    order_id: order.id,
    number: order.number,
    client_order_id: order.client_order_id,
    status: order.status,
    item_id: order.product_id,
    quantity: order.quantity,
    amount: minorToDecimal(order.charged_minor, order.charged_currency),
    currency: order.charged_currency,
    created_at: wireTime(order.created_at),
    updated_at: wireTime(order.updated_at),
  };
}

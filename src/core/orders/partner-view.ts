// How seed 000 (the partner API at /v1) shows an order. GET /v1/orders/{order_id} answers with it,
// and every webhook about an order placed on /v1 carries it (core/webhooks/render.ts): one function,
// so what a partner polls and what it is told cannot differ.
import { wireTime } from '../clock.js';
import { formatMinor } from '../money.js';
import { partnerStatusOf, type PartnerStatus } from './partner-lifecycle.js';
import type { OrderDetail, OrderItem } from './read-orders.js';

/** The channel of orders placed on /v1: their webhooks speak seed 000 too. */
export const PARTNER_CHANNEL = 'partner';

export interface PartnerOrderView {
  order_id: string;
  partner_order_id: string | null;
  number: string;
  status: PartnerStatus;
  internal_status: string;
  product_code: string;
  product_name: string;
  quantity: number;
  amount: string;
  currency: string;
  buyer: { name: string | null; email: string | null };
  delivery_channel: string;
  callback_url: string | null;
  reason: string | null;
  fulfillment: { delivered_items: OrderItem[]; fulfilled_at: string | null };
  created_at: string;
  updated_at: string;
}

/** The order in seed 000's words: `partner_order_id`, one of the four statuses, money as a decimal string, the codes once delivered. */
export function partnerOrderView(order: OrderDetail): PartnerOrderView {
  const fulfilled = order.events.findLast((e) => e.to === 'fulfilled');
  return {
    order_id: order.id,
    partner_order_id: order.client_order_id,
    number: order.number,
    status: partnerStatusOf(order),
    internal_status: order.status,
    product_code: order.product.code,
    product_name: order.product.name,
    quantity: order.quantity,
    amount: formatMinor(order.charged_minor, order.charged_currency),
    currency: order.charged_currency,
    buyer: order.buyer,
    delivery_channel: order.delivery_channel,
    callback_url: order.callback_url,
    reason: order.reason,
    fulfillment: { delivered_items: order.items, fulfilled_at: wireTime(fulfilled?.at ?? null) },
    created_at: wireTime(order.created_at),
    updated_at: wireTime(order.updated_at),
  };
}

/** The id of the API key that placed the order (its first event's actor, `key:<id>`); null when no key did. */
export function placingKeyId(order: OrderDetail): string | null {
  const actor = order.events.find((e) => e.from === null)?.actor ?? '';
  return actor.startsWith('key:') ? actor.slice('key:'.length) : null;
}

// What the API answers for each object, as the document shows it: a product in a list (variants
// only with extended=true) and in detail (options, variants, metadata); a category listed and
// viewed; an order listed (its products only with payload_type=default) and viewed.
import { ORDER_STATUSES, type ZidCategory, type ZidOrder, type ZidProduct } from './types.js';

export function productItem(product: ZidProduct, extended: boolean): Record<string, unknown> {
  const { options: _options, variants, metadata: _metadata, ...item } = structuredClone(product);
  return extended ? { ...item, variants } : item;
}

export function productDetail(product: ZidProduct): Record<string, unknown> {
  return structuredClone(product) as unknown as Record<string, unknown>;
}

export function categoryItem(category: ZidCategory, productsCount: number): Record<string, unknown> {
  return { id: category.id, name: category.name, slug: category.slug, parent_id: category.parent_id, products_count: productsCount };
}

export function categoryDetail(category: ZidCategory): Record<string, unknown> {
  return { id: category.id, name: category.name, slug: category.slug, description: category.description, parent_id: category.parent_id, image: category.image };
}

const orderStatus = (order: ZidOrder) => ({ code: order.status, name: ORDER_STATUSES[order.status] });

/** An order in the list; `products` only when asked with payload_type=default (Zid's quirk). */
export function orderItem(order: ZidOrder, withProducts: boolean): Record<string, unknown> {
  return {
    id: order.id,
    order_number: order.order_number,
    status: order.status,
    order_status: orderStatus(order),
    payment_status: order.payment_status,
    payment_method: order.payment_method,
    total: order.total,
    currency: order.currency,
    customer: { ...order.customer },
    ...(withProducts ? { products: structuredClone(order.products) } : {}),
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}

export function orderDetail(order: ZidOrder): Record<string, unknown> {
  return {
    id: order.id,
    order_number: order.order_number,
    status: order.status,
    order_status: orderStatus(order),
    payment_status: order.payment_status,
    payment_method: order.payment_method,
    total: order.total,
    currency: order.currency,
    customer: { ...order.customer },
    products: structuredClone(order.products),
    shipping: { ...order.shipping },
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}

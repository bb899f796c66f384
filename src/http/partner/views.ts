// How products and orders look on seed 000's partner profile: `product_code`, money as decimal
// strings with their currency, times UTC to the second, and the order lifecycle in the seed's four words.
// The order view itself is core's (partnerOrderView): webhooks about /v1 orders carry it too.
import { Type, type Static } from '@sinclair/typebox';
import { localizedText, type CatalogEntry } from '../../core/catalog/index.js';
import { formatMinor } from '../../core/money.js';
import { inStockFor } from '../../core/inventory/index.js';
import { PARTNER_STATUSES, type PartnerOrderView } from '../../core/orders/index.js';
import { WireTime } from '../schema-helpers.js';

const Decimal = (description: string) => Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const PartnerProductSchema = Type.Object(
  {
    product_code: Type.String({ description: 'Send it as `product_code` in POST /v1/orders.' }),
    name: Type.String({ description: 'English name.' }),
    category: Nullable(Type.String({ description: 'Category slug, as `category` filters by.' })),
    category_name: Nullable(Type.String()),
    price: Decimal('Unit price, a decimal string in `currency`.'),
    currency: Type.String({ description: 'ISO 4217 code.' }),
    in_stock: Type.Boolean({ description: 'Whether at least `min_quantity` can be ordered now.' }),
    stock_available: Type.Integer({ description: 'Codes in stock now (stock products; lags about a second).' }),
    min_quantity: Type.Integer(),
    max_quantity: Type.Integer(),
    fields: Type.Array(Type.Object({ name: Type.String(), required: Type.Boolean() }), { description: 'Checkout values the buyer must give (send them in `fields`).' }),
  },
  { $id: 'PartnerProduct', title: 'PartnerProduct' },
);
export type PartnerProductView = Static<typeof PartnerProductSchema>;

export const PartnerOrderSchema = Type.Object(
  {
    order_id: Type.String({ description: "Souk's order id (a ULID); GET /v1/orders/{order_id} takes it or your partner_order_id." }),
    partner_order_id: Nullable(Type.String()),
    number: Type.String({ description: 'Human order number.' }),
    status: Type.Union(PARTNER_STATUSES.map((s) => Type.Literal(s)), { description: 'queued, verifying, fulfilled or rejected (see the partner guide for the mapping).' }),
    internal_status: Type.String({ description: "Souk's own status behind `status`: awaiting_payment, queued, processing, review, fulfilled, rejected, cancelled, expired or refunded." }),
    product_code: Type.String(),
    product_name: Type.String(),
    quantity: Type.Integer(),
    amount: Decimal('What your wallet was charged, in `currency`.'),
    currency: Type.String(),
    buyer: Type.Object({ name: Nullable(Type.String()), email: Nullable(Type.String()) }),
    delivery_channel: Type.String({ description: 'api or email (`gmail_transfer` is stored as email).' }),
    callback_url: Nullable(Type.String()),
    reason: Nullable(Type.String({ description: 'Why it was rejected, cancelled or refunded.' })),
    fulfillment: Type.Object({
      delivered_items: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String() }), { description: 'The delivered codes, in full, once fulfilled.' }),
      fulfilled_at: Nullable(WireTime()),
    }),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'PartnerOrder', title: 'PartnerOrder' },
);
// The schema documents (and serializes) core's view: a field in one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const PARTNER_ORDER_SCHEMA_MATCHES_VIEW: Same<Static<typeof PartnerOrderSchema>, PartnerOrderView> = true;

export function partnerProductView({ product, category }: CatalogEntry): PartnerProductView {
  return {
    product_code: product.code,
    name: localizedText(product.name, 'en'),
    category: category?.slug ?? null,
    category_name: category ? localizedText(category.name, 'en') : null,
    price: formatMinor(product.price_minor, product.currency),
    currency: product.currency,
    in_stock: inStockFor(product),
    stock_available: product.stock_available,
    min_quantity: product.min_quantity,
    max_quantity: product.max_quantity,
    fields: product.fields.map((f) => ({ name: f.name, required: f.required })),
  };
}

// The webhooks Souk sends, for the OpenAPI document's `webhooks` section: one entry per event type
// with its JSON schema, the headers of both signature schemes, and what the receiver should answer.
import { Type, type TSchema } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType } from '../core/events/index.js';
import { PartnerOrderSchema } from './partner/views.js';
import { TradeInSchema } from './trade-in-views.js';
import { WireTime } from './schema-helpers.js';

const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);

const CanonicalOrderData = Type.Object({
  order: Type.Object({
    order_id: Type.String({ description: "Souk's order id (a ULID)." }),
    number: Type.String(),
    client_order_id: Nullable(Type.String()),
    status: Type.String({ description: 'The status after this event.' }),
    previous_status: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    item_id: Type.Integer({ description: 'The product id.' }),
    quantity: Type.Integer(),
    amount: Type.Number({ description: 'What the wallet was charged.' }),
    currency: Type.String(),
    created_at: WireTime(),
    updated_at: WireTime(),
    items: Type.Optional(
      Type.Array(Type.Object({ id: Type.Integer(), code: Type.String() }), {
        description: 'The delivered codes, in order.fulfilled events only: when the endpoint has include_items (the default), and always to an order callback_url.',
      }),
    ),
  }),
});
// An order placed on /v1 (seed 000) is told about in the partner's words: the order exactly as
// GET /v1/orders/{order_id} shows it. Inlined (no $id): this section is plain JSON, outside components.
const PartnerOrderData = Type.Object(
  { order: Type.Object(PartnerOrderSchema.properties, { description: 'The order as GET /v1/orders/{order_id} answers at send time.' }) },
  { description: 'An order placed on the partner API at /v1 (seed 000).' },
);
const OrderData = Type.Union([CanonicalOrderData, PartnerOrderData], {
  description: 'Orders placed on /v1 (seed 000) are shown as GET /v1/orders/{order_id} shows them; every other order as below.',
});
const ProductData = Type.Object({
  product: Type.Object({
    id: Type.Integer(),
    item_id: Type.Integer({ description: 'The same as id (seed 003 name).' }),
    code: Type.String(),
    price: Type.Number(),
    currency: Type.String(),
    status: Type.String({ description: 'active, inactive or archived.' }),
    stock: Type.Integer({ description: 'Codes available now.' }),
  }),
  changed: Type.Array(Type.Union([Type.Literal('price'), Type.Literal('stock'), Type.Literal('status')])),
});
const WalletData = Type.Object({
  wallet: Type.Object({ wallet_id: Type.Integer(), currency: Type.String(), balance: Type.Number({ description: 'The balance after the credit.' }) }),
  amount: Type.Number(),
  kind: Type.String({ description: 'topup, refund, adjustment or trade_in (a trade-in credit, referring to `trade-in:<id>`).' }),
  reference: Nullable(Type.String({ description: '`order:<id>` for a refund.' })),
});
const TestData = Type.Object({ message: Type.String() });
const PayoutData = Type.Object({ trade_in: Type.Object(TradeInSchema.properties, { description: 'The trade-in as GET /api/v1/trade-ins/{id} answers.' }) });

const ABOUT: Record<EventType, { summary: string; data: TSchema }> = {
  'order.created': { summary: 'An order was placed; order.status is where placement left it (fulfilled at once from stock, processing for a person, awaiting_payment …)', data: OrderData },
  'order.status_changed': { summary: "An order's status changed after placement (every later change, including expired and refunded); the status placement left it in is in order.created", data: OrderData },
  'order.fulfilled': { summary: 'An order was delivered (the Order Delivery callback): carries the codes unless the endpoint turned include_items off', data: OrderData },
  'order.cancelled': { summary: 'An order was cancelled; the wallet was refunded', data: OrderData },
  'order.rejected': { summary: 'An order was turned down; the wallet was refunded', data: OrderData },
  'product.updated': { summary: "A product's price, stock or status changed (the Product Update callback); stock changes come at most once per product per SOUK_PRODUCT_UPDATE_INTERVAL seconds (10 by default), with the latest values", data: ProductData },
  'wallet.credited': { summary: 'Money arrived in a wallet: top-up, refund or adjustment', data: WalletData },
  'payout.completed': {
    summary: "A trade-in was accepted (some or all codes) and the partner's wallet credited once; for a hybrid, sent once its purchase is placed or failed. X-Signature is keyed with the partner signing secret of the key that submitted it",
    data: PayoutData,
  },
  'payout.rejected': { summary: 'A trade-in was rejected: every code refused, nothing credited (a hybrid buys nothing). Signed like payout.completed', data: PayoutData },
  'webhook.test': { summary: 'A test event an admin sent to one endpoint', data: TestData },
};

const header = (name: string, description: string, example: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' }, example });

const SIGNATURE_HEADERS = [
  header('webhook-id', 'The event id (`evt_…`); the same on every retry, so use it to drop duplicates.', 'evt_01JD7Q4W3M0000000000000000'),
  header('webhook-timestamp', 'Unix seconds when this attempt was signed; refuse it if far from your clock (5 minutes).', '1764460800'),
  header('webhook-signature', 'Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64-decoded part of the secret after `whsec_`. Space-separated, one per valid secret, for 24 h after a rotation.', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='),
  header(
    'X-Signature',
    "Seed 000: hex HMAC-SHA256 of the raw body, keyed with the same bytes (the newest secret). For an order placed on /v1: keyed with the partner's request signing secret instead (the key that placed the order, or the account's newest live signed key once that one is revoked).",
    '1f0d2c…',
  ),
  header('X-Timestamp', 'Seed 000: the same as webhook-timestamp.', '1764460800'),
];

/** The JSON schema of the body of one event type's webhook. */
export function webhookBodySchema(type: EventType) {
  return Type.Object(
    {
      id: Type.String({ description: 'The event id; equals the webhook-id header. Ack it with POST /api/v1/webhooks/ack (or seed 000 POST /v1/webhooks/ack).' }),
      type: Type.Literal(type),
      timestamp: WireTime({ description: 'When the event happened: UTC, to the second.' }),
      data: ABOUT[type].data,
    },
    { title: `${type} event`, additionalProperties: false },
  );
}

/** The `webhooks` object of the OpenAPI document. */
export function webhooksSection(): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: ABOUT[type].summary,
          description:
            'POSTed to each webhook endpoint subscribed to this type (and, for order events, to the order callback_url, signed with the account callback secret). ' +
            'An order placed on /v1 (seed 000) is shown as GET /v1/orders/{order_id} shows it, and its X-Signature is keyed with the partner signing secret. ' +
            'Answer 2xx within 10 s to close the delivery, or ack it later. Anything else is retried with exponential backoff for about 72 h; ' +
            '429/503 with Retry-After are honoured; 410 switches the endpoint off. Deliveries of one order arrive in the order the events happened. See docs/webhooks.md.',
          tags: ['webhooks'],
          // Souk sends no credentials: the receiver checks the signatures.
          security: [],
          parameters: SIGNATURE_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: webhookBodySchema(type) } } },
          responses: { '200': { description: 'Received: the delivery is closed. Any 2xx does.' }, '410': { description: 'Gone: Souk switches the endpoint off.' } },
        },
      },
    ]),
  );
}

// Orders on the canonical API: seed 003's POST /orders (item_id, player_id, checkout) and the
// canonical body, listing, detail with delivered codes and timeline, and cancellation.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { cancelOrder, findAccountOrderId, listAccountOrders, loadOrderDetail, placeOrder, MAX_CHECKOUT_FIELDS, ORDER_STATUSES } from '../../core/orders/index.js';
import { isRowId } from '../../core/ids.js';
import { ValidationFailed } from '../../core/errors.js';
import { recordApiFailures } from '../plugins/api-failures.js';
import { utcTime } from '../query-times.js';
import { needs } from '../route-policy.js';
import { CALLER_SECURITY, apiErrorResponses, okObject, oneOfFields } from '../schema-helpers.js';
import { OrderSchema, OrderSummarySchema, orderSummaryView, orderView } from './order-views.js';

const PlaceOrderBody = Type.Object(
  {
    product: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 160 })], { description: 'Product id, code or slug.' })),
    // Seed 003's clients send the id as a number or as a string of digits; nothing else is an id.
    item_id: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]*$', maxLength: 20 })], { description: 'Seed 003: the product id from GET /products, as a number or a string of digits.' }),
    ),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: "Defaults to the product's min_quantity." })),
    client_order_id: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'Your own unique id: a retry with the same id and body returns the original order; a different body is 422.' })),
    fields: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { maxProperties: MAX_CHECKOUT_FIELDS, description: "Values for the product's checkout fields." })),
    player_id: Type.Optional(Type.String({ maxLength: 500, description: 'Seed 003: same as fields.player_id.' })),
    checkout: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { maxProperties: MAX_CHECKOUT_FIELDS, description: 'Seed 003: checkout fields (cf_*, …), merged into fields.' })),
    buyer: Type.Optional(
      Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })) }, { additionalProperties: false }),
    ),
    delivery_channel: Type.Optional(Type.Union([Type.Literal('api'), Type.Literal('email')])),
    callback_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })),
    max_unit_price: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number({ minimum: 0 })], { description: 'Refuse (409) if the unit price you would be charged is above this.' })),
    coupon_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A coupon: 400 invalid_coupon if it does not apply, 409 coupon_exhausted once its uses are spent.' })),
  },
  // A paid route: a field it does not know (`qty` for `quantity`) is 400 naming it, never a purchase made without it.
  {
    description: 'Give `product` (canonical) or `item_id` (seed 003). Any other field is refused (400 `validation` naming it).',
    additionalProperties: false,
    ...oneOfFields([['product'], ['item_id']]),
  },
);
type PlaceOrderBody = Static<typeof PlaceOrderBody>;

const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))),
  product: Type.Optional(Type.String({ minLength: 1, maxLength: 160, description: 'Product id, code or slug, as in POST /orders; 404 item_not_found when none matches.' })),
  created_from: Type.Optional(Type.String({ format: 'date-time', description: 'Orders created at or after this time (ISO-8601, any offset).' })),
  created_to: Type.Optional(Type.String({ format: 'date-time', description: 'Orders created before this time (ISO-8601, any offset).' })),
  client_order_id: Type.Optional(Type.String({ maxLength: 120 })),
  cursor: Type.Optional(Type.String({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 120, description: 'Order id, number or your client_order_id.' }) });

function toPlaceOrderInput(body: PlaceOrderBody, idempotencyKey: string | null) {
  const product = body.product ?? body.item_id;
  if (product === undefined) throw new ValidationFailed('Say which product: product (id, code or slug) or item_id.', [{ field: 'product', message: 'is required' }]);
  if (typeof product === 'number' && !isRowId(product)) throw new ValidationFailed('No such product id.', [{ field: 'product', message: 'out of range' }]);
  const fields: Record<string, string> = { ...body.checkout, ...body.fields };
  if (body.player_id !== undefined) fields.player_id = body.player_id;
  return {
    product,
    quantity: body.quantity,
    clientOrderId: body.client_order_id,
    idempotencyKey: idempotencyKey ?? undefined,
    fields,
    buyer: body.buyer,
    deliveryChannel: body.delivery_channel,
    callbackUrl: body.callback_url,
    maxUnitPrice: body.max_unit_price,
    couponCode: body.coupon_code,
  };
}

export async function orderRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(OrderSchema);
  app.addSchema(OrderSummarySchema);
  const deps = orderDepsOf(souk);

  await app.register(async (scoped) => {
    // Every failed order attempt lands in the API failures log (seed 003).
    recordApiFailures(scoped, souk);
    scoped.post<{ Body: PlaceOrderBody }>(
      '/orders',
      {
        config: { auth: needs('orders:write'), idempotency: { kind: 'order' }, reference: { kind: 'body', field: 'client_order_id' } },
        schema: {
          tags: ['orders'],
          operationId: 'createOrder',
          summary: 'Place an order, paid from your wallet',
          description:
            'One transaction: the goods are claimed, the wallet is debited and the order is written, or nothing happens. ' +
            'Stock products are delivered in the answer (`order.items`). Errors: 402 insufficient_balance, 409 out_of_stock, ' +
            '404 item_not_found, 400 validation (an unknown field, or quantity outside min..max: `fields` names them), 409 price_above_limit, ' +
            '409 amount_out_of_range (the total, converted to your wallet\'s currency, would pass the largest amount a wallet can be charged), ' +
            "409 currency_unavailable (no exchange rate from the product's currency to your account's: such a product is not in your product list), " +
            '422 idempotency_key_reused, 422 order_refused (the shop\'s risk checks refused it: nothing written or charged), 503 wallet_disabled. ' +
            'An order the risk checks hold for review is placed and charged with its codes held, and answers status `review` until the shop ' +
            'approves it (`fulfilled`, or `processing` while it is bought) or rejects it (`rejected`, refunded); the status webhooks say which.',
          security: CALLER_SECURITY,
          body: PlaceOrderBody,
          response: {
            200: okObject({
              order_id: Type.String(),
              status: Type.String(),
              amount: Type.Number({ description: 'What your wallet was charged, in your account\'s currency: for one unit, the `price` GET /products shows you; for more, never more than quantity × that price.' }),
              currency: Type.String(),
              replayed: Type.Boolean({ description: 'True when this answers a retry of an earlier request.' }),
              order: Type.Ref('Order'),
            }),
            ...apiErrorResponses(400, 401, 402, 403, 404, 409, 422, 429, 503),
          },
        },
      },
      async (request) => {
        const placed = await placeOrder(deps, request.principal!.accountId, { ...toPlaceOrderInput(request.body, request.idempotencyKey), clientIp: request.ip }, actorOf(request.principal!));
        const order = orderView(placed.order);
        return { ok: true, order_id: order.order_id, status: order.status, amount: order.amount, currency: order.currency, replayed: placed.replayed, order };
      },
    );
    scoped.post<{ Params: Static<typeof RefParams> }>(
      '/orders/:ref/cancel',
      {
        config: { auth: needs('orders:write') },
        schema: {
          tags: ['orders'],
          operationId: 'cancelOrder',
          summary: 'Cancel an order before it is fulfilled',
          description: 'Refunds the wallet and returns held codes to stock. A fulfilled order is 409 invalid_state.',
          security: CALLER_SECURITY,
          params: RefParams,
          response: { 200: okObject({ order: Type.Ref('Order') }), ...apiErrorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request) => {
        const accountId = request.principal!.accountId;
        const orderId = await findAccountOrderId(souk.db, accountId, request.params.ref);
        return { ok: true, order: orderView(await cancelOrder(deps, accountId, orderId, actorOf(request.principal!))) };
      },
    );
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/orders',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['orders'],
        operationId: 'listOrders',
        summary: 'Your orders, newest first',
        security: CALLER_SECURITY,
        querystring: ListQuery,
        response: { 200: okObject({ orders: Type.Array(Type.Ref('OrderSummary')), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...apiErrorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listAccountOrders(souk.db, request.principal!.accountId, {
        status: q.status,
        product: q.product,
        createdFrom: utcTime(q.created_from, 'created_from'),
        createdTo: utcTime(q.created_to, 'created_to'),
        clientOrderId: q.client_order_id,
        cursor: q.cursor,
        limit: q.limit,
      });
      return { ok: true, orders: page.orders.map(orderSummaryView), next_cursor: page.nextCursor };
    },
  );

  app.get<{ Params: Static<typeof RefParams> }>(
    '/orders/:ref',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['orders'],
        operationId: 'getOrder',
        summary: 'One of your orders, with its delivered codes and timeline',
        security: CALLER_SECURITY,
        params: RefParams,
        response: { 200: okObject({ order: Type.Ref('Order') }), ...apiErrorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const orderId = await findAccountOrderId(souk.db, request.principal!.accountId, request.params.ref);
      return { ok: true, order: orderView(await loadOrderDetail(souk.db, souk.vault, orderId)) };
    },
  );
}

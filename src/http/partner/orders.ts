// Seed 000: POST /v1/orders (a buy placed from partner checkout data, paid from the partner's
// wallet) and GET /v1/orders/{order_id} (lifecycle status and fulfilment metadata).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { ValidationFailed } from '../../core/errors.js';
import { findAccountOrderId, loadOrderDetail, partnerOrderView, placeOrder, MAX_CHECKOUT_FIELDS, PARTNER_CHANNEL, type PlaceOrderInput } from '../../core/orders/index.js';
import { recordApiFailures } from '../plugins/api-failures.js';
import { needsSigned } from '../route-policy.js';
import { errorResponses, okObject } from '../schema-helpers.js';
import { PARTNER_SECURITY } from './security.js';
import { flowKind, partnerTradeInAnswer, submitPartnerTradeIn } from './trade-in-flows.js';

const DELIVERY_CHANNELS = ['api', 'email', 'gmail_transfer'] as const;

const PlaceBody = Type.Object({
  partner_order_id: Type.String({ minLength: 1, maxLength: 120, description: 'Your order id, unique for ever: a retry with the same id and body returns the original order; a different body is 422.' }),
  flow_type: Type.String({
    minLength: 1,
    maxLength: 60,
    description: '`buy_…` (e.g. `buy_direct_id`) buys; `sell_…` (e.g. `sell_direct_bag`) sells the codes in `items` to the shop (a trade-in); `hybrid_…` (e.g. `hybrid_trade_in`) sells them and buys `product_code` with the credit.',
  }),
  product_code: Type.String({ minLength: 1, maxLength: 160, description: '`product_code` from GET /v1/products: what is bought (buy, hybrid), or what is sold (sell, unless `sell_product_code` says).' }),
  sell_product_code: Type.Optional(Type.String({ minLength: 1, maxLength: 160, description: 'Sell and hybrid flows: the product whose codes are in `items` (required for hybrid).' })),
  items: Type.Optional(
    Type.Array(Type.Object({ code: Type.String({ minLength: 1, maxLength: 500 }) }), { minItems: 1, maxItems: 200, description: 'Sell and hybrid flows: the codes being sold, 1 to 200, each once.' }),
  ),
  buyer: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 320, description: 'Where e-mail delivery sends the codes.' }),
  }),
  delivery_channel: Type.Optional(
    Type.Union(DELIVERY_CHANNELS.map((c) => Type.Literal(c)), { description: '`api` (default: the codes are in the answer), `email`, or `gmail_transfer` (the same as email: mailed to buyer.email).' }),
  ),
  callback_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://', description: 'Receives the order events, signed.' })),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: "Souk extension; defaults to the product's min_quantity." })),
  fields: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { maxProperties: MAX_CHECKOUT_FIELDS, description: "Souk extension: the product's checkout fields." })),
});
type PlaceBody = Static<typeof PlaceBody>;

const OrderParams = Type.Object({ order_id: Type.String({ minLength: 1, maxLength: 120, description: "Souk's order id, or your partner_order_id." }) });

/** Translates seed 000's buy body into a placement (sell and hybrid flows are trade-ins: trade-in-flows.ts). */
function toPlaceOrderInput(body: PlaceBody, idempotencyKey: string | null): PlaceOrderInput {
  if (body.items) throw new ValidationFailed('A buy flow carries no `items`; sell codes with a sell_… or hybrid_… flow_type.', [{ field: 'items', message: 'only for sell and hybrid flows' }]);
  return {
    product: body.product_code,
    quantity: body.quantity,
    clientOrderId: body.partner_order_id,
    idempotencyKey: idempotencyKey ?? undefined,
    fields: body.fields,
    buyer: body.buyer,
    deliveryChannel: body.delivery_channel === 'gmail_transfer' ? 'email' : body.delivery_channel,
    callbackUrl: body.callback_url,
    channel: PARTNER_CHANNEL,
    requestVariant: requestVariant(body),
  };
}

/**
 * The parts of seed 000's body that place the same order but are another request: a retry that
 * changes them is 422 like any other change. The usual values add nothing, so the hashes of orders
 * placed before this was hashed stay as they were.
 */
function requestVariant(body: PlaceBody): string | undefined {
  const parts = [
    ...(body.flow_type === 'buy_direct_id' ? [] : [`flow_type=${body.flow_type}`]),
    ...(body.delivery_channel === 'gmail_transfer' ? ['delivery_channel=gmail_transfer'] : []),
  ];
  return parts.length ? parts.join('&') : undefined;
}

export async function partnerOrderRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const deps = orderDepsOf(souk);
  const OrderAnswer = okObject({
    order: Type.Optional(Type.Ref('PartnerOrder', { description: "The order (absent for a trade-in; a hybrid's purchase once placed)." })),
    trade_in: Type.Optional(Type.Ref('TradeIn', { description: 'When the id names a trade-in (a sell or hybrid flow).' })),
  });

  await app.register(async (scoped) => {
    recordApiFailures(scoped, souk);
    scoped.post<{ Body: PlaceBody }>(
      '/orders',
      {
        config: { auth: needsSigned('orders:write'), idempotency: { kind: 'order' }, reference: { kind: 'body', field: 'partner_order_id' } },
        schema: {
          tags: ['partner'],
          operationId: 'partnerCreateOrder',
          summary: 'Create an order from partner checkout data',
          description:
            'A buy flow is paid from your wallet in one transaction (200). Stock products are fulfilled at once: the codes are in `order.fulfillment.delivered_items`, ' +
            'and with `email`/`gmail_transfer` delivery they are also mailed to `buyer.email`. A sell or hybrid flow is a trade-in (202, `trade_in`): ' +
            'the codes wait in `verifying` until the shop decides; the credit and the payout callback follow, and a hybrid then buys with the credit. ' +
            'An order the risk checks hold for review is charged with its codes held and answers `verifying`; the final state (`fulfilled`, or ' +
            '`rejected` and refunded) arrives by callback, and GET /v1/orders/{order_id} always tells where it stands. ' +
            'Errors: 400 validation_error (missing fields, unsupported flow_type, a code twice), 402 insufficient_balance, 404 item_not_found, 409 out_of_stock, ' +
            '409 codes_refused (the shop already holds a code), 409 amount_out_of_range (the total would pass the largest amount a wallet can be charged), 422 idempotency_key_reused, ' +
            "422 order_refused (the shop's risk checks refused the order: nothing charged).",
          security: PARTNER_SECURITY,
          body: PlaceBody,
          response: {
            200: okObject({ replayed: Type.Boolean({ description: 'True when this answers a retry of an earlier request.' }), order: Type.Ref('PartnerOrder') }),
            202: okObject({ replayed: Type.Boolean({ description: 'True when this answers a retry of an earlier request.' }), trade_in: Type.Ref('TradeIn') }),
            ...errorResponses(400, 401, 402, 403, 404, 409, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const kind = flowKind(request.body.flow_type);
        if (kind !== 'buy') return reply.code(202).send({ ok: true, ...(await submitPartnerTradeIn(souk, request.principal!.accountId, kind, request.body, actorOf(request.principal!))) });
        const placed = await placeOrder(deps, request.principal!.accountId, { ...toPlaceOrderInput(request.body, request.idempotencyKey), clientIp: request.ip }, actorOf(request.principal!));
        return { ok: true, replayed: placed.replayed, order: partnerOrderView(placed.order) };
      },
    );
  });

  app.get<{ Params: Static<typeof OrderParams> }>(
    '/orders/:order_id',
    {
      config: { auth: needsSigned('orders:read') },
      schema: {
        tags: ['partner'],
        operationId: 'partnerGetOrder',
        summary: 'Lifecycle status and fulfilment metadata of one of your orders',
        description: "By Souk's order or trade-in id, or your partner_order_id. A sell or hybrid answers `trade_in` (and a hybrid's placed purchase as `order`). Another account's order is 404.",
        security: PARTNER_SECURITY,
        params: OrderParams,
        response: { 200: OrderAnswer, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const tradeIn = await partnerTradeInAnswer(souk, request.principal!.accountId, request.params.order_id);
      if (tradeIn) return { ok: true, ...tradeIn };
      const orderId = await findAccountOrderId(souk.db, request.principal!.accountId, request.params.order_id);
      return { ok: true, order: partnerOrderView(await loadOrderDetail(souk.db, souk.vault, orderId)) };
    },
  );
}

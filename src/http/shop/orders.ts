// Seed 004's orders: create (balance payments with the customer's token), look one up by order
// number + e-mail (rate limited as the document says), and read its status by number or id (limited
// like the lookup).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { lookUpShopOrder, normalizeEmail, placeShopOrder, shopOrderStatus } from '../../core/customers/index.js';
import { COINS, cryptoPaymentsOf, PAYMENT_METHODS, type Coin, type PaymentMethod } from '../../core/payments/index.js';
import { spendRateLimit } from '../rate-limit.js';
import { SHOP } from '../route-policy.js';
import { optionalCustomer } from './customer-token.js';
import { orderStatusView, orderView, shopErrors, successObject } from './views.js';

/** Seed 004: "3 requests per IP per 60 seconds and 2 requests per order/email pair per 60 seconds". */
export const LOOKUP_LIMITS = { perIp: 3, perOrderAndEmail: 2, windowSeconds: 60 } as const;
/**
 * The status read's own address budget: enough for a checkout page polling every few seconds
 * while a payment confirms, far too little to probe which order numbers exist.
 */
export const STATUS_LIMITS = { perIp: 30, windowSeconds: 60 } as const;

const OneOf = <T extends string>(values: readonly T[], description: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], description });

const CreateOrderBody = Type.Object({
  productId: Type.String({ minLength: 1, maxLength: 160, description: 'Product ID. Use the id returned by GET /api/products, not the slug.' }),
  quantity: Type.Integer({ description: 'Purchase quantity: from the product min_quantity to 200, and not above the stock.' }),
  contactEmail: Type.String({ format: 'email', maxLength: 320, description: 'Email used for order contact and order lookup.' }),
  paymentMethod: OneOf<PaymentMethod>(PAYMENT_METHODS, 'balance_cny and balance_crypto need `Authorization: Bearer USER_TOKEN`; crypto, alipay and wechat follow GET /api/payment-config.'),
  coin: Type.Optional(OneOf<Coin>(COINS, 'Required only when paymentMethod is crypto; any other method ignores it.')),
  couponCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Coupon code. Omit it when unused.' })),
});
type CreateOrderBody = Static<typeof CreateOrderBody>;

const QueryBody = Type.Object({
  orderNo: Type.String({ minLength: 1, maxLength: 40, description: 'The order number (orderNo) from the order.' }),
  email: Type.String({ minLength: 1, maxLength: 320, description: 'The contactEmail given at checkout (any letter case).' }),
});
type QueryBody = Static<typeof QueryBody>;

const StatusParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: 'The order number or the order id.' }) });

export async function orderRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const deps = orderDepsOf(souk);
  const paymentOf = async (orderId: string) => (await cryptoPaymentsOf(souk.db, [orderId])).get(orderId) ?? (await souk.gatewayPayments.paymentsOf([orderId])).get(orderId);
  const spend = (reply: FastifyReply, bucket: string, id: string, points: number) =>
    spendRateLimit(souk.limits, reply, { bucket, id, limit: points, windowSeconds: LOOKUP_LIMITS.windowSeconds });

  app.post<{ Body: CreateOrderBody }>(
    '/orders',
    {
      config: { auth: SHOP, idempotency: { kind: 'order' }, bodySize: 'small' },
      schema: {
        tags: ['shop'],
        operationId: 'shopCreateOrder',
        summary: 'Create order',
        description:
          "Priced at GET /api/products' price (the shop's currency, CNY by default): balance_cny deducts quantity × price from that balance, " +
          'crypto (with `coin`, no token needed) holds the codes and answers `order.payment` {coin, address, amount, expiresAt, uri}: the amount in USD ' +
          '(converted like balance_crypto) in the coin, plus a few smallest units unique to the order; the codes come in the order query and by mail once it is paid, ' +
          'balance_crypto the same amount converted at the shop rate (rounded up to the cent) from the USD balance; ' +
          'both need the customer token, else 401. Stock products are delivered at once (`order.items`). Errors: 400 validation_error ' +
          '(naming each field), 400 payment_method_unavailable (nothing is reserved), 401, 402 insufficient_balance, 404 item_not_found, ' +
          '409 out_of_stock, 409 amount_out_of_range (the converted total would pass the largest amount a wallet can be charged). ' +
          'Souk extension: an `Idempotency-Key` header (with the customer token) makes a retry (at any later time) answer the ' +
          'first order instead of buying again; the same key with another body is 422 idempotency_key_reused. ' +
          "422 order_refused: the shop's risk checks refused the order (nothing reserved or charged). An order its risk checks hold for " +
          'review is placed and paid, and answers `processing` until the shop approves it (then `completed`) or rejects it (`failed`, refunded).',
        security: [{}, { customerToken: [] }],
        body: CreateOrderBody,
        response: { 200: successObject({ order: Type.Ref('ShopOrder') }), ...shopErrors(400, 401, 402, 404, 409, 422, 429, 503) },
      },
      // Before the Idempotency-Key claim, which needs the customer's account.
      preHandler: async (request) => {
        request.customer = await optionalCustomer(souk, request);
      },
    },
    async (request, reply) => {
      const placed = await placeShopOrder(deps, request.customer, { ...request.body, clientIp: request.ip }, souk.config.shopCurrency, request.idempotencyKey, souk.config.crypto, souk.gatewayPayments);
      if (placed.replayed) reply.header('idempotent-replayed', 'true');
      return { success: true, order: orderView(placed.order, await paymentOf(placed.order.id)) };
    },
  );

  app.post<{ Body: QueryBody }>(
    '/orders/query',
    {
      config: { auth: SHOP, bodySize: 'small' },
      // Every request counts against the address, even a malformed one; the pair once it is known.
      onRequest: async (request, reply) => spend(reply, 'lookup-ip', request.ip, LOOKUP_LIMITS.perIp),
      preHandler: async (request, reply) => {
        // Hashed, so the limiter's keys (in Redis, say) hold no e-mail addresses.
        const pair = createHash('sha256').update(`${request.body.orderNo.trim().toUpperCase()}\n${normalizeEmail(request.body.email)}`).digest('hex');
        await spend(reply, 'lookup-pair', pair, LOOKUP_LIMITS.perOrderAndEmail);
      },
      schema: {
        tags: ['shop'],
        operationId: 'shopQueryOrder',
        summary: 'Query order',
        description:
          'Both order number and e-mail are required (in the body, so they stay out of URLs and logs). A completed order comes with its delivered ' +
          'credentials. An unknown order and a wrong e-mail answer the same 404. Limited to 3 requests per IP and 2 per order/e-mail pair per 60 s (429 with Retry-After).',
        security: [],
        body: QueryBody,
        response: { 200: successObject({ order: Type.Ref('ShopOrder') }), ...shopErrors(400, 404, 429) },
      },
    },
    async (request) => {
      const order = await lookUpShopOrder(souk.db, souk.vault, request.body.orderNo, request.body.email);
      return { success: true, order: orderView(order, await paymentOf(order.id)) };
    },
  );

  app.get<{ Params: Static<typeof StatusParams> }>(
    '/orders/:id/status',
    {
      config: { auth: SHOP },
      // Limited per address like the lookup: unlimited, this route would be the cheap way to probe
      // which order numbers (or time-ordered ids) exist, which the lookup keeps costly.
      onRequest: async (request, reply) => spend(reply, 'status-ip', request.ip, STATUS_LIMITS.perIp),
      schema: {
        tags: ['shop'],
        operationId: 'shopOrderStatus',
        summary: 'Get order payment / fulfillment status',
        description:
          'By order number or order id. Never includes the delivered items. Limited to 30 requests per IP per 60 s (429 with Retry-After).',
        security: [],
        params: StatusParams,
        response: { 200: successObject({ order: Type.Ref('ShopOrderStatus') }), ...shopErrors(404, 429) },
      },
    },
    async (request) => {
      const order = await shopOrderStatus(souk.db, request.params.id);
      return { success: true, order: orderStatusView(order, await paymentOf(order.id)) };
    },
  );
}

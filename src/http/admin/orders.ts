// Order administration: every account's orders, an order in full, fulfilling manual orders by
// hand, rejecting and refunding; the API failures log; the wallet-checkout switch.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { orderDepsOf, type Souk } from '../../app.js';
import { actorOf } from '../../core/accounts/index.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import {
  ADMIN_ORDER_ACTIONS,
  adminOrderActions,
  cancelOrderAsAdmin,
  fulfilManualOrder,
  isWalletCheckoutEnabled,
  listApiFailures,
  listOrders,
  loadOrderDetail,
  ORDER_STATUSES,
  ordersWaitingForStock,
  refundOrder,
  rejectOrder,
  setWalletCheckout,
  type OrderDetail,
  type OrderSummary,
} from '../../core/orders/index.js';
import { utcTime } from '../query-times.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, WireTime } from '../schema-helpers.js';
import { withWireTimes } from '../../core/clock.js';
import { OrderSchema, OrderSummarySchema, orderSummaryView, orderView } from '../api-v1/order-views.js';

const ADMIN = needs('admin');

// An admin sees which codes an order delivered, masked like every stock list (core reads the masks,
// never the codes): showing one in full is its own audited act (POST /stock/{id}/reveal), not a
// side effect of opening an order.
const AdminOrderSchema = Type.Object(
  {
    ...OrderSchema.properties,
    items: Type.Array(
      Type.Object({
        id: Type.Integer({ description: 'The stock item id.' }),
        code: Type.String({ description: 'Masked: `ABCD-••••-••••-WXYZ`. POST /stock/{id}/reveal shows it in full (written to the audit log).' }),
      }),
      { description: 'The delivered codes, masked.' },
    ),
    account_id: Type.Integer(),
    channel: Type.String(),
    fulfillment: Type.String({ description: 'stock, upstream or manual.' }),
    risk: Type.Object(
      {
        score: Type.Union([Type.Integer(), Type.Null()], { description: '0 to 100; null when the order was not scored.' }),
        verdict: Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Null()]),
        reasons: Type.Array(Type.Object({ rule: Type.String(), points: Type.Integer(), reason: Type.String({ description: 'In words.' }) }), { description: 'Each rule that fired.' }),
      },
      { description: 'The risk assessment made at placement.' },
    ),
    actions: Type.Array(Type.Union(ADMIN_ORDER_ACTIONS.map((a) => Type.Literal(a))), {
      description: 'What an admin can still do with it: cancel, reject (POST …/cancel, …/reject), fulfil (…/fulfil: a manual order), refund (…/refund), approve_review and reject_review (/reviews/{order_id}/…).',
    }),
  },
  { $id: 'AdminOrder', title: 'AdminOrder' },
);
const AdminOrderSummarySchema = Type.Object({ ...OrderSummarySchema.properties, account_id: Type.Integer() }, { $id: 'AdminOrderSummary', title: 'AdminOrderSummary' });
const ApiFailureSchema = Type.Object(
  {
    id: Type.Integer(),
    account_id: Type.Union([Type.Integer(), Type.Null()]),
    key_id: Type.Union([Type.String(), Type.Null()]),
    method: Type.String(),
    route: Type.String(),
    status: Type.Integer(),
    error_code: Type.String(),
    message: Type.String(),
    request_excerpt: Type.String({ description: 'The request body, secrets blanked, cut short.' }),
    request_id: Type.String(),
    provider_id: Type.Union([Type.Integer(), Type.Null()], { description: 'For a call Souk made to an upstream provider: which provider (null for a request Souk answered).' }),
    dialect: Type.Union([Type.String(), Type.Null()]),
    operation: Type.Union([Type.String(), Type.Null()], { description: 'What Souk asked the upstream: list-products, create-order, find-order, cancel-order, balance, callback.' }),
    order_id: Type.Union([Type.String(), Type.Null()], { description: 'The local order the call was for, if any.' }),
    created_at: WireTime(),
  },
  { $id: 'ApiFailure', title: 'ApiFailure' },
);

const OrderIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: "Souk's order id." }) });
const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))),
  account: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID, description: 'An account id.' })),
  product: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID, description: 'A product id.' })),
  created_from: Type.Optional(Type.String({ format: 'date-time' })),
  created_to: Type.Optional(Type.String({ format: 'date-time' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Search: an order number, id or client_order_id exactly, or part of the buyer's e-mail (any case)." })),
  cursor: Type.Optional(Type.String({ maxLength: 40, description: 'next_cursor from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
const FulfilBody = Type.Object({ codes: Type.Array(Type.String({ maxLength: 500 }), { minItems: 1, maxItems: 100_000, description: 'Exactly as many codes as the order quantity, each new.' }) });
// Short enough that "refunded: <reason>" still fits the ledger memo.
const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 400 }) });
const FailuresQuery = Type.Object({
  account_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID })),
  error_code: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  provider_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID, description: 'Only failed calls to this upstream provider.' })),
  direction: Type.Optional(Type.Union([Type.Literal('incoming'), Type.Literal('upstream')], { description: 'incoming: requests Souk refused; upstream: calls Souk made that failed.' })),
  order_id: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'next_before from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const WalletCheckoutBody = Type.Object({ enabled: Type.Boolean() });
const WalletCheckoutAnswer = okObject({ enabled: Type.Boolean({ description: 'When false, POST /api/v1/orders answers 503 wallet_disabled.' }) });

/** An order read with its codes masked (loadOrderDetail(…, 'masked')). */
function adminOrderView(order: OrderDetail) {
  return {
    ...orderView(order),
    items: order.items,
    account_id: order.account_id,
    channel: order.channel,
    fulfillment: order.fulfillment,
    risk: order.risk,
    actions: adminOrderActions(order),
  };
}

function adminOrderSummaryView(order: OrderSummary) {
  return { ...orderSummaryView(order), account_id: order.account_id };
}

export async function adminOrderRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  for (const schema of [AdminOrderSchema, AdminOrderSummarySchema, ApiFailureSchema]) app.addSchema(schema);
  const deps = orderDepsOf(souk);
  const orderAnswer = okObject({ order: Type.Ref('AdminOrder') });
  /** The order as an admin sees it after an act: read again, masked (the act's own answer holds the codes opened). */
  const maskedOrder = async (orderId: string) => adminOrderView(await loadOrderDetail(souk.db, souk.vault, orderId, 'masked'));

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/orders',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListOrders',
        summary: "Every account's orders, newest first",
        security: ADMIN_SECURITY,
        querystring: ListQuery,
        response: { 200: okObject({ orders: Type.Array(Type.Ref('AdminOrderSummary')), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listOrders(souk.db, {
        status: q.status,
        accountId: q.account,
        product: q.product,
        createdFrom: utcTime(q.created_from, 'created_from'),
        createdTo: utcTime(q.created_to, 'created_to'),
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
      });
      return { ok: true, orders: page.orders.map(adminOrderSummaryView), next_cursor: page.nextCursor };
    },
  );
  app.get<{ Params: Static<typeof OrderIdParams> }>(
    '/orders/:id',
    {
      config: { auth: ADMIN },
      schema: { tags: ['admin'], operationId: 'adminGetOrder', summary: 'An order in full: delivered codes (masked) and timeline', security: ADMIN_SECURITY, params: OrderIdParams, response: { 200: orderAnswer, ...errorResponses(401, 403, 404) } },
    },
    async (request, reply) => {
      const order = await maskedOrder(request.params.id);
      reply.header('cache-control', 'no-store');
      return { ok: true, order };
    },
  );
  app.post<{ Params: Static<typeof OrderIdParams>; Body: Static<typeof FulfilBody> }>(
    '/orders/:id/fulfil',
    {
      // A code for every unit of an order of up to 100,000.
      config: { auth: ADMIN, bodySize: 'bulk' },
      schema: {
        tags: ['admin'],
        operationId: 'adminFulfilOrder',
        summary: 'Deliver a processing (manual) order by hand',
        security: ADMIN_SECURITY,
        params: OrderIdParams,
        body: FulfilBody,
        response: { 200: orderAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const fulfilled = await fulfilManualOrder(deps, request.params.id, request.body.codes, actorOf(request.principal!));
      reply.header('cache-control', 'no-store');
      return { ok: true, order: await maskedOrder(fulfilled.id) };
    },
  );
  app.post<{ Params: Static<typeof OrderIdParams>; Body: Static<typeof ReasonBody> }>(
    '/orders/:id/reject',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminRejectOrder',
        summary: 'Turn down an order before fulfilment: codes back to stock, money back to the wallet',
        security: ADMIN_SECURITY,
        params: OrderIdParams,
        body: ReasonBody,
        response: { 200: orderAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({ ok: true, order: await maskedOrder((await rejectOrder(deps, request.params.id, actorOf(request.principal!), request.body.reason)).id) }),
  );
  app.post<{ Params: Static<typeof OrderIdParams>; Body: Static<typeof ReasonBody> }>(
    '/orders/:id/cancel',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminCancelOrder',
        summary: 'Cancel an order that is not fulfilled yet, saying why: codes back to stock, money back the way it was paid',
        description: '409 invalid_state once the order is fulfilled or has ended.',
        security: ADMIN_SECURITY,
        params: OrderIdParams,
        body: ReasonBody,
        response: { 200: orderAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({ ok: true, order: await maskedOrder((await cancelOrderAsAdmin(deps, request.params.id, actorOf(request.principal!), request.body.reason)).id) }),
  );
  app.post<{ Params: Static<typeof OrderIdParams>; Body: Static<typeof ReasonBody> }>(
    '/orders/:id/refund',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminRefundOrder',
        summary: 'Refund a fulfilled order to the wallet (the codes stay delivered)',
        security: ADMIN_SECURITY,
        params: OrderIdParams,
        body: ReasonBody,
        response: { 200: orderAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const refunded = await refundOrder(deps, request.params.id, actorOf(request.principal!), request.body.reason);
      reply.header('cache-control', 'no-store');
      return { ok: true, order: await maskedOrder(refunded.id) };
    },
  );

  app.get<{ Querystring: Static<typeof FailuresQuery> }>(
    '/api-failures',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListApiFailures',
        summary: 'Failed order attempts and failed calls to upstream providers, newest first',
        security: ADMIN_SECURITY,
        querystring: FailuresQuery,
        response: { 200: okObject({ failures: Type.Array(Type.Ref('ApiFailure')), next_before: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await listApiFailures(souk.db, { accountId: q.account_id, errorCode: q.error_code, providerId: q.provider_id, direction: q.direction, orderId: q.order_id, since: utcTime(q.since, 'since'), before: q.before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { ok: true, failures: page.map((failure) => withWireTimes(failure, 'created_at')), next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/orders/waiting-for-stock',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminOrdersWaitingForStock',
        summary: 'Orders paid outside Souk (a Zid store) that wait for codes, per product: import codes and they are delivered',
        security: ADMIN_SECURITY,
        response: {
          200: okObject({ products: Type.Array(Type.Object({ product_id: Type.Integer(), product_code: Type.String(), orders: Type.Integer(), units: Type.Integer(), since: WireTime({ description: 'When the oldest started waiting.' }) })) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => ({ ok: true, products: (await ordersWaitingForStock(souk.db)).map((wait) => withWireTimes(wait, 'since')) }),
  );

  app.get(
    '/settings/wallet-checkout',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminGetWalletCheckout', summary: 'Whether orders can be paid from wallets', security: ADMIN_SECURITY, response: { 200: WalletCheckoutAnswer, ...errorResponses(401, 403) } } },
    async () => ({ ok: true, enabled: await isWalletCheckoutEnabled(souk.db) }),
  );
  app.put<{ Body: Static<typeof WalletCheckoutBody> }>(
    '/settings/wallet-checkout',
    {
      config: { auth: ADMIN },
      schema: { tags: ['admin'], operationId: 'adminSetWalletCheckout', summary: 'Switch paying orders from wallets on or off', security: ADMIN_SECURITY, body: WalletCheckoutBody, response: { 200: WalletCheckoutAnswer, ...errorResponses(400, 401, 403) } },
    },
    async (request) => {
      await setWalletCheckout(souk.db, request.body.enabled);
      return { ok: true, enabled: request.body.enabled };
    },
  );
}

// GET /admin/api/dashboard: the console's home, every figure in one read (core/dashboard gathers
// them from the modules), money as decimal strings with their currency and times to the second.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { wireTime } from '../../core/clock.js';
import { DASHBOARD_DAYS, LOW_STOCK_BELOW, readDashboard, type Dashboard } from '../../core/dashboard/index.js';
import { formatMinor } from '../../core/money.js';
import { ORDER_STATUSES } from '../../core/orders/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, WireTime } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const DashboardQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: DASHBOARD_DAYS.max, default: DASHBOARD_DAYS.default, description: 'How many days (UTC, today included) sales, orders by status and failed upstream calls cover.' })),
  low_stock_below: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: LOW_STOCK_BELOW, description: 'A product with fewer codes available than this is low on stock.' })),
});

const DashboardAnswer = Type.Object({
  ok: Type.Literal(true),
  days: Type.Integer(),
  since: WireTime({ description: 'Midnight UTC of the first day counted.' }),
  sales: Type.Array(
    Type.Object({ day: Type.String({ description: 'yyyy-MM-dd (UTC).' }), currency: Type.String(), orders: Type.Integer(), amount: Type.String({ description: 'Charged for orders delivered (not refunded), a decimal in currency.' }) }),
    { description: 'Per day and currency buyers were charged in, oldest first; days without a sale are left out.' },
  ),
  orders_by_status: Type.Object(Object.fromEntries(ORDER_STATUSES.map((s) => [s, Type.Integer()])), { description: 'Orders placed in the window, by where they stand now.' }),
  reviews: Type.Object({ waiting: Type.Integer({ description: 'Orders waiting in review now.' }), due_first: Nullable(WireTime({ description: 'When the first is rejected if nobody decides.' })) }),
  trade_ins: Type.Object({ waiting: Type.Integer({ description: 'Trade-ins waiting in verifying.' }) }),
  low_stock: Type.Object({
    below: Type.Integer(),
    count: Type.Integer(),
    products: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), available: Type.Integer() }), { description: 'The emptiest first (at most 20).' }),
  }),
  failing_webhooks: Type.Array(
    Type.Object({
      id: Type.String(),
      account_id: Type.Integer(),
      url: Type.String(),
      enabled: Type.Boolean(),
      disabled_reason: Nullable(Type.String()),
      failure_streak: Type.Integer(),
      paused_until: Nullable(WireTime()),
    }),
    { description: 'Endpoints whose deliveries keep failing, paused by the breaker, or switched off for failing.' },
  ),
  upstream_failures: Type.Object({
    count: Type.Integer({ description: 'Failed calls to upstream providers in the window.' }),
    recent: Type.Array(
      Type.Object({
        id: Type.Integer(),
        provider_id: Nullable(Type.Integer()),
        dialect: Nullable(Type.String()),
        operation: Nullable(Type.String()),
        status: Type.Integer(),
        error_code: Type.String(),
        message: Type.String(),
        order_id: Nullable(Type.String()),
        created_at: WireTime(),
      }),
    ),
  }),
  zid_stores_to_reconnect: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), last_error: Nullable(Type.String()), since: WireTime() })),
  payments: Type.Object({
    partial: Type.Integer({ description: 'Less came than was asked.' }),
    late: Type.Integer({ description: 'Came after the order ended.' }),
    unmatched: Type.Integer({ description: 'Transfers that pay no invoice: to be confirmed by hand.' }),
    refunds_owed: Type.Integer(),
    recent: Type.Array(
      Type.Object({
        id: Type.String(),
        provider: Type.String(),
        order_id: Nullable(Type.String()),
        method: Type.String(),
        coin: Type.String(),
        currency: Nullable(Type.String()),
        amount: Type.String(),
        received: Type.String(),
        status: Type.String(),
        refund_due: Type.Boolean(),
        refund_status: Nullable(Type.String()),
        updated_at: WireTime(),
      }),
      { description: 'The most recently changed of them (at most 10).' },
    ),
  }),
});

function dashboardView(board: Dashboard, days: number): Static<typeof DashboardAnswer> {
  return {
    ok: true,
    days,
    since: wireTime(board.since),
    sales: board.sales.map((s) => ({ day: s.day, currency: s.currency, orders: s.orders, amount: formatMinor(s.charged_minor, s.currency) })),
    orders_by_status: board.ordersByStatus,
    reviews: { waiting: board.reviews.waiting, due_first: wireTime(board.reviews.dueFirst) },
    trade_ins: { waiting: board.tradeInsWaiting },
    low_stock: { below: board.lowStock.below, count: board.lowStock.products.length, products: board.lowStock.products.slice(0, 20) },
    failing_webhooks: board.failingWebhooks.map((e) => ({
      id: e.id,
      account_id: e.account_id,
      url: e.url,
      enabled: e.enabled,
      disabled_reason: e.disabled_reason,
      failure_streak: e.failure_streak,
      paused_until: wireTime(e.paused_until),
    })),
    upstream_failures: {
      count: board.upstreamFailures.count,
      recent: board.upstreamFailures.recent.map((f) => ({
        id: Number(f.id),
        provider_id: f.provider_id === null ? null : Number(f.provider_id),
        dialect: f.dialect,
        operation: f.operation,
        status: f.status,
        error_code: f.error_code,
        message: f.message,
        order_id: f.order_id,
        created_at: wireTime(f.created_at),
      })),
    },
    zid_stores_to_reconnect: board.storesToReconnect.map((s) => ({ id: s.id, name: s.name, last_error: s.last_error, since: wireTime(s.updated_at) })),
    payments: {
      partial: board.payments.partial,
      late: board.payments.late,
      unmatched: board.payments.unmatched,
      refunds_owed: board.payments.refunds_owed,
      recent: board.payments.recent.map((p) => ({
        id: p.id,
        provider: p.provider,
        order_id: p.order_id,
        method: p.method,
        coin: p.coin,
        currency: p.currency,
        amount: p.amount,
        received: p.received,
        status: p.status,
        refund_due: p.refund_due,
        refund_status: p.refund_status,
        updated_at: p.updated_at,
      })),
    },
  };
}

export async function adminDashboardRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get<{ Querystring: Static<typeof DashboardQuery> }>(
    '/dashboard',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminDashboard',
        summary: "The owner's dashboard: sales per day, orders by status, and what needs a look (reviews, trade-ins, low stock, failing webhooks and upstream calls, Zid stores, payments)",
        security: ADMIN_SECURITY,
        querystring: DashboardQuery,
        response: { 200: DashboardAnswer, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const days = request.query.days ?? DASHBOARD_DAYS.default;
      return dashboardView(await readDashboard(souk.db, { days, lowStockBelow: request.query.low_stock_below }), days);
    },
  );
}

// The owner's dashboard: what needs a look today, gathered in one read from each module's public
// face (orders, catalog and stock, trade-ins, webhooks, Zid, payments); it owns no table.
import type { Db } from '../../db/index.js';
import { listProducts } from '../catalog/index.js';
import { countedStock } from '../inventory/index.js';
import { countApiFailures, listApiFailures, ordersByStatus, reviewQueue, salesPerDay, type DaySales, type OrderStatus } from '../orders/index.js';
import { paymentsNeedingAttention, type PaymentsNeedingAttention } from '../payments/index.js';
import { countTradeIns } from '../trade-ins/index.js';
import { listWebhookEndpoints, type WebhookEndpoint } from '../webhooks/index.js';
import { storesNeedingReconnect } from '../zid/index.js';

export const DASHBOARD_DAYS = { default: 14, max: 366 } as const;
/** A counted product with fewer codes than this available is low on stock (unless the caller says otherwise). */
export const LOW_STOCK_BELOW = 10;
/** How many of each list (failed calls, failing endpoints …) the dashboard shows; the counts cover all. */
const SHOWN = 10;

export interface Dashboard {
  /** The first moment counted: midnight UTC `days - 1` days before today. */
  since: string;
  sales: DaySales[];
  ordersByStatus: Record<OrderStatus, number>;
  reviews: { waiting: number; dueFirst: string | null };
  tradeInsWaiting: number;
  lowStock: { below: number; products: Array<{ id: number; code: string; name: string; available: number }> };
  failingWebhooks: WebhookEndpoint[];
  upstreamFailures: { count: number; recent: Awaited<ReturnType<typeof listApiFailures>> };
  storesToReconnect: Awaited<ReturnType<typeof storesNeedingReconnect>>;
  payments: PaymentsNeedingAttention;
}

/** Midnight UTC of the day `days - 1` days before `now`: a window of `days` whole days including today. */
export function windowStart(now: Date, days: number): string {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  return start.toISOString();
}

/** An endpoint is failing while deliveries to it keep failing, its breaker is open, or it was switched off for failing. */
function isFailing(endpoint: WebhookEndpoint, now: string): boolean {
  return endpoint.failure_streak > 0 || (endpoint.paused_until !== null && endpoint.paused_until > now) || (!endpoint.enabled && endpoint.disabled_reason !== null);
}

/** Every figure of the dashboard over the last `days` days (sales, orders by status, upstream failures); the queues as they stand now. */
export async function readDashboard(db: Db, options: { days?: number; lowStockBelow?: number; now?: Date } = {}): Promise<Dashboard> {
  const now = options.now ?? new Date();
  const days = options.days ?? DASHBOARD_DAYS.default;
  const below = options.lowStockBelow ?? LOW_STOCK_BELOW;
  const since = windowStart(now, days);
  const [sales, byStatus, reviews, tradeInsWaiting, products, endpoints, failureCount, failures, stores, payments] = await Promise.all([
    salesPerDay(db, since),
    ordersByStatus(db, since),
    reviewQueue(db),
    countTradeIns(db, 'verifying'),
    listProducts(db, { status: 'active' }),
    listWebhookEndpoints(db),
    countApiFailures(db, { direction: 'upstream', since }),
    listApiFailures(db, { direction: 'upstream', since, limit: SHOWN }),
    storesNeedingReconnect(db),
    paymentsNeedingAttention(db, SHOWN),
  ]);
  const lowStock = products
    .map((p) => ({ id: p.id, code: p.code, name: p.name.en ?? p.code, available: countedStock(p) }))
    .filter((p): p is { id: number; code: string; name: string; available: number } => p.available !== undefined && p.available < below)
    .sort((a, b) => a.available - b.available || a.id - b.id);
  const nowIso = now.toISOString();
  return {
    since,
    sales,
    ordersByStatus: byStatus,
    reviews,
    tradeInsWaiting,
    lowStock: { below, products: lowStock },
    failingWebhooks: endpoints.filter((e) => isFailing(e, nowIso)),
    upstreamFailures: { count: failureCount, recent: failures },
    storesToReconnect: stores,
    payments,
  };
}

// Payments through gateways, as the app holds them (`souk.gatewayPayments`): which gateway serves
// a method now, charges for orders and top-ups, notifications, the lookup sweep, refunds and the
// health check. Each call is one of the files beside this one; this only holds the context.
import type { PaymentsTable } from '../../../db/schema.js';
import type { Coin } from '../methods.js';
import { openCharge } from './charges.js';
import type { GatewayContext } from './context.js';
import { GatewayUnavailable } from './errors.js';
import { GATEWAY_NAMES, type GatewayMethod, type GatewayName, type GatewayNotice, type PaymentGateway } from './gateway.js';
import { gatewayHealth, isHealthy, recordGatewayHealth } from './health.js';
import { gatewayStatuses, type GatewayStatus } from './status.js';
import { lookUpWaitingCharges, type LookupSweep } from './lookups.js';
import { receiveNotice, type NoticeReceived } from './notices.js';
import { refundCharge } from './refunds.js';
import { requestTopUp, type TopUpRequest, type TopUpView } from './topups.js';
import { gatewayPaymentView, type GatewayPaymentView } from './views.js';

export interface GatewayOffer {
  methods: ReadonlySet<GatewayMethod>;
  coins: ReadonlySet<Coin>;
}

export class GatewayPayments {
  constructor(readonly ctx: GatewayContext) {}

  /** The configured gateway that serves `method` (a crypto one only for a coin it takes). */
  gatewayFor(method: string, coin?: Coin): PaymentGateway | undefined {
    return [...this.ctx.gateways.values()].find((g) => g.method === method && (g.method !== 'crypto' || (coin !== undefined && g.coins.includes(coin))));
  }

  /** What the gateways offer now: those configured whose last check did not fail. */
  async offered(): Promise<GatewayOffer> {
    const health = await gatewayHealth(this.ctx.db, [...this.ctx.gateways.keys()]);
    const methods = new Set<GatewayMethod>();
    const coins = new Set<Coin>();
    for (const gateway of this.ctx.gateways.values()) {
      if (!isHealthy(health.get(gateway.name))) continue;
      methods.add(gateway.method);
      for (const coin of gateway.coins) coins.add(coin);
    }
    return { methods, coins };
  }

  /** Every gateway, configured or not, with its last health check (for the console). */
  statuses(): Promise<GatewayStatus[]> {
    return gatewayStatuses(this.ctx);
  }

  /** Opens the charge of an order just written (awaiting payment until `expires_at`). */
  openOrderCharge(gateway: PaymentGateway, order: { id: string; number: string; charged_minor: number; expires_at: string }, coin?: Coin): Promise<PaymentsTable> {
    return openCharge(this.ctx, gateway, {
      target: { purpose: 'order', orderId: order.id, orderNumber: order.number },
      amountMinor: order.charged_minor,
      expiresAt: order.expires_at,
      ...(coin ? { coin } : {}),
    });
  }

  /** The gateway charges of these orders, as their buyers see them, by order id. */
  async paymentsOf(orderIds: readonly string[]): Promise<Map<string, GatewayPaymentView>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.ctx.db.selectFrom('payments').selectAll().where('provider', 'in', [...GATEWAY_NAMES]).where('order_id', 'in', [...orderIds]).execute();
    return new Map(rows.map((row) => [row.order_id!, gatewayPaymentView(row)]));
  }

  receive(name: string, notice: GatewayNotice): Promise<NoticeReceived> {
    return receiveNotice(this.ctx, name, notice);
  }

  lookUpWaiting(): Promise<LookupSweep> {
    return lookUpWaitingCharges(this.ctx);
  }

  refundCharge(paymentId: string): Promise<void> {
    return refundCharge(this.ctx, paymentId);
  }

  topUp(request: TopUpRequest): Promise<TopUpView> {
    return requestTopUp(this.ctx, this.gatewayFor(request.method, request.coin), request);
  }

  /** Pings every configured gateway and records whether it answered. */
  async checkHealth(): Promise<Map<GatewayName, boolean>> {
    const results = new Map<GatewayName, boolean>();
    for (const gateway of this.ctx.gateways.values()) {
      try {
        await gateway.ping();
        await recordGatewayHealth(this.ctx.db, gateway.name, { ok: true });
        results.set(gateway.name, true);
      } catch (error) {
        const problem = error instanceof GatewayUnavailable ? error.message : 'the gateway refused the check';
        await recordGatewayHealth(this.ctx.db, gateway.name, { ok: false, problem });
        this.ctx.log?.('payment gateway check failed', { gateway: gateway.name, problem });
        results.set(gateway.name, false);
      }
    }
    return results;
  }
}

// What the gateway payments need of the app, handed in once (GatewayPayments builds it).
import type { Db, Dialect } from '../../../db/index.js';
import type { OrderDeps } from '../../orders/index.js';
import type { GatewayName, PaymentGateway } from './gateway.js';
import type { Gateways } from './registry.js';
import type { GatewaySettings } from './settings.js';

export interface GatewayContext {
  db: Db;
  dialect: Dialect;
  gateways: Gateways;
  settings: GatewaySettings;
  /** Where gateways and buyers reach this Souk (SOUK_PUBLIC_URL, else the address it listens on). */
  baseUrl: string;
  orders: () => OrderDeps;
  /** A warning for the shop's admin (a refused notification, a gateway not answering); never a secret in it. */
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

/** The gateway named, if this Souk has it configured. */
export function gatewayNamed(ctx: Pick<GatewayContext, 'gateways'>, name: string): PaymentGateway | undefined {
  return ctx.gateways.get(name as GatewayName);
}

// Whether each gateway answers: the last check is kept in the settings table (shared by every
// process), written by the check schedule and whenever a call to the gateway fails or succeeds.
// A gateway is offered unless its last check, younger than STALE_AFTER, failed: a configured
// gateway nobody has checked yet is offered, and the first failed call withdraws it.
import type { Db } from '../../../db/index.js';
import { nowIso } from '../../clock.js';
import type { GatewayName } from './gateway.js';

/** A failed check older than this no longer withdraws the gateway (the next call tries again). */
const STALE_AFTER_MS = 10 * 60_000;
const PREFIX = 'payment_gateway_health:';
const key = (name: GatewayName) => `${PREFIX}${name}`;

export interface GatewayHealth {
  ok: boolean;
  at: string;
  /** Why it failed, in words that name no secret. */
  problem?: string;
}

/** Records the outcome of a call to the gateway. */
export async function recordGatewayHealth(db: Db, name: GatewayName, health: { ok: boolean; problem?: string }): Promise<void> {
  const value = JSON.stringify({ ...health, at: nowIso() });
  await db
    .insertInto('settings')
    .values({ key: key(name), value, updated_at: nowIso() })
    .onConflict((c) => c.column('key').doUpdateSet({ value, updated_at: nowIso() }))
    .execute();
}

/** The last recorded check of each gateway named. */
export async function gatewayHealth(db: Db, names: readonly GatewayName[]): Promise<Map<GatewayName, GatewayHealth>> {
  if (names.length === 0) return new Map();
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', names.map(key)).execute();
  return new Map(rows.map((row) => [row.key.slice(PREFIX.length) as GatewayName, JSON.parse(row.value) as GatewayHealth]));
}

/** True unless the gateway's last check failed within STALE_AFTER_MS. */
export function isHealthy(health: GatewayHealth | undefined, now = Date.now()): boolean {
  return !health || health.ok || now - Date.parse(health.at) > STALE_AFTER_MS;
}

// The lookup sweep (issue 18 part 3: "provider unreachable → the order stays waiting and the lookup
// job tries again"): every charge still waiting is asked of its gateway, which catches a
// notification that never came; a gateway that does not answer leaves its charges waiting for the
// next sweep. A refund the gateway accepted but has not finished (WeChat Pay's PROCESSING) is asked
// after too, until the gateway says the money went back. Top-ups have no order to expire them: one
// past its time, unpaid, ends here.
import { nowIso } from '../../clock.js';
import type { GatewayContext } from './context.js';
import { applyChargeState } from './credit.js';
import { GatewayUnavailable } from './errors.js';
import { GATEWAY_NAMES, type GatewayName } from './gateway.js';
import { recordGatewayHealth } from './health.js';

/** Charges one sweep asks about. */
const SWEEP_LIMIT = 100;

export interface LookupSweep {
  asked: number;
  credited: number;
  unreachable: number;
}

/** Asks each configured gateway about its waiting charges and unfinished refunds, and ends unpaid top-ups past their time. */
export async function lookUpWaitingCharges(ctx: GatewayContext): Promise<LookupSweep> {
  const names = GATEWAY_NAMES.filter((name) => ctx.gateways.has(name));
  const sweep: LookupSweep = { asked: 0, credited: 0, unreachable: 0 };
  if (names.length === 0) return sweep;
  const waiting = await ctx.db
    .selectFrom('payments')
    .select(['id', 'provider', 'external_id'])
    .where('provider', 'in', names)
    .where((w) => w.or([w('waiting', '=', 1), w('refund_status', '=', 'pending')]))
    .where('external_id', 'is not', null)
    .orderBy('updated_at')
    .limit(SWEEP_LIMIT)
    .execute();
  const down = new Set<string>();
  const up = new Set<GatewayName>();
  for (const charge of waiting) {
    const gateway = ctx.gateways.get(charge.provider as (typeof names)[number])!;
    if (down.has(gateway.name)) continue;
    sweep.asked++;
    try {
      const state = await gateway.lookUp(charge.external_id!);
      up.add(gateway.name);
      if ((await applyChargeState(ctx, gateway.name, state, `lookup:${gateway.name}`)) === 'credited') sweep.credited++;
      // Asked now: the next sweep starts with the charges asked longest ago, so none is starved.
      else await ctx.db.updateTable('payments').set({ updated_at: nowIso() }).where('id', '=', charge.id).execute();
    } catch (error) {
      if (!(error instanceof GatewayUnavailable)) throw error;
      down.add(gateway.name);
      sweep.unreachable++;
      await recordGatewayHealth(ctx.db, gateway.name, { ok: false, problem: error.message });
    }
  }
  // A gateway that answered is offered again (a failed call may have withdrawn it).
  for (const name of up) if (!down.has(name)) await recordGatewayHealth(ctx.db, name, { ok: true });
  const now = nowIso();
  const overdue = ctx.db.updateTable('payments').where('provider', 'in', names).where('purpose', '=', 'topup').where('waiting', '=', 1).where('expires_at', '<=', now);
  await overdue.set({ status: 'expired', waiting: null, updated_at: now }).where('received_units', '=', '0').execute();
  await overdue.set({ status: 'partial', waiting: null, updated_at: now }).execute();
  return sweep;
}

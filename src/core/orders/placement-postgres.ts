// Writing a batch of placements on PostgreSQL: one call of souk_place_orders (migration
// 0003-placement), which is one round trip and one commit for the whole batch.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { AllocatedItem } from '../inventory/index.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

interface OutcomeRow {
  outcome: 'placed' | 'duplicate' | 'stale' | 'out_of_stock' | 'insufficient_balance' | 'failed';
  /** placed: [[stock item id, sealed code], …]; failed: [sqlstate, message]. */
  items: unknown[] | null;
  available: number | null;
  wallet_currency: string | null;
}

function toOutcome(row: OutcomeRow, plan: PlacementPlan): PlacementOutcome {
  switch (row.outcome) {
    case 'placed':
      return { kind: 'placed', items: ((row.items ?? []) as Array<[number, string]>).map(([id, code_enc]): AllocatedItem => ({ id: Number(id), code_enc })) };
    case 'failed': {
      const [code, message] = (row.items ?? []) as [string, string];
      return { kind: 'failed', error: Object.assign(new Error(message), { code }) };
    }
    case 'out_of_stock':
      return { kind: 'out_of_stock', available: row.available ?? 0 };
    case 'insufficient_balance':
      return { kind: 'insufficient_balance', available: row.available ?? 0, currency: row.wallet_currency ?? plan.order.charged_currency };
    default:
      return { kind: row.outcome };
  }
}

/** A deadlock with another process's batch, or a serialization failure: nothing was written. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

async function writeBatch(db: Db, plans: PlacementPlan[]): Promise<PlacementOutcome[]> {
  const result = await sql<OutcomeRow>`select outcome, items, available, wallet_currency from souk_place_orders(${JSON.stringify(plans)}::jsonb)`.execute(db);
  if (result.rows.length !== plans.length) throw new Error(`souk_place_orders answered ${result.rows.length} outcomes for ${plans.length} orders`);
  return result.rows.map((row, i) => toOutcome(row, plans[i]!));
}

export function postgresPlacementWriter(db: Db): PlacementWriter {
  return async (plans) => {
    try {
      return await writeBatch(db, plans);
    } catch (error) {
      // Batches of two processes can lock the same wallets and counters in different orders;
      // PostgreSQL then aborts one. Each order of the aborted batch is tried again alone.
      if (!isRetryable(error)) throw error;
      const outcomes: PlacementOutcome[] = [];
      for (const plan of plans) {
        try {
          outcomes.push(...(await writeBatch(db, [plan])));
        } catch (single) {
          outcomes.push({ kind: 'failed', error: single });
        }
      }
      return outcomes;
    }
  };
}

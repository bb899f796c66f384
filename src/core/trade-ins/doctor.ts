// The invariants trade-in money rests on, for `souk doctor`.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

/** Each decided trade-in's ledger credit equals what it records, at most once; its accepted codes are counted right. */
export async function checkTradeInInvariants(db: Db): Promise<Array<{ invariant: string; detail: string }>> {
  const violations: Array<{ invariant: string; detail: string }> = [];
  const rows = await sql<{ id: string; status: string; credited_minor: number | null; accepted_count: number | null; credits: number | string; credited: number | string | null; accepted: number | string }>`
    select t.id, t.status, t.credited_minor, t.accepted_count,
      (select count(*) from ledger_entries l where l.kind = 'trade_in' and l.reference = 'trade-in:' || t.id) as credits,
      (select sum(l.amount_minor) from ledger_entries l where l.kind = 'trade_in' and l.reference = 'trade-in:' || t.id) as credited,
      (select count(*) from trade_in_codes c where c.trade_in_id = t.id and c.status = 'accepted') as accepted
    from trade_ins t where t.status <> 'verifying'`.execute(db);
  for (const t of rows.rows) {
    const credits = Number(t.credits);
    const credited = Number(t.credited ?? 0);
    const expected = Number(t.credited_minor ?? 0);
    if (credits > 1 || credited !== expected || (expected > 0 && credits !== 1)) {
      violations.push({ invariant: 'trade-ins are credited once', detail: `trade-in ${t.id} records ${expected} credited; its ledger has ${credits} credit(s) of ${credited}` });
    }
    if (Number(t.accepted) !== Number(t.accepted_count ?? 0)) {
      violations.push({ invariant: 'trade-in accepted codes are counted', detail: `trade-in ${t.id} records ${Number(t.accepted_count ?? 0)} accepted; ${Number(t.accepted)} of its codes are` });
    }
    if (t.status === 'rejected' && credits > 0) violations.push({ invariant: 'a rejected trade-in credits nothing', detail: `trade-in ${t.id} is rejected but was credited` });
  }
  return violations;
}

// Money is charged once by the database, not only by the code that charges it:
// - an order's charge is a ledger entry of kind 'order' referenced `order:<id>`, and its refund one
//   of kind 'refund' with the same reference: a unique index per kind makes a second charge, or a
//   second refund, of one order impossible whatever writes it;
// - the order says how it was paid (`payment_provider`: 'wallet' charges one of the buyer's
//   wallets at placement; 'deferred' is paid later, outside the wallets), so `souk doctor` can
//   check that every paid wallet order has exactly one charge equal to what it records.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>): Promise<void> {
  const doubled = await sql<{ kind: string; reference: string }>`
    select kind, reference from ledger_entries where kind in ('order', 'refund') and reference is not null
    group by kind, reference having count(*) > 1`.execute(tx);
  if (doubled.rows.length > 0) {
    const sample = doubled.rows.slice(0, 5).map((r) => `${r.kind} ${r.reference}`).join(', ');
    throw new Error(`${doubled.rows.length} order(s) were charged or refunded more than once (${sample}); repair the ledger before upgrading`);
  }
  await sql`create unique index ledger_entries_order_charge on ledger_entries (reference) where kind = 'order'`.execute(tx);
  await sql`create unique index ledger_entries_order_refund on ledger_entries (reference) where kind = 'refund'`.execute(tx);

  await tx.schema.alterTable('orders').addColumn('payment_provider', 'varchar(20)', (c) => c.notNull().defaultTo('wallet')).execute();
  // Orders placed to be paid later waited for their payment first.
  await sql`update orders set payment_provider = 'deferred'
            where exists (select 1 from order_events e where e.order_id = orders.id and e.to_status = 'awaiting_payment')`.execute(tx);
}

export const chargeOnce: Migration = { name: '0012-charge-once', up };

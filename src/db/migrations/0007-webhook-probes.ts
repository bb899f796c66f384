// The circuit breaker's probe lease: when a paused endpoint's pause is over, the worker that sets
// `probe_until` (a conditional UPDATE only one claimer can win) sends the one probe, and nothing
// else goes to that endpoint until the probe's outcome is recorded or the lease runs out.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import { time } from './columns.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema.alterTable('webhook_endpoints').addColumn('probe_until', time).execute();
}

export const webhookProbes: Migration = { name: '0007-webhook-probes', up };

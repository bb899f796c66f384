// The durable job queue and the schedules of periodic work (core/jobs). A job is a row: its kind,
// its payload, and the lease columns every leased queue shares (status, attempts, next_attempt_at,
// claim_token, locked_until, last_error). A schedule is a row whose next run time is advanced by a
// conditional update, so of any number of processes one takes each run.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;
  await withId(schema.createTable('jobs'), dialect)
    .addColumn('kind', 'varchar(60)', notNull)
    .addColumn('payload', 'text', notNull)
    // Enqueued once per key, whatever the retries of what enqueues it (null: no such promise).
    .addColumn('unique_key', 'varchar(200)', (c) => c.unique())
    .addColumn('status', 'varchar(12)', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', time, notNull)
    .addColumn('claim_token', 'varchar(40)')
    .addColumn('locked_until', time)
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addColumn('finished_at', time)
    .execute();
  // The claim walks these in order: due ones by their time, and running ones whose lease ran out.
  await schema.createIndex('jobs_due').on('jobs').columns(['status', 'next_attempt_at', 'id']).execute();
  await schema.createIndex('jobs_leases').on('jobs').columns(['status', 'locked_until']).execute();

  await schema
    .createTable('job_schedules')
    .addColumn('name', 'varchar(60)', (c) => c.primaryKey())
    .addColumn('next_run_at', time, notNull)
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_run_at', time)
    .addColumn('last_error', 'varchar(500)')
    .addColumn('updated_at', time, notNull)
    .execute();
}

export const jobs: Migration = { name: '0010-jobs', up };

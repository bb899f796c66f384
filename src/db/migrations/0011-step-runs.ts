// Runs of multi-step work with the outside world (core/steps): one row per run, unique by workflow
// and run key so a run is started once, and one row per step it reached, saying whether the step
// is done, failed or undone, with its output sealed. A crash leaves these rows as they were; the
// next runner reads them and goes on from the first step not recorded done, or undoes what ran.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;
  await schema
    .createTable('step_runs')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('workflow', 'varchar(80)', notNull)
    .addColumn('run_key', 'varchar(200)', notNull)
    .addColumn('status', 'varchar(16)', notNull)
    // The input, sealed with the master key: it may carry what a step sends out (credentials, codes).
    .addColumn('input', 'text', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', time, notNull)
    .addColumn('claim_token', 'varchar(40)')
    .addColumn('locked_until', time)
    .addColumn('failed_step', 'varchar(80)')
    .addColumn('last_error', 'varchar(1000)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addColumn('finished_at', time)
    // Starting a run twice with one key finds the first: this is what makes a start run once.
    .addUniqueConstraint('step_runs_key', ['workflow', 'run_key'])
    .execute();
  await schema.createIndex('step_runs_due').on('step_runs').columns(['status', 'next_attempt_at']).execute();

  await withId(schema.createTable('step_run_steps'), dialect)
    .addColumn('run_id', 'varchar(26)', (c) => c.notNull().references('step_runs.id'))
    .addColumn('position', 'integer', notNull)
    .addColumn('name', 'varchar(80)', notNull)
    .addColumn('status', 'varchar(16)', notNull)
    // What the step returned, sealed (JSON inside); null until it is done.
    .addColumn('output', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'varchar(1000)')
    .addColumn('compensation_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('compensation_error', 'varchar(1000)')
    .addColumn('started_at', time, notNull)
    .addColumn('done_at', time)
    .addColumn('compensated_at', time)
    .addUniqueConstraint('step_run_steps_position', ['run_id', 'position'])
    .execute();
}

export const stepRuns: Migration = { name: '0011-step-runs', up };

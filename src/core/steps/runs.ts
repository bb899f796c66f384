// The step runner's tables, step_runs and step_run_steps: nothing else reads or writes them. Every
// write made while a run is driven is conditional on the runner's claim token, so a runner whose
// lease ran out (and whose run another runner took over) can no longer record anything.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import type { RunEnd } from './workflow.js';
import type { StepRunStatus, StepRunsTable, StepRunStepsTable, StepStatus } from '../../db/schema.js';

export type RunRow = StepRunsTable;
export type StepRow = Omit<StepRunStepsTable, 'id'> & { id: number };

/** A runner's hold on a run: every write checks the token, and renews the lease until `lockedUntil`. */
export interface Claim {
  runId: string;
  token: string;
}

const ERROR_LENGTH = 1000;
const cut = (message: string) => message.slice(0, ERROR_LENGTH);

const RUN_COLUMNS = ['id', 'workflow', 'run_key', 'status', 'input', 'next_attempt_at', 'claim_token', 'locked_until', 'created_at', 'updated_at'] as const;
const insertRunRow = queryTemplate(RUN_COLUMNS, (db, p) =>
  db
    .insertInto('step_runs')
    .values({ ...p, attempts: 1, failed_step: null, last_error: null, finished_at: null })
    .onConflict((c) => c.columns(['workflow', 'run_key']).doNothing())
    .returning('id'),
);

/**
 * PostgreSQL: the CTE body that inserts new runs already claimed by their starters, as insertRun
 * does each, those whose key `keyIn` (a subquery) holds; returns the `run_key` of each run
 * inserted (one whose key has a run is left out).
 */
export function pgInsertRuns(runs: readonly RunRow[], keyIn: RawBuilder<unknown>): RawBuilder<{ run_key: string }> {
  return sql<{ run_key: string }>`
        insert into step_runs (id, workflow, run_key, status, input, next_attempt_at, claim_token, locked_until, created_at, updated_at, attempts, failed_step, last_error, finished_at)
        select x.id, x.workflow, x.run_key, x.status, x.input, x.next_attempt_at, x.claim_token, x.locked_until, x.created_at, x.updated_at, x.attempts, null, null, null
        from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb)
          as x(id text, workflow text, run_key text, status text, input text, next_attempt_at text, claim_token text, locked_until text, created_at text, updated_at text, attempts int)
        where x.run_key in (${keyIn})
        on conflict (workflow, run_key) do nothing
        returning run_key`;
}

/** SQLite: inserts new runs already claimed by their starters in the caller's transaction, synchronously, as insertRun does each; whether each was. */
export function sqliteRunInserter(sqlite: SQLite.Database): (run: RunRow) => boolean {
  const insert = sqlite.prepare<RunRow>(
    `insert into step_runs (id, workflow, run_key, status, input, next_attempt_at, claim_token, locked_until, created_at, updated_at, attempts, failed_step, last_error, finished_at)
     values (@id, @workflow, @run_key, @status, @input, @next_attempt_at, @claim_token, @locked_until, @created_at, @updated_at, @attempts, null, null, null)
     on conflict (workflow, run_key) do nothing`,
  );
  return (run) => insert.run(run).changes === 1;
}

/**
 * SQLite: ends runs checkpointed when paused in the caller's transaction, synchronously (a batch
 * writer's), each as writeSteps would; the number ended (a run whose claim was lost is left as it is).
 */
export function sqliteRunEnder(sqlite: SQLite.Database): (ends: readonly RunEnd[]) => number {
  const end = sqlite.prepare<[string, string, string, string]>(
    `update step_runs set status = 'done', claim_token = null, locked_until = null, finished_at = ?, updated_at = ?
     where id = ? and claim_token = ? and status in ('running', 'compensating')`,
  );
  const record = sqlite.prepare<[string, number, string, string, number, string, string]>(
    `insert into step_run_steps (run_id, position, name, status, output, attempts, error, compensation_attempts, compensation_error, started_at, done_at, compensated_at)
     values (?, ?, ?, 'done', ?, ?, null, 0, null, ?, ?, null)
     on conflict (run_id, position) do update set status = excluded.status, output = excluded.output, attempts = excluded.attempts, done_at = excluded.done_at`,
  );
  return (ends) => {
    let ended = 0;
    for (const run of ends) {
      if (end.run(run.at, run.at, run.claim.runId, run.claim.token).changes !== 1) continue;
      ended++;
      for (const step of run.steps) record.run(run.claim.runId, step.position, step.name, step.output, step.attempts, run.at, run.at);
    }
    return ended;
  };
}

/** Inserts a new run already claimed by its starter; false when the workflow has a run with this key. */
export async function insertRun(db: Db, run: Omit<RunRow, 'attempts' | 'failed_step' | 'last_error' | 'finished_at'>): Promise<boolean> {
  return (await insertRunRow.run(db, run)).length === 1;
}

export async function findRun(db: Db, workflow: string, key: string): Promise<RunRow | undefined> {
  return db.selectFrom('step_runs').selectAll().where('workflow', '=', workflow).where('run_key', '=', key).executeTakeFirst();
}

export async function loadSteps(db: Db, runId: string): Promise<StepRow[]> {
  return db.selectFrom('step_run_steps').selectAll().where('run_id', '=', runId).orderBy('position').execute();
}

/**
 * Claims the run of `workflows` that is due first (unfinished, not deferred, its lease run out or
 * never taken), if any. PostgreSQL skips runs another runner is claiming this moment.
 */
export async function claimDueRun(db: Db, dialect: Dialect, workflows: readonly string[], token: string, at: string, lockedUntil: string): Promise<RunRow | undefined> {
  if (!workflows.length) return undefined;
  return db
    .with(
      (cte) => cte('picked').materialized(),
      (q) => {
        const pick = q
          .selectFrom('step_runs')
          .select('id')
          .where('status', 'in', ['running', 'compensating'])
          .where('workflow', 'in', [...workflows])
          .where('next_attempt_at', '<=', at)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(1);
        return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
      },
    )
    .updateTable('step_runs')
    .set({ claim_token: token, locked_until: lockedUntil, attempts: sql<number>`attempts + 1`, updated_at: at })
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    // Checked again on the row as it is now: another runner may have claimed it since it was picked.
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
    .returningAll()
    .executeTakeFirst();
}

/** Renews the claim's lease (and sets `changes`) if the claim still holds; false when it was lost. */
async function holdRun(tx: Db, claim: Claim, at: string, lockedUntil: string, changes: Partial<Pick<RunRow, 'status' | 'failed_step' | 'last_error'>> = {}): Promise<boolean> {
  const held = await tx
    .updateTable('step_runs')
    .set({ ...changes, locked_until: lockedUntil, updated_at: at })
    .where('id', '=', claim.runId)
    .where('claim_token', '=', claim.token)
    .where('status', 'in', ['running', 'compensating'])
    .executeTakeFirst();
  return Number(held.numUpdatedRows) === 1;
}

/** Records that a step is starting (once more); its attempt number, or undefined when the claim was lost. */
export async function recordStepStarted(db: Db, claim: Claim, position: number, name: string, at: string, lockedUntil: string): Promise<number | undefined> {
  return db.transaction().execute(async (tx) => {
    if (!(await holdRun(tx, claim, at, lockedUntil))) return undefined;
    return startStep(tx, claim, position, name, at);
  });
}

/**
 * Records the step at `position` done with its sealed output and, in the same transaction, what
 * comes next: the step `next` starting (its attempt number is returned), or with no next step the
 * run done ('finished'). Undefined when the claim was lost. One transaction where two would do:
 * a run of n steps writes n + 2 transactions, not 2n + 1.
 */
export async function recordStepDoneThen(
  db: Db,
  claim: Claim,
  position: number,
  output: string,
  next: { position: number; name: string } | null,
  at: string,
  lockedUntil: string,
): Promise<number | 'finished' | undefined> {
  return db.transaction().execute(async (tx) => {
    if (next === null) return (await writeLastStepDone(tx, claim, position, output, at)) ? 'finished' : undefined;
    if (!(await holdRun(tx, claim, at, lockedUntil))) return undefined;
    await tx.updateTable('step_run_steps').set({ status: 'done', output, done_at: at }).where('run_id', '=', claim.runId).where('position', '=', position).execute();
    return startStep(tx, claim, next.position, next.name, at);
  });
}

/** A step run without a record so far (a workflow checkpointed when it pauses), as it is to be recorded. */
export interface UnrecordedStep {
  position: number;
  name: string;
  status: 'done' | 'running';
  /** Sealed; null for the step still running. */
  output: string | null;
  attempts: number;
}

/**
 * Records steps that ran without a record and, when `finish`, ends the run: one transaction.
 * False when the claim was lost.
 */
export async function recordSteps(db: Db, claim: Claim, steps: readonly UnrecordedStep[], finish: boolean, at: string, lockedUntil: string): Promise<boolean> {
  return db.transaction().execute((tx) => writeSteps(tx, claim, steps, finish, at, lockedUntil));
}

/** What recordSteps writes, in the caller's transaction `tx`. */
export async function writeSteps(tx: Db, claim: Claim, steps: readonly UnrecordedStep[], finish: boolean, at: string, lockedUntil: string): Promise<boolean> {
  if (finish) {
    if (!(await finishRun(tx, claim, 'done', at))) return false;
  } else if (!(await holdRun(tx, claim, at, lockedUntil))) return false;
  if (!steps.length) return true;
  await tx
    .insertInto('step_run_steps')
    .values(
      steps.map((step) => ({
        run_id: claim.runId,
        position: step.position,
        name: step.name,
        status: step.status,
        output: step.output,
        attempts: step.attempts,
        error: null,
        compensation_attempts: 0,
        compensation_error: null,
        started_at: at,
        done_at: step.status === 'done' ? at : null,
        compensated_at: null,
      })),
    )
    .onConflict((c) =>
      c.columns(['run_id', 'position']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        output: eb.ref('excluded.output'),
        attempts: eb.ref('excluded.attempts'),
        done_at: eb.ref('excluded.done_at'),
      })),
    )
    .execute();
  return true;
}

/** Records the step at `position` done with its sealed output and the run done, in the caller's transaction `tx`; false when the claim was lost. */
export async function writeLastStepDone(tx: Db, claim: Claim, position: number, output: string, at: string): Promise<boolean> {
  if (!(await finishRun(tx, claim, 'done', at))) return false;
  await tx.updateTable('step_run_steps').set({ status: 'done', output, done_at: at }).where('run_id', '=', claim.runId).where('position', '=', position).execute();
  return true;
}

async function startStep(tx: Db, claim: Claim, position: number, name: string, at: string): Promise<number> {
  const row = await tx
    .insertInto('step_run_steps')
    .values({ run_id: claim.runId, position, name, status: 'running', output: null, attempts: 1, error: null, compensation_attempts: 0, compensation_error: null, started_at: at, done_at: null, compensated_at: null })
    .onConflict((c) => c.columns(['run_id', 'position']).doUpdateSet({ status: 'running', attempts: sql<number>`step_run_steps.attempts + 1`, started_at: at }))
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

/** Records a step failed and turns the run to undoing what ran; false when the claim was lost. */
export async function recordStepFailed(db: Db, claim: Claim, position: number, name: string, error: string, at: string, lockedUntil: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await holdRun(tx, claim, at, lockedUntil, { status: 'compensating', failed_step: name, last_error: cut(error) }))) return false;
    await tx.updateTable('step_run_steps').set({ status: 'failed', error: cut(error) }).where('run_id', '=', claim.runId).where('position', '=', position).execute();
    return true;
  });
}

/**
 * Lets go of the run until `nextAt`, recording why (a step that asked to be tried later, or a
 * compensation that failed), on the step at `position` (`compensation`: as its undo's error).
 */
export async function deferRun(db: Db, claim: Claim, position: number, error: string, kind: 'step' | 'compensation', at: string, nextAt: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const released = await tx
      .updateTable('step_runs')
      .set({ next_attempt_at: nextAt, claim_token: null, locked_until: null, last_error: cut(error), updated_at: at })
      .where('id', '=', claim.runId)
      .where('claim_token', '=', claim.token)
      .where('status', 'in', ['running', 'compensating'])
      .executeTakeFirst();
    if (Number(released.numUpdatedRows) !== 1) return false;
    await tx
      .updateTable('step_run_steps')
      .set(kind === 'step' ? { error: cut(error) } : { compensation_error: cut(error) })
      .where('run_id', '=', claim.runId)
      .where('position', '=', position)
      .execute();
    return true;
  });
}

/** Counts one more try at undoing the step at `position`; its attempt number, or undefined when the claim was lost. */
export async function recordCompensationStarted(db: Db, claim: Claim, position: number, at: string, lockedUntil: string): Promise<number | undefined> {
  return db.transaction().execute(async (tx) => {
    if (!(await holdRun(tx, claim, at, lockedUntil))) return undefined;
    const row = await tx
      .updateTable('step_run_steps')
      .set({ compensation_attempts: sql<number>`compensation_attempts + 1` })
      .where('run_id', '=', claim.runId)
      .where('position', '=', position)
      .returning('compensation_attempts')
      .executeTakeFirstOrThrow();
    return row.compensation_attempts;
  });
}

/** Records the step at `position` undone; false when the claim was lost. */
export async function recordCompensated(db: Db, claim: Claim, position: number, at: string, lockedUntil: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await holdRun(tx, claim, at, lockedUntil))) return false;
    await tx.updateTable('step_run_steps').set({ status: 'compensated', compensated_at: at }).where('run_id', '=', claim.runId).where('position', '=', position).execute();
    return true;
  });
}

const finishRunRow = queryTemplate(['runId', 'token', 'status', 'at'], (db, p) =>
  db
    .updateTable('step_runs')
    .set({ status: p.status, claim_token: null, locked_until: null, finished_at: p.at, updated_at: p.at })
    .where('id', '=', p.runId)
    .where('claim_token', '=', p.token)
    .where('status', 'in', ['running', 'compensating'])
    .returning('id'),
);

/** Ends the run (every step done, or every step that ran undone) and lets go of it; false when the claim was lost. */
export async function finishRun(db: Db, claim: Claim, status: Extract<StepRunStatus, 'done' | 'compensated'>, at: string): Promise<boolean> {
  return (await finishRunRow.run(db, { runId: claim.runId, token: claim.token, status, at })).length === 1;
}

export type { StepRunStatus, StepStatus };

/** Makes an unfinished run due now (a callback said its outcome has changed); false when there is none waiting. */
export async function hurryRun(db: Db, workflow: string, key: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('step_runs')
    .set({ next_attempt_at: at })
    .where('workflow', '=', workflow)
    .where('run_key', '=', key)
    .where('status', 'in', ['running', 'compensating'])
    .where('next_attempt_at', '>', at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * PostgreSQL: CTEs that end many runs checkpointed when paused, for the caller's statement in its
 * transaction (`, runs_ended as (…), runs_recorded as (…)`), each as writeSteps would: conditional
 * on its claim, with its step records. `runs_ended` holds the ids of the runs ended; a run missing
 * from it lost its claim, and nothing of it was written.
 */
export function pgEndRuns(ends: readonly RunEnd[]): RawBuilder<unknown> {
  const runs = ends.map((end) => ({ run_id: end.claim.runId, token: end.claim.token, at: end.at }));
  const steps = ends.flatMap((end) => end.steps.map((step) => ({ run_id: end.claim.runId, position: step.position, name: step.name, output: step.output, attempts: step.attempts, at: end.at })));
  return sql`,
      runs_ended as (
        update step_runs r set status = 'done', claim_token = null, locked_until = null, finished_at = x.at, updated_at = x.at
        from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) as x(run_id text, token text, at text)
        -- By key as well as by the join: the planner would rather hash every run than look up a batch's few.
        -- The status is tested so that no index serves it: through step_runs_due (the statistics of
        -- a new shop say few runs are running) it read the entry of every run that ever ran.
        where r.id = x.run_id and r.id = any(${runs.map((r) => r.run_id)}::text[]) and r.claim_token = x.token and (r.status in ('running', 'compensating')) is true
        returning r.id),
      runs_recorded as (
        insert into step_run_steps (run_id, position, name, status, output, attempts, error, compensation_attempts, compensation_error, started_at, done_at, compensated_at)
        select x.run_id, x.position, x.name, 'done', x.output, x.attempts, null, 0, null, x.at, x.at, null
        from jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) as x(run_id text, position int, name text, output text, attempts int, at text)
        where x.run_id in (select id from runs_ended)
        on conflict (run_id, position) do update set status = excluded.status, output = excluded.output, attempts = excluded.attempts, done_at = excluded.done_at)`;
}

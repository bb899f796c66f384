// Drives workflows (workflow.ts) and records each step as it goes (runs.ts). A run goes forward
// from the first step not recorded done; when a step fails, it undoes the steps that ran, last
// first, and records each undo. An undo that fails is recorded and tried again later (the run
// stays `compensating`, visible with its error, until every undo has gone through): it is never
// dropped. A runner holds a run by a claim with a lease, renewed at every record; a runner that
// dies leaves a lease that runs out, and the next resumeRuns() takes the run over. A step that
// outlasts the lease may be taken over while it still runs: one more reason each step is safe to
// run twice, and a reason to keep each one well under the lease (a call with a timeout, not a wait).
import type { Workflow } from './workflow.js';
import { newUlid } from '../ids.js';
import { claimDueRun, findRun, insertRun, type Claim, type RunRow } from './runs.js';
import { asStored, Drive, outcomeOf, STEP_LEASE_MS, type AnyWorkflow, type RunIdentity, type RunOptions, type RunOutcome, type StepDeps } from './drive.js';

export { COMPENSATION_RETRY_SECONDS, STEP_LEASE_MS, type RunIdentity, type RunOptions, type RunOutcome, type RunProgress, type StepDeps } from './drive.js';

/**
 * Starts `workflow` for `key` with `input` and drives it as far as it goes now. A key that already
 * has a run of this workflow starts nothing: its run is left to its runner (or to resumeRuns) and
 * its state is returned with `started: false`. A crash after this returns or while it runs loses
 * nothing: resumeRuns() goes on from the records once the lease has run out.
 */
export async function startRun<I>(deps: StepDeps, workflow: Workflow<I>, key: string, input: I, options: RunOptions = {}): Promise<RunOutcome> {
  const prepared = prepareRun(deps, workflow, key, input, options);
  if (!(await insertRun(deps.db, prepared.row))) {
    const existing = await findRun(deps.db, workflow.name, key);
    if (!existing) throw new Error(`run ${workflow.name}/${key} was neither inserted nor found`);
    return outcomeOf(existing, false);
  }
  return driveInserted(deps, workflow, prepared, options);
}

/** A run made ready to start, claimed by its starter: its row, for the caller to insert (startRun does), then drive with driveInserted. */
export interface PreparedRun {
  readonly row: RunRow;
  readonly claim: Claim;
  /** The input as stored, before sealing: its driver reads it from here instead of opening the seal it just made. */
  readonly storedInput: string;
}

/** Makes the row of a new run of `workflow` for `key`, claimed by this runner, input sealed; nothing is written. */
export function prepareRun<I>(deps: StepDeps, workflow: Workflow<I>, key: string, input: I, options: RunOptions = {}): PreparedRun {
  if (!key || key.length > 200) throw new Error(`a run key is 1 to 200 characters, got ${key.length}`);
  const now = (options.clock ?? (() => new Date()))();
  const at = now.toISOString();
  const claim: Claim = { runId: newUlid(now.getTime()), token: newUlid(now.getTime()) };
  const storedInput = asStored(input);
  const row: RunRow = {
    id: claim.runId,
    workflow: workflow.name,
    run_key: key,
    status: 'running',
    input: deps.box.seal(storedInput),
    attempts: 1,
    next_attempt_at: at,
    claim_token: claim.token,
    locked_until: new Date(now.getTime() + (options.leaseMs ?? STEP_LEASE_MS)).toISOString(),
    failed_step: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    finished_at: null,
  };
  return { row, claim, storedInput };
}

/** Drives a prepared run whose row has committed (inserted by whoever prepared it), as startRun does after inserting it. */
export function driveInserted<I>(deps: StepDeps, workflow: Workflow<I>, prepared: PreparedRun, options: RunOptions = {}): Promise<RunOutcome> {
  return new Drive(deps, workflow as AnyWorkflow, prepared.row, prepared.claim, options, true, prepared.storedInput).go();
}

export interface ResumeOptions extends RunOptions {
  /** Runs to drive in this call, at most (default 20). */
  limit?: number;
  /** Told of a run that could not be driven (its lease runs out and it is tried again); without it, the first such error is thrown after the others ran. */
  onError?: (run: RunIdentity, error: unknown) => void;
}

/**
 * Drives the unfinished runs of `workflows` that are due: started or resumed runs whose runner
 * died (their lease ran out), steps that asked to be tried later, undos that failed. Each run goes
 * on from the first step not recorded done, or goes on undoing. Runs of workflows not named here
 * are left alone. This is what the job queue calls, now and then, in every worker.
 */
export async function resumeRuns(deps: StepDeps, workflows: ReadonlyArray<Workflow<never>>, options: ResumeOptions = {}): Promise<RunOutcome[]> {
  const byName = new Map(workflows.map((w) => [w.name, w]));
  const clock = options.clock ?? (() => new Date());
  const outcomes: RunOutcome[] = [];
  const errors: unknown[] = [];
  for (let i = 0; i < (options.limit ?? 20); i++) {
    const now = clock();
    const token = newUlid(now.getTime());
    const row = await claimDueRun(deps.db, deps.dialect, [...byName.keys()], token, now.toISOString(), new Date(now.getTime() + (options.leaseMs ?? STEP_LEASE_MS)).toISOString());
    if (!row) break;
    try {
      outcomes.push(await new Drive(deps, byName.get(row.workflow)!, row, { runId: row.id, token }, options, false).go());
    } catch (error) {
      const run = { runId: row.id, workflow: row.workflow, key: row.run_key };
      if (options.onError) options.onError(run, error);
      else errors.push(error);
    }
  }
  if (errors.length) throw errors[0];
  return outcomes;
}

// Where a run stands, for an operator or a test: read from its records, never its input or outputs.
import type { Db } from '../../db/index.js';
import type { StepRunStatus, StepStatus } from '../../db/schema.js';
import type { RunIdentity } from './drive.js';
import { findRun, loadSteps } from './runs.js';

export interface RunRecord extends RunIdentity {
  status: StepRunStatus;
  attempts: number;
  failedStep: string | null;
  error: string | null;
  nextAttemptAt: string;
  createdAt: string;
  finishedAt: string | null;
  /** The steps the run reached, in order; their outputs stay sealed. */
  steps: Array<{ name: string; status: StepStatus; attempts: number; error: string | null; compensationAttempts: number; compensationError: string | null }>;
}

/** Where a run stands, for an operator or a test: its status, and each step's, with their errors; never the input or outputs. */
export async function readRun(db: Db, workflow: string, key: string): Promise<RunRecord | undefined> {
  const row = await findRun(db, workflow, key);
  if (!row) return undefined;
  const steps = await loadSteps(db, row.id);
  return {
    runId: row.id,
    workflow: row.workflow,
    key: row.run_key,
    status: row.status,
    attempts: row.attempts,
    failedStep: row.failed_step,
    error: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    steps: steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, error: s.error, compensationAttempts: s.compensation_attempts, compensationError: s.compensation_error })),
  };
}

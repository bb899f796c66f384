// Table types: runs of named steps and each step's record (core/steps).
import type { Generated } from 'kysely';

export type StepRunStatus = 'running' | 'compensating' | 'done' | 'compensated';
export type StepStatus = 'running' | 'done' | 'failed' | 'compensated';

export interface StepRunsTable {
  /** A ULID, stable for the run's whole life: steps derive their idempotency references from it. */
  id: string;
  workflow: string;
  run_key: string;
  status: StepRunStatus;
  /** Sealed JSON. */
  input: string;
  /** How many times a runner took the run (its start, and each resume). */
  attempts: number;
  /** Not taken again before this (a step asked to be tried later, or a compensation is retried). */
  next_attempt_at: string;
  claim_token: string | null;
  /** While in the future, the runner holding `claim_token` has the run. */
  locked_until: string | null;
  failed_step: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface StepRunStepsTable {
  id: Generated<number>;
  run_id: string;
  position: number;
  name: string;
  status: StepStatus;
  /** Sealed JSON; null until the step is done. */
  output: string | null;
  attempts: number;
  error: string | null;
  compensation_attempts: number;
  compensation_error: string | null;
  started_at: string;
  done_at: string | null;
  compensated_at: string | null;
}

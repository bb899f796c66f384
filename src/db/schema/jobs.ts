// Table types: the durable job queue and the schedules of periodic work (core/jobs).
import type { Generated } from 'kysely';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON; never a secret in plaintext (seal it, or name the row that holds it). */
  payload: string;
  unique_key: string | null;
  status: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface JobSchedulesTable {
  name: string;
  /** The run this row waits for; whoever advances it (a conditional update) takes that run. */
  next_run_at: string;
  runs: number;
  last_run_at: string | null;
  last_error: string | null;
  updated_at: string;
}

// One run driven by one runner: forward from the first step not recorded done, and, when a step
// fails, back through the undos of the steps that ran, last first, recording each as it goes
// (runs.ts). The runner (runner.ts) starts or claims runs and hands each to a Drive.
import type { Db, Dialect } from '../../db/index.js';
import type { StepRunStatus, StepStatus } from '../../db/schema.js';
import type { SecretBox } from '../crypto.js';
import {
  deferRun,
  findRun,
  finishRun,
  loadSteps,
  recordCompensated,
  recordCompensationStarted,
  recordStepDoneThen,
  recordSteps,
  type UnrecordedStep,
  recordStepFailed,
  recordStepStarted,
  writeLastStepDone,
  writeSteps,
  type Claim,
  type RunRow,
} from './runs.js';
import { RunTakenOver, TryStepLater, type RunEnd, type Step, type StepContext, type Workflow } from './workflow.js';

/** What the runner needs of the shop: its database, and the box that seals inputs and outputs. */
export interface StepDeps {
  db: Db;
  dialect: Dialect;
  box: SecretBox;
}

/** How long a runner holds a run before another may take it over; renewed at every record. */
export const STEP_LEASE_MS = 120_000;
/** Seconds before a failed undo is tried again, after its 1st, 2nd … failure; then every 6 hours, for as long as it takes. */
export const COMPENSATION_RETRY_SECONDS: readonly number[] = [10, 60, 300, 1800, 7200, 21_600];

export interface RunIdentity {
  runId: string;
  workflow: string;
  key: string;
}

/** What the runner has just recorded: for logs, metrics, and tests that stop a process between two steps. */
export type RunProgress =
  | { kind: 'step-done' | 'step-compensated'; run: RunIdentity; step: string }
  | { kind: 'step-failed' | 'step-deferred' | 'compensation-failed'; run: RunIdentity; step: string; error: string }
  | { kind: 'run-done' | 'run-compensated'; run: RunIdentity };

export interface RunOptions {
  /** STEP_LEASE_MS unless given. */
  leaseMs?: number;
  /** Told of each record once it is written, and awaited before the runner goes on. */
  onProgress?: (event: RunProgress) => void | Promise<void>;
  /** The runner's clock (tests: a runner that comes after a lease ran out). */
  clock?: () => Date;
}

export interface RunOutcome extends RunIdentity {
  /** Whether this call started the run; false when the key had one already, which was left as it was. */
  started: boolean;
  /** `running` or `compensating`: not finished yet (a step asked to be tried later, an undo failed, or another runner holds it). */
  status: StepRunStatus;
  failedStep: string | null;
  error: string | null;
}

export type AnyWorkflow = Workflow<never>;

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export const outcomeOf = (row: RunRow, started: boolean): RunOutcome => ({
  runId: row.id,
  workflow: row.workflow,
  key: row.run_key,
  started,
  status: row.status,
  failedStep: row.failed_step,
  error: row.last_error,
});

/** Stored as JSON, so what a later step or an undo reads is exactly what a resumed run would read. */
export const asStored = (value: unknown): string => JSON.stringify(value ?? null);

export class Drive {
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly states = new Map<number, StepStatus>();
  /** Attempts recorded per step position (a run checkpointed when paused counts on from them). */
  private readonly attempts = new Map<number, number>();
  /** Outputs by step name: opened from their records when asked, or kept from this drive. */
  private readonly outputs = new Map<string, unknown>();
  private readonly sealedOutputs = new Map<string, string>();
  private input: never = null as never;

  constructor(
    private readonly deps: StepDeps,
    private readonly workflow: AnyWorkflow,
    private run: RunRow,
    private readonly claim: Claim,
    private readonly options: RunOptions,
    private readonly started: boolean,
    /** The run's input as stored, when its starter has it at hand (its row holds it sealed). */
    private readonly storedInput?: string,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? STEP_LEASE_MS;
  }

  private times() {
    const now = this.clock();
    return { now, at: now.toISOString(), until: new Date(now.getTime() + this.leaseMs).toISOString() };
  }

  private get identity(): RunIdentity {
    return { runId: this.run.id, workflow: this.run.workflow, key: this.run.run_key };
  }

  private async tell(event: RunProgress): Promise<void> {
    await this.options.onProgress?.(event);
  }

  private outputOf(name: string): unknown {
    if (this.outputs.has(name)) return this.outputs.get(name);
    const sealed = this.sealedOutputs.get(name);
    if (sealed === undefined) throw new Error(`run ${this.run.id}: step ${name} has no recorded output (it has not run before the step asking for it)`);
    const value: unknown = JSON.parse(this.deps.box.open(sealed));
    this.outputs.set(name, value);
    return value;
  }

  private context(step: Step<never, unknown>, attempt: number, finishIn?: StepContext['finishIn'], finishing?: StepContext['finishing']): StepContext {
    return {
      runId: this.run.id,
      runKey: this.run.run_key,
      reference: `${this.run.id}.${step.name}`,
      attempt,
      outputOf: <O>(earlier: Step<never, O>) => this.outputOf(earlier.name) as O,
      ...(finishIn ? { finishIn } : {}),
      ...(finishing ? { finishing } : {}),
    };
  }

  /** The claim was lost (the lease ran out and another runner took the run): say where the run stands. */
  private async lost(): Promise<RunOutcome> {
    const row = await findRun(this.deps.db, this.run.workflow, this.run.run_key);
    return outcomeOf(row ?? this.run, this.started);
  }

  private finished(status: StepRunStatus, failedStep = this.run.failed_step, error = this.run.last_error): RunOutcome {
    this.run = { ...this.run, status, failed_step: failedStep, last_error: error };
    return outcomeOf(this.run, this.started);
  }

  async go(): Promise<RunOutcome> {
    const steps = this.workflow.steps;
    // A run this drive has just inserted has no step records yet.
    for (const record of this.started ? [] : await loadSteps(this.deps.db, this.run.id)) {
      if (steps[record.position]?.name !== record.name) {
        throw new Error(`run ${this.run.id} of ${this.workflow.name} recorded step ${record.name} at place ${record.position + 1}, where the workflow now has ${steps[record.position]?.name ?? 'none'}; it is left as it is`);
      }
      this.states.set(record.position, record.status);
      this.attempts.set(record.position, record.attempts);
      if (record.output !== null) this.sealedOutputs.set(record.name, record.output);
    }
    this.input = JSON.parse(this.storedInput ?? this.deps.box.open(this.run.input)) as never;
    if (this.run.status === 'running') {
      const forward = await this.forward();
      if (forward) return forward;
    }
    return this.compensate();
  }

  /** Runs the steps not recorded done, in order; undefined when one failed and the run must be undone. */
  private async forward(): Promise<RunOutcome | undefined> {
    const steps = this.workflow.steps;
    const nextToRun = (after: number) => {
      for (let position = after + 1; position < steps.length; position++) if (this.states.get(position) !== 'done') return position;
      return undefined;
    };
    const whenPaused = this.workflow.checkpoints === 'when-paused';
    // Steps run but not recorded yet (checkpoints when paused), written with the run's next record.
    const unrecorded: UnrecordedStep[] = [];
    const flush = async (current: UnrecordedStep | undefined, finish: boolean, t: { at: string; until: string }) => {
      const steps = current ? [...unrecorded, current] : [...unrecorded];
      if (!steps.length && !finish) return true;
      if (!(await recordSteps(this.deps.db, this.claim, steps, finish, t.at, t.until))) return false;
      for (const done of unrecorded.splice(0)) await this.tell({ kind: 'step-done', run: this.identity, step: done.name });
      return true;
    };
    // The attempt number of the step about to run, once its start is recorded (with the previous step's end).
    let started: number | undefined;
    for (let position = nextToRun(-1); position !== undefined; ) {
      const step = steps[position]!;
      let t = this.times();
      const attempt = started ?? (whenPaused ? (this.attempts.get(position) ?? 0) + 1 : await recordStepStarted(this.deps.db, this.claim, position, step.name, t.at, t.until));
      started = undefined;
      if (attempt === undefined) return this.lost();
      // The last step may end the run in its own transaction (ctx.finishIn).
      let finishedIn: { stored: string } | undefined;
      const here = position;
      const finishIn =
        nextToRun(position) !== undefined
          ? undefined
          : async (tx: Db, value: unknown) => {
              const stored = asStored(value);
              const at = this.times();
              const sealed = this.deps.box.seal(stored);
              const recorded = whenPaused
                ? await writeSteps(tx, this.claim, [...unrecorded, { position: here, name: step.name, status: 'done', output: sealed, attempts: attempt }], true, at.at, at.until)
                : await writeLastStepDone(tx, this.claim, here, sealed, at.at);
              if (!recorded) throw new RunTakenOver(this.run.id);
              finishedIn = { stored };
            };
      // The same end, written by a batch writer instead (when paused only: its step records are all still unwritten).
      const finishing =
        !whenPaused || nextToRun(position) !== undefined
          ? undefined
          : (value: unknown): RunEnd => {
              const stored = asStored(value);
              const sealed = this.deps.box.seal(stored);
              return {
                claim: this.claim,
                at: this.times().at,
                steps: [...unrecorded.map((s) => ({ ...s, status: 'done' as const, output: s.output! })), { position: here, name: step.name, status: 'done', output: sealed, attempts: attempt }],
                ended: () => void (finishedIn = { stored }),
              };
            };
      let output: unknown;
      try {
        output = await step.run(this.input, this.context(step, attempt, finishIn, finishing));
      } catch (error) {
        if (error instanceof RunTakenOver) return this.lost();
        // Whatever the step recorded in a transaction that then failed was rolled back with it.
        finishedIn = undefined;
        t = this.times();
        const message = describe(error);
        // The steps that ran before it, and this one's start, are recorded before its pause is.
        if (whenPaused && !(await flush({ position, name: step.name, status: 'running', output: null, attempts: attempt }, false, t))) return this.lost();
        if (error instanceof TryStepLater) {
          const nextAt = new Date(t.now.getTime() + Math.max(0, error.retryInMs)).toISOString();
          if (!(await deferRun(this.deps.db, this.claim, position, message, 'step', t.at, nextAt))) return this.lost();
          await this.tell({ kind: 'step-deferred', run: this.identity, step: step.name, error: message });
          return this.finished('running', this.run.failed_step, message);
        }
        if (!(await recordStepFailed(this.deps.db, this.claim, position, step.name, message, t.at, t.until))) return this.lost();
        this.states.set(position, 'failed');
        this.run = { ...this.run, status: 'compensating', failed_step: step.name, last_error: message };
        await this.tell({ kind: 'step-failed', run: this.identity, step: step.name, error: message });
        return undefined;
      }
      if (finishedIn) {
        this.states.set(position, 'done');
        this.outputs.set(step.name, JSON.parse(finishedIn.stored));
        for (const done of [...unrecorded.splice(0), { name: step.name }]) await this.tell({ kind: 'step-done', run: this.identity, step: done.name });
        await this.tell({ kind: 'run-done', run: this.identity });
        return this.finished('done');
      }
      const stored = asStored(output);
      const next = nextToRun(position);
      t = this.times();
      if (whenPaused) {
        unrecorded.push({ position, name: step.name, status: 'done', output: this.deps.box.seal(stored), attempts: attempt });
        this.states.set(position, 'done');
        this.outputs.set(step.name, JSON.parse(stored));
        if (next !== undefined) {
          position = next;
          continue;
        }
        if (!(await flush(undefined, true, t))) return this.lost();
        await this.tell({ kind: 'run-done', run: this.identity });
        return this.finished('done');
      }
      const recorded = await recordStepDoneThen(this.deps.db, this.claim, position, this.deps.box.seal(stored), next === undefined ? null : { position: next, name: steps[next]!.name }, t.at, t.until);
      if (recorded === undefined) return this.lost();
      this.states.set(position, 'done');
      this.outputs.set(step.name, JSON.parse(stored));
      await this.tell({ kind: 'step-done', run: this.identity, step: step.name });
      if (recorded === 'finished') {
        await this.tell({ kind: 'run-done', run: this.identity });
        return this.finished('done');
      }
      started = recorded;
      position = next;
    }
    // Every step was recorded done already (a run resumed after its last record).
    if (!(await finishRun(this.deps.db, this.claim, 'done', this.times().at))) return this.lost();
    await this.tell({ kind: 'run-done', run: this.identity });
    return this.finished('done');
  }

  /** Undoes the steps recorded done, last first; stops at an undo that fails, to try it again later. */
  private async compensate(): Promise<RunOutcome> {
    const steps = this.workflow.steps;
    for (let position = steps.length - 1; position >= 0; position--) {
      if (this.states.get(position) !== 'done') continue;
      const step = steps[position]!;
      let t = this.times();
      const attempt = await recordCompensationStarted(this.deps.db, this.claim, position, t.at, t.until);
      if (attempt === undefined) return this.lost();
      try {
        if (step.compensate) await step.compensate(this.input, this.outputOf(step.name) as never, this.context(step, attempt));
      } catch (error) {
        t = this.times();
        const message = describe(error);
        const waitSeconds = COMPENSATION_RETRY_SECONDS[Math.min(attempt, COMPENSATION_RETRY_SECONDS.length) - 1]!;
        const nextAt = new Date(t.now.getTime() + waitSeconds * 1000).toISOString();
        if (!(await deferRun(this.deps.db, this.claim, position, message, 'compensation', t.at, nextAt))) return this.lost();
        await this.tell({ kind: 'compensation-failed', run: this.identity, step: step.name, error: message });
        return this.finished('compensating', this.run.failed_step, message);
      }
      t = this.times();
      if (!(await recordCompensated(this.deps.db, this.claim, position, t.at, t.until))) return this.lost();
      this.states.set(position, 'compensated');
      await this.tell({ kind: 'step-compensated', run: this.identity, step: step.name });
    }
    if (!(await finishRun(this.deps.db, this.claim, 'compensated', this.times().at))) return this.lost();
    await this.tell({ kind: 'run-compensated', run: this.identity });
    return this.finished('compensated');
  }
}

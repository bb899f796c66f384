// What a workflow is: an ordered list of named steps, each a short function with its undo beside
// it. The runner (runner.ts) records every step it finishes, so a step never runs again once it is
// recorded done; a step may still run twice when its process dies before the record is written,
// so each one must be safe to run again, and passes `ctx.reference` to whatever it asks of the
// outside world so the outside world can tell a repeat from a new request.
import type { Db } from '../../db/index.js';

/** What the runner gives a step besides the run's input. */
export interface StepContext {
  /** The run's id (a ULID), the same in every process and attempt. */
  readonly runId: string;
  /** The key the run was started with (for the upstream forwarding: the local order id). */
  readonly runKey: string;
  /**
   * This step's idempotency reference, `<run id>.<step name>`: the same on every attempt, resume
   * and compensation of this step in this run, different for every other step and run. Give it to
   * the outside as the key of the request the step makes.
   */
  readonly reference: string;
  /** 1 on the first try of the step (or of its compensation), 2 on the next … */
  readonly attempt: number;
  /** What an earlier step of this run returned (as stored: JSON, so `undefined` reads as null). */
  outputOf<O>(step: Step<never, O>): O;
  /**
   * The last step's only (undefined in any other): records this step done with `output`, and the
   * run done, in the step's own transaction `tx`, so that its last write and the run's end commit
   * together or not at all; the step then returns that same output. Throws RunTakenOver, which
   * must roll `tx` back and leave the step, when another runner has taken the run over.
   */
  readonly finishIn?: (tx: Db, output: unknown) => Promise<void>;
  /**
   * The last step's only, in a workflow checkpointed when paused: what finishIn would write, for a
   * writer that ends many runs in one statement (pgEndRuns). Once that transaction has
   * committed with the run's end in it, the step calls `ended()` and returns that same output.
   */
  readonly finishing?: (output: unknown) => RunEnd;
}

/** A run's end as pgEndRuns writes it: the claim it is conditional on, and the step records that go with it. */
export interface RunEnd {
  readonly claim: { readonly runId: string; readonly token: string };
  readonly at: string;
  readonly steps: ReadonlyArray<{ position: number; name: string; status: 'done'; output: string; attempts: number }>;
  /** Tells the runner the run's end has committed. */
  ended(): void;
}

/**
 * One named step: `run` does it and returns what later steps and its compensation need (JSON);
 * `compensate` undoes it, given that output. Both must be safe to run again. A step without
 * `compensate` has nothing to undo (a read, a check). Outputs rest sealed; an error's message is
 * stored as it is, so it must name no secret.
 */
export interface Step<I, O> {
  readonly name: string;
  run(input: I, ctx: StepContext): Promise<O>;
  compensate?(input: I, output: O, ctx: StepContext): Promise<void>;
}

/**
 * When the runner records a run's steps. `every-step`: each step's start and end, so a crash
 * re-runs at most the step it stopped in. `when-paused`: only when the run pauses (a step asks
 * to be tried later, or fails) or ends, in one transaction: a run that goes straight through
 * writes its start and its end and nothing between, and a crash re-runs it from its last record.
 * Only for workflows whose steps keep their own state where the outside world is concerned
 * (the upstream forwarding keeps it in upstream_orders) and are cheap to run again.
 */
export type Checkpoints = 'every-step' | 'when-paused';

/** A workflow: its name (stored with each run), its steps in order, and when they are recorded. */
export interface Workflow<I> {
  readonly name: string;
  readonly steps: ReadonlyArray<Step<I, unknown>>;
  readonly checkpoints: Checkpoints;
}

/**
 * Thrown by a step whose outcome is not known yet (an upstream that timed out, an answer still
 * pending): nothing is undone; the step runs again after `retryInMs`, with the same reference.
 * Any other error from a step fails the run and undoes the steps that ran.
 */
export class TryStepLater extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
    this.name = 'TryStepLater';
  }
}

/** Thrown by ctx.finishIn when this runner's claim on the run was lost: the step's transaction must roll back. */
export class RunTakenOver extends Error {
  constructor(runId: string) {
    super(`run ${runId} was taken over by another runner`);
    this.name = 'RunTakenOver';
  }
}

const NAME = /^[a-z][a-z0-9-]{0,79}$/;

/** A step, named for what it does (`reserve-at-upstream`); its undo sits beside it. */
export function defineStep<I, O>(name: string, body: { run: Step<I, O>['run']; compensate?: Step<I, O>['compensate'] }): Step<I, O> {
  if (!NAME.test(name)) throw new Error(`step name "${name}": lower-case letters, digits and -, at most 80`);
  return { name, run: body.run, ...(body.compensate ? { compensate: body.compensate } : {}) };
}

/**
 * A workflow of `steps`, run in order. Its name and its steps' names are stored with each run:
 * renaming or reordering the steps of a workflow that has unfinished runs makes those runs refuse
 * to resume (they name another step at that place) rather than run the wrong one.
 */
export function defineWorkflow<I>(name: string, steps: ReadonlyArray<Step<I, unknown>>, options: { checkpoints?: Checkpoints } = {}): Workflow<I> {
  if (!NAME.test(name)) throw new Error(`workflow name "${name}": lower-case letters, digits and -, at most 80`);
  if (!steps.length) throw new Error(`workflow ${name} has no steps`);
  const names = new Set(steps.map((s) => s.name));
  if (names.size !== steps.length) throw new Error(`workflow ${name} names a step twice`);
  return { name, steps: [...steps], checkpoints: options.checkpoints ?? 'every-step' };
}

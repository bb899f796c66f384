// Steps: multi-step work with the outside world, written as named steps each with its undo beside
// it (Medusa's workflow steps are the model), and a runner that records every step in the
// database so that a crash resumes the run where it stopped, and a failure undoes what ran, in
// reverse, recording each undo and retrying one that fails. Inputs and outputs rest sealed.
//
// Its first user is the upstream order forwarding (next issue): reserve the local order's goods,
// send the order to the upstream with the local order id as its client order id (ctx.reference
// for every other call), follow it until it ends, deliver the codes; if the upstream refuses, the
// steps that ran are undone (the upstream order cancelled, the buyer refunded). The job queue
// calls resumeRuns() in every worker; nothing here runs by itself.
export { defineStep, defineWorkflow, RunTakenOver, TryStepLater, type Checkpoints, type RunEnd, type Step, type StepContext, type Workflow } from './workflow.js';
export { hurryRun, insertRun, pgEndRuns, pgInsertRuns, sqliteRunEnder, sqliteRunInserter } from './runs.js';
export { COMPENSATION_RETRY_SECONDS, STEP_LEASE_MS, type RunIdentity, type RunOptions, type RunOutcome, type RunProgress, type StepDeps } from './drive.js';
export { driveInserted, prepareRun, resumeRuns, startRun, type PreparedRun, type ResumeOptions } from './runner.js';
export { readRun, type RunRecord } from './read-run.js';

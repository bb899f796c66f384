// `souk job`: the durable job queue as the operator sees it: jobs by status (dead ones with their
// last error; payloads are never shown) and running a dead one again.
import { Command, Option } from 'commander';
import { JOB_STATUSES, listJobs, rerunJob, type JobStatus } from '../core/jobs/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk job` to the program. */
export function registerJobCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const job = program.command('job').description('queued jobs: list them, run a dead one again');
  job
    .command('list')
    .addOption(new Option('--status <status>', 'only jobs in this state').choices([...JOB_STATUSES]))
    .option('--kind <kind>', 'only jobs of this kind')
    .option('--limit <n>', 'at most this many, newest first (default 100)', wholeNumber('--limit'))
    .option('--json', 'print JSON')
    .action(async (options: { status?: JobStatus; kind?: string; limit?: number; json?: boolean }) => {
      const jobs = await withSouk((souk) => listJobs(souk.db, { ...(options.status ? { status: options.status } : {}), ...(options.kind ? { kind: options.kind } : {}), ...(options.limit ? { limit: options.limit } : {}) }));
      const lines = jobs.map((j) => `${j.id}  ${j.kind}  ${j.status}  ${j.attempts} attempt${j.attempts === 1 ? '' : 's'}${j.last_error ? `  ${j.last_error}` : ''}`);
      print(options.json, { jobs }, lines.join('\n') || 'No jobs.');
    });
  job
    .command('rerun')
    .argument('<id>', 'the job id', wholeNumber('id'))
    .option('--json', 'print JSON')
    .action(async (id: number, options: { json?: boolean }) => {
      await withSouk((souk) => rerunJob(souk.db, id));
      print(options.json, { rerun: id }, `Job ${id} will run again.`);
    });
}

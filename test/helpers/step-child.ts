// A process that starts one run of the test workflow (step-workflows.ts) and stops at the point
// the test names, saying so on stdout, so the test can SIGKILL it exactly there:
//   STEP_STOP=after-reserve  once `reserve` is recorded done, before `send` starts;
//   STEP_STOP=inside-send    once `send`'s call was answered, before the step returns.
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { startRun } from '../../src/core/steps/index.js';
import { forwardingWorkflow } from './step-workflows.js';

const stop = process.env.STEP_STOP;
const forever = () => new Promise<never>(() => undefined);
const souk = await openSouk(loadConfig(process.env));
const workflow = forwardingWorkflow(process.env.STEP_EFFECTS_URL!, {
  afterCall: async (step) => {
    if (stop === 'inside-send' && step === 'send') {
      process.stdout.write('stopped inside send\n');
      await forever();
    }
  },
});
await startRun({ db: souk.db, dialect: souk.dialect, box: souk.box }, workflow, process.env.STEP_RUN_KEY!, { orderId: process.env.STEP_RUN_KEY!, secret: 'SECRET-OF-THE-CHILD' }, {
  onProgress: async (event) => {
    if (stop === 'after-reserve' && event.kind === 'step-done' && event.step === 'reserve') {
      process.stdout.write('stopped after reserve\n');
      await forever();
    }
  },
});
process.stdout.write('finished\n');
await souk.close();

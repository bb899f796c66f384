// `souk doctor`: checks every invariant from the tables; a non-zero exit names each violation.
import type { Command } from 'commander';
import { checkInvariants } from '../core/orders/index.js';
import { checkTradeInInvariants } from '../core/trade-ins/index.js';
import { cliTools } from './tools.js';

/** Adds `souk doctor` to the program. */
export function registerDoctorCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('doctor')
    .description('check every invariant: wallets equal their ledgers, no code sold twice, fulfilled orders paid and delivered, counters match')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const violations = await withSouk(async (souk) => [...(await checkInvariants(souk.db)), ...(await checkTradeInInvariants(souk.db))]);
      if (options.json) process.stdout.write(JSON.stringify({ ok: violations.length === 0, violations }) + '\n');
      else if (!violations.length) process.stdout.write('All invariants hold.\n');
      for (const v of violations) process.stderr.write(`souk doctor: ${v.invariant}: ${v.detail}\n`);
      if (violations.length) process.exitCode = 1;
    });
}

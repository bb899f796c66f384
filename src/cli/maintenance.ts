// `souk doctor` and `souk rekey`: checking the invariants, and sealing again after a key rotation.
import type { Command } from 'commander';
import { checkInvariants } from '../core/orders/index.js';
import { rekeySealedValues } from '../core/rekey.js';
import { cliTools, print } from './tools.js';

/** Adds `souk doctor` and `souk rekey` to the program. */
export function registerMaintenanceCommands(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('doctor')
    .description('check every invariant: wallets equal their ledgers, no code sold twice, fulfilled orders paid and delivered, counters match')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const violations = await withSouk((souk) => checkInvariants(souk.db));
      if (options.json) process.stdout.write(JSON.stringify({ ok: violations.length === 0, violations }) + '\n');
      else if (!violations.length) process.stdout.write('All invariants hold.\n');
      for (const v of violations) process.stderr.write(`souk doctor: ${v.invariant}: ${v.detail}\n`);
      if (violations.length) process.exitCode = 1;
    });

  program
    .command('rekey')
    .description('after a master key rotation: seal everything sealed under a previous key (SOUK_PREVIOUS_MASTER_KEYS) again under SOUK_MASTER_KEY; safe while serving, and to run again')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const result = await withSouk((souk) => rekeySealedValues(souk.db, souk.box));
      const total = Object.values(result.resealed).reduce((a, b) => a + b, 0);
      const lines = Object.entries(result.resealed).map(([column, count]) => `  ${column}: ${count}`);
      print(options.json, { key_id: result.keyId, resealed: result.resealed }, `Sealed ${total} value(s) again under master key ${result.keyId}:\n${lines.join('\n')}`);
    });
}

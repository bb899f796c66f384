// `souk rekey`: after a master key rotation, seal everything again under the current key.
import type { Command } from 'commander';
import { rekeySealedValues } from '../core/rekey.js';
import { cliTools, print } from './tools.js';

/** Adds `souk rekey` to the program. */
export function registerRekeyCommand(program: Command): void {
  const { withSouk } = cliTools(program);
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

// `souk stock import`: codes for a stock product, from a file or standard input.
import path from 'node:path';
import type { Command } from 'commander';
import { importStock } from '../core/inventory/index.js';
import { openLines, progressBar } from './lines.js';
import { cliTools, print } from './tools.js';

/** Adds `souk stock` to the program. */
export function registerStockCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('stock')
    .description('stock codes')
    .command('import')
    .requiredOption('--product <ref>', 'product id, code or slug')
    .argument('<file>', 'one code per line; - reads standard input')
    .option('--batch <name>', 'a label for this delivery of codes')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { product: string; batch?: string; json?: boolean }) => {
      const source = await openLines(file);
      const bar = progressBar(source.totalBytes);
      try {
        const result = await withSouk((souk) =>
          importStock({ db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect }, options.product, source.lines, {
            batch: options.batch ?? path.basename(file === '-' ? 'stdin' : file),
            onProgress: (p) => bar.update(source.bytesRead(), p),
          }),
        );
        bar.stop();
        print(options.json, { ...result }, `Imported ${result.imported}, skipped ${result.duplicates} duplicate(s) and ${result.blank} blank line(s).`);
      } finally {
        bar.stop();
      }
    });
}

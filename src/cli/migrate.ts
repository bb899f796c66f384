// `souk migrate`: apply the migrations the database has not had yet.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { migrations, openDatabase, runMigrations } from '../db/index.js';
import { cliTools, print } from './tools.js';

/** Adds `souk migrate` to the program. */
export function registerMigrateCommand(program: Command): void {
  const { configFlags } = cliTools(program);
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(process.env, configFlags());
      const handle = openDatabase(config.database);
      try {
        const applied = await runMigrations(handle.db, handle.dialect, migrations);
        print(options.json, { applied }, applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.');
      } finally {
        await handle.close();
      }
    });
}

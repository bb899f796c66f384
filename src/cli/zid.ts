// `souk zid`: Souk and the merchant stores it serves on Zid. Each subcommand is a function that adds
// itself to the group (ZID_SUBCOMMANDS lists them in the order help shows). `simulate` runs the Zid
// simulator of the checkout's test/fakes/zid, so the connector can be tried without Zid.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { wholeNumber } from './tools.js';

/** Adds one subcommand to `souk zid`; `program` gives the global flags (cliTools(program)). */
export type ZidSubcommand = (zid: Command, program: Command) => void;

/** The checkout's root, whether this runs from src/cli or from dist/cli. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SIMULATOR = path.join(ROOT, 'test/fakes/zid/main.ts');

interface SimulatorProgram {
  runZidSimulator(options: { port?: number; redirectUri?: string }): Promise<void>;
}

function isSimulatorProgram(module: unknown): module is SimulatorProgram {
  return typeof module === 'object' && module !== null && typeof (module as Record<string, unknown>).runZidSimulator === 'function';
}

/** `souk zid simulate`: a seeded Zid simulator on 127.0.0.1 until stopped; prints Souk's settings, then a ready line. */
export const addSimulate: ZidSubcommand = (zid) => {
  zid
    .command('simulate')
    .description('run a local Zid simulator (a demo store, automatic approval) to try the Zid connector without Zid')
    .option('--port <port>', 'port to listen on, 127.0.0.1 (default: any free port)', wholeNumber('--port'))
    .option('--redirect-uri <url>', 'the callback Souk sends (SOUK_ZID_REDIRECT_URI)', 'http://127.0.0.1:8080/connect/zid/callback')
    .action(async (options: { port?: number; redirectUri: string }) => {
      if (options.port !== undefined && options.port > 65_535) throw new Error('--port must be at most 65535');
      // The simulator is test code: it ships with a checkout, not in dist/, so it is loaded through tsx.
      if (!existsSync(SIMULATOR)) throw new Error(`the Zid simulator is not here (${SIMULATOR}); run souk from a checkout of its sources`);
      const { tsImport } = await import('tsx/esm/api');
      const simulator: unknown = await tsImport(pathToFileURL(SIMULATOR).href, import.meta.url);
      if (!isSimulatorProgram(simulator)) throw new Error(`${SIMULATOR} does not export runZidSimulator`);
      await simulator.runZidSimulator({ ...(options.port !== undefined ? { port: options.port } : {}), redirectUri: options.redirectUri });
    });
};

/** The subcommands of `souk zid`, in the order `souk zid --help` lists them. */
export const ZID_SUBCOMMANDS: ZidSubcommand[] = [addSimulate];

/** Adds `souk zid` and its subcommands to the program; returns the group. */
export function registerZidCommand(program: Command): Command {
  const zid = program.command('zid').description('Zid: merchant stores on Zid, and a local Zid simulator');
  for (const add of ZID_SUBCOMMANDS) add(zid, program);
  return zid;
}

// What every `souk` subcommand shares: the global flags, an open shop for the length of a command,
// printing a human line or one JSON object, whole-number flags and the one-line reason of an error.
import type { Command } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.js';
import { openSouk, type Souk } from '../app.js';
import { DomainError } from '../core/errors.js';

/** The global flags and an open shop, for the commands of `program`. */
export function cliTools(program: Command) {
  function configFlags(extra: ConfigFlags = {}): ConfigFlags {
    const global = program.opts<{ dataDir?: string; databaseUrl?: string }>();
    return { dataDir: global.dataDir, databaseUrl: global.databaseUrl, ...extra };
  }

  /** Runs a command with an open Souk and closes it after, whatever happens. */
  async function withSouk<T>(run: (souk: Souk) => Promise<T>): Promise<T> {
    const souk = await openSouk(loadConfig(process.env, configFlags()));
    try {
      return await run(souk);
    } finally {
      await souk.close();
    }
  }

  return { configFlags, withSouk };
}

/** What the webhook functions need of an open shop. */
export function webhookDeps(souk: Souk) {
  return { db: souk.db, box: souk.box, allowPrivate: souk.config.webhookAllowPrivate };
}

export function print(json: boolean | undefined, object: Record<string, unknown>, human: string) {
  process.stdout.write(json ? JSON.stringify(object) + '\n' : human + '\n');
}

export function wholeNumber(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

/** An error as one line: a domain error's message with each field problem it does not already say. */
export function reason(error: unknown): string {
  if (error instanceof DomainError) {
    const fields = (error.details?.fields as Array<{ field: string; message: string }> | undefined) ?? [];
    // Most messages already name their fields' problems; say each one once.
    const unsaid = fields.filter((f) => !error.message.includes(f.message));
    if (!unsaid.length) return error.message;
    return `${error.message.replace(/[.:\s]+$/, '')}: ${unsaid.map((f) => `${f.field} ${f.message}`).join('; ')}.`;
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

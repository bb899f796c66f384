// What the order and webhook benchmarks share: child processes whose output goes to a log file
// (not a pipe into the load generator), and PostgreSQL databases of their own.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Env } from '../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const POSTGRES = process.env.SOUK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Started {
  /** The first group of `ready`: the URL, where the process serves one. */
  url: string;
  /** The process id (for its CPU time in /proc). */
  pid: number | undefined;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` in the repository and resolves once its log shows `ready`.
 * BENCH_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it stops.
 */
export async function startProcess(args: string[], env: Env, ready: RegExp, logFile: string): Promise<Started> {
  const fd = openSync(logFile, 'w');
  if (process.env.BENCH_CPU_PROF) args = ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF, ...args];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  for (let waited = 0; waited < 60_000; waited += 50) {
    const match = ready.exec(readFileSync(logFile, 'utf8'));
    if (match) return { url: match[1] ?? '', pid: child.pid, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stop();
  throw new Error(`${args.join(' ')} did not start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

/** A fresh PostgreSQL database for one benchmark target, and how to drop it. */
/**
 * Writes PostgreSQL's dirty pages out now. Seeding a target writes hundreds of MB of WAL; without
 * this, the checkpoint that volume calls for can land inside whichever target is measured next.
 */
export async function checkpointPostgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  try {
    await admin.query('checkpoint');
  } finally {
    await admin.end();
  }
}

export async function createPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database per name: a PostgreSQL database each, or a SQLite file each under `dir`, removed
 * with its WAL when dropped (so the kernel does not write back hundreds of MB of pages while the
 * next target is measured).
 */
export async function benchDatabases(kind: 'sqlite' | 'postgres', dir: string, prefix: string, names: readonly string[]): Promise<BenchDatabase[]> {
  if (kind === 'postgres') return Promise.all(names.map(() => createPostgresDatabase(`souk_${prefix}`)));
  return names.map((name) => {
    const file = path.join(dir, `${prefix}-${name}.db`);
    return { url: `sqlite:${file}`, drop: async () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(file + suffix, { force: true })) };
  });
}

// Real `souk` processes, for what only a process can show: the CLI contract, several servers
// sharing one database and Redis, shutdown on SIGTERM, the demo banner.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/souk.js');

/**
 * How long a process may take to say it is ready before the test gives up. Only a ceiling: every
 * wait ends at the process's own ready line. Generous, because on a busy 2-core machine four
 * servers starting at once took over 30 s.
 */
export const START_CEILING_MS = 180_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(env: Env): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '' };
  return { ...base, ...env };
}

export function runCli(args: string[], env: Env, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `souk serve --port 0 …` and resolves once it prints where it serves. */
export function spawnServer(env: Env, args: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`souk serve did not start within ${START_CEILING_MS / 1000} s:\n${output}`));
    }, START_CEILING_MS);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Souk serving on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          child,
          output: () => output,
          async stop(signal: NodeJS.Signals = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`souk serve exited with ${code} before serving:\n${output}`));
    });
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Where its metrics are served, when started with --metrics-port. */
  metricsUrl: string | undefined;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `souk worker` and resolves once it says it is running. */
export function spawnWorker(env: Env, args: string[] = []): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`souk worker did not start within ${START_CEILING_MS / 1000} s:\n${output}`));
    }, START_CEILING_MS);
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      if (/Souk worker running.*\n/.test(output)) {
        clearTimeout(timer);
        resolve({
          child,
          metricsUrl: /metrics on (http:\/\/\S+)/.exec(output)?.[1],
          output: () => output,
          async stop(signal: NodeJS.Signals = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`souk worker exited with ${code} before running:\n${output}`));
    });
  });
}

/** The one JSON object a --json command printed (and nothing else), after checking it succeeded. */
export function jsonOf(result: CliResult): Record<string, unknown> {
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const lines = result.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line of JSON, got:\n${result.stdout}`);
  const parsed: unknown = JSON.parse(lines[0]!);
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), 'a JSON object');
  return parsed as Record<string, unknown>;
}

/** A refusal: exit 1, nothing on stdout, one line on stderr matching `reason`; returns that line. */
export function assertRefused(result: CliResult, reason: RegExp): string {
  assert.equal(result.code, 1, `exit 1, got ${result.code}: ${result.stdout}${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, reason);
  return lines[0]!;
}

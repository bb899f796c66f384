// `npm run bench`: how close Souk's public catalog read comes to a bare Fastify server that sends
// the very same bytes from memory. Souk and the baseline each run in their own child process; the
// load comes from autocannon in this process, aimed at one server at a time, alternately.
//
// Tunables (environment): BENCH_DURATION (measured s per target, default 10), BENCH_ROUNDS (slices
// it is cut into, default 2), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 50),
// BENCH_PRODUCTS (default 1000), BENCH_BARE_BUFFER=1 (the baseline sends a Buffer encoded once
// rather than a string, which Node encodes to UTF-8 again on every response), BENCH_ORDER_CODES
// (codes stocked per order target, default 300000: enough for 25 s at 6,000 orders/s, so no target runs out of codes mid-run), BENCH_ORDER_WARMUP (s, default 15),
// BENCH_NO_WORKER=1 (Souk's order server runs without its embedded webhook worker and mailer). Then, from bench/orders.ts: order placement
// against the minimal reference, and stock import speed, on SQLite and PostgreSQL; and from
// bench/webhooks.ts (its tunables are listed there): webhook deliveries/s and commit-to-receipt; and
// from bench/upstream.ts: what forwarding an order to an upstream Souk adds over its own placement.
// First of all, the web apps' first-load JavaScript (gzipped) against issue 20's 250 KB ceiling.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Env } from '../src/config.js';
import { seedBenchCatalog } from './seed-catalog.js';
import { benchOrders } from './orders.js';
import { benchWebhooks } from './webhooks.js';
import { benchForwarding } from './upstream.js';
import { firstLoadJavaScript } from '../bin/web-size.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

const DURATION_S = setting('BENCH_DURATION', 10);
const WARMUP_S = setting('BENCH_WARMUP', 2);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 50);
const PRODUCTS = setting('BENCH_PRODUCTS', 1000);
/** Each target's measured time is cut into this many slices, alternating with the other target's. */
const ROUNDS = Math.max(1, Math.round(setting('BENCH_ROUNDS', 2)));
const BARE_BUFFER = process.env.BENCH_BARE_BUFFER === '1';

interface Scenario {
  label: string;
  path: string;
}

const SCENARIOS: Scenario[] = [
  { label: `catalog ${PRODUCTS} products`, path: `/api/v1/products?limit=${PRODUCTS}` },
  { label: 'catalog default page (50 products)', path: '/api/v1/products' },
];

// ---------------------------------------------------------------------------------------------
// Child servers

interface ChildServer {
  name: string;
  url: string;
  pid: number | undefined;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** How to stop every child started so far, including one still starting. */
const running = new Set<() => Promise<void>>();

/**
 * Spawns `node <args>` with stdout and stderr going to `logFile` (not a pipe into this process, so
 * reading the server's log lines costs the load generator nothing) and resolves once the file
 * shows a line matching `ready`, whose first group is the URL. Same contract as
 * test/helpers/processes.ts's spawnServer, which instead collects the output in memory.
 */
async function startChild(name: string, args: string[], env: Env, ready: RegExp, logFile: string): Promise<ChildServer> {
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '' };
    child = spawn(process.execPath, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    running.delete(stop);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  running.add(stop);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const output = readFileSync(logFile, 'utf8');
    const url = ready.exec(output)?.[1];
    if (url) return { name, url, pid: child.pid, stop };
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before serving:\n${output.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not start within 30 s:\n${output.slice(-4000)}`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Load

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is missing. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** What one target answered over all its measured slices. */
class Tally {
  requests = 0;
  seconds = 0;
  failures = 0;
  cpuMs: number | undefined = 0;
  readonly latencies: number[] = [];

  figures(): Figures {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return {
      rps: this.requests / this.seconds,
      p50: at(0.5),
      p99: at(0.99),
      failures: this.failures,
      cpuPerRequestMs: this.cpuMs === undefined ? undefined : this.cpuMs / this.requests,
    };
  }
}

interface Figures {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Non-2xx answers, connection errors and timeouts: any makes the run suspect. */
  failures: number;
  /** The server process's CPU time per answered request: what the load costs it, however busy the machine. */
  cpuPerRequestMs: number | undefined;
}

/** Loads `url` for `seconds`; with a tally, adds what was answered to it. */
function load(server: ChildServer, url: string, seconds: number, tally?: Tally): Promise<void> {
  return new Promise((resolve, reject) => {
    const cpuBefore = cpuMs(server.pid);
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1, timeout: 30 }, (error, result) => {
      if (error) return reject(error);
      if (tally) {
        const cpuAfter = cpuMs(server.pid);
        tally.seconds += result.duration;
        tally.failures += result.non2xx + result.errors + result.timeouts;
        tally.cpuMs = tally.cpuMs === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : tally.cpuMs + cpuAfter - cpuBefore;
      }
      resolve();
    });
    if (tally) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status < 200 || status > 299) return;
        tally.requests += 1;
        tally.latencies.push(ms);
      });
    }
  });
}

/**
 * Warms both servers up, then measures them in ROUNDS alternating slices (souk, bare, souk, …),
 * so that whatever else the machine is doing meanwhile weighs on both about equally.
 */
async function compare(servers: ChildServer[], scenario: Scenario): Promise<Figures[]> {
  for (const server of servers) await load(server, server.url + scenario.path, WARMUP_S);
  const tallies = servers.map(() => new Tally());
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, server] of servers.entries()) await load(server, server.url + scenario.path, DURATION_S / ROUNDS, tallies[i]);
  }
  return tallies.map((t) => t.figures());
}

function describe(figures: Figures): string {
  const cpu = figures.cpuPerRequestMs === undefined ? '' : ` (server CPU ${(figures.cpuPerRequestMs * 1000).toFixed(0)} µs/req)`;
  const line = `${Math.round(figures.rps)} req/s p50 ${figures.p50.toFixed(1)} ms p99 ${figures.p99.toFixed(1)} ms${cpu}`;
  return figures.failures ? `${line} WARNING: ${figures.failures} non-2xx/errors/timeouts` : line;
}

// ---------------------------------------------------------------------------------------------
// The run

async function fetchBody(url: string): Promise<string> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return body;
}

/** Builds the web apps if a source is newer than dist/web, then prints their first-load JavaScript. */
function printWebSizes(): void {
  const built = spawnSync(process.execPath, ['bin/build.js', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the web apps failed');
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  for (const app of ['storefront', 'console'] as const) {
    const size = firstLoadJavaScript(app);
    console.log(`${app} first-load JavaScript: ${kb(size.bytes)} KB gzipped (${size.files.length} files; ceiling ${app === 'storefront' ? '250 KB' : 'none'})`);
  }
}

async function main(dir: string): Promise<void> {
  printWebSizes();
  const soukLog = path.join(dir, 'souk.log');
  const soukEnv: Env = {
    SOUK_DATABASE_URL: `sqlite:${path.join(dir, 'souk.db')}`,
    SOUK_DATA_DIR: dir,
    // The production default: one log line per request. The child's stdout goes to a file in the
    // temp dir (deleted at the end), as it would go to a file or journal in production.
    SOUK_LOG_LEVEL: 'info',
    // Every request comes from 127.0.0.1; at the default 600/min the per-IP limiter would answer
    // 429 within a fraction of a second. A limit this high keeps the limiter's bookkeeping on each
    // request (so its cost is measured) but never trips it.
    SOUK_IP_RATE_LIMIT: '10000000',
  };

  const seedStart = Date.now();
  await seedBenchCatalog(soukEnv, PRODUCTS);
  console.log(`seeded ${PRODUCTS} products in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  const souk = await startChild('souk', ['bin/souk.js', 'serve', '--port', '0'], soukEnv, /Souk serving on (http:\/\/\S+)/, soukLog);

  // The exact bytes Souk answers, for the baseline to send from memory.
  const bodies: Record<string, string> = {};
  for (const scenario of SCENARIOS) bodies[scenario.path] = await fetchBody(souk.url + scenario.path);
  const bodiesFile = path.join(dir, 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify(bodies));

  const bare = await startChild(
    BARE_BUFFER ? 'bare fastify (Buffer)' : 'bare fastify',
    ['--import', 'tsx', 'bench/bare-fastify.ts', bodiesFile, ...(BARE_BUFFER ? ['--buffer'] : [])],
    {},
    /bare fastify listening on (http:\/\/\S+)/,
    path.join(dir, 'bare.log'),
  );
  for (const scenario of SCENARIOS) {
    if ((await fetchBody(bare.url + scenario.path)) !== bodies[scenario.path]) throw new Error(`the bare server's ${scenario.path} differs from Souk's`);
  }

  console.log(
    `node ${process.version}, ${cpus().length} CPUs; ${CONNECTIONS} connections; ${WARMUP_S} s warm-up + ${DURATION_S} s measured per target in ${ROUNDS} alternating slices; ` +
      'Souk logs at info to a file',
  );
  for (const scenario of SCENARIOS) {
    const kb = Buffer.byteLength(bodies[scenario.path] ?? '') / 1024;
    const label = `${scenario.label} (≈${Math.round(kb)} KB)`;
    const [soukFigures, bareFigures] = await compare([souk, bare], scenario);
    if (!soukFigures || !bareFigures) throw new Error('no figures');
    console.log(`${label} souk: ${describe(soukFigures)}`);
    console.log(`${label} ${bare.name}: ${describe(bareFigures)}`);
    const cpuRatio =
      soukFigures.cpuPerRequestMs && bareFigures.cpuPerRequestMs ? `; server CPU per request bare ÷ souk: ${(bareFigures.cpuPerRequestMs / soukFigures.cpuPerRequestMs).toFixed(2)}` : '';
    console.log(`${label} ratio: ${(soukFigures.rps / bareFigures.rps).toFixed(2)} (req/s souk ÷ bare${cpuRatio})`);
  }
  console.log(`souk wrote ${(statSync(soukLog).size / 1024 / 1024).toFixed(1)} MB of log lines`);
  await souk.stop();
  await bare.stop();

  // Order placement and stock import (issue: the order engine), on SQLite and PostgreSQL.
  // Placement runs far more code than a catalog read: both targets get a longer warm-up so the
  // JIT has compiled the hot path before the clock starts (Souk reaches its steady rate after ~15 s of load).
  await benchOrders(dir, { connections: CONNECTIONS, warmupSeconds: setting('BENCH_ORDER_WARMUP', 15), seconds: DURATION_S, codes: setting('BENCH_ORDER_CODES', 300_000) });

  // Webhook deliveries (issue: events and webhooks): deliveries/s from a backlog, and commit to receipt.
  await benchWebhooks(dir, { backlog: setting('BENCH_WEBHOOK_BACKLOG', 10_000), ordersPerSecond: setting('BENCH_WEBHOOK_RATE', 200), seconds: setting('BENCH_WEBHOOK_SECONDS', 10) });

  // Forwarding to an upstream (issue: upstream providers): an order on B bought on A, next to A's own placement.
  await benchForwarding(dir, { connections: setting('BENCH_FORWARD_CONNECTIONS', 20), seconds: setting('BENCH_FORWARD_SECONDS', DURATION_S), rounds: setting('BENCH_FORWARD_ROUNDS', 2), codes: 200_000, aloneSeconds: setting('BENCH_FORWARD_ALONE_SECONDS', 4) });
}

const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-'));
let cleaned: Promise<void> | undefined;
const cleanup = () =>
  (cleaned ??= Promise.allSettled([...running].map((stop) => stop())).then(() => rmSync(dir, { recursive: true, force: true })));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

try {
  await main(dir);
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

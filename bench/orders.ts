// Order placement throughput: Souk's POST /api/v1/orders (one code, wallet debit, a fresh
// client_order_id per request, 50 connections) next to the minimal reference
// (bench/reference-orders.ts) on the same tables, on SQLite and on PostgreSQL; and stock import
// speed. Each server runs in its own process; the load comes from autocannon in this one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Env } from '../src/config.js';
import { loadConfig } from '../src/config.js';
import { openSouk } from '../src/app.js';
import { createAccount, createApiKey } from '../src/core/accounts/index.js';
import { createProduct } from '../src/core/catalog/index.js';
import { importStock } from '../src/core/inventory/index.js';
import { topUpWallet } from '../src/core/wallets/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POSTGRES = process.env.SOUK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface OrderBenchOptions {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Codes stocked per target: more than it can sell in warm-up + measurement. */
  codes: number;
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function start(args: string[], env: Env, ready: RegExp, logFile: string): Promise<Server> {
  const fd = openSync(logFile, 'w');
  // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops.
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
    const url = ready.exec(readFileSync(logFile, 'utf8'))?.[1];
    if (url) return { url, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stop();
  throw new Error(`${args.join(' ')} did not start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

interface Run {
  ordersPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

let serial = 0;
function hammer(url: string, headers: Record<string, string>, product: string, connections: number, seconds: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/orders',
            headers: { 'content-type': 'application/json', ...headers },
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ product, quantity: 1, client_order_id: `bench-${process.pid}-${++serial}` }) }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({ ordersPerSecond: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts });
      },
    );
  });
}

function line(label: string, run: Run): string {
  const text = `${label}: ${Math.round(run.ordersPerSecond)} orders/s p50 ${run.p50} ms p99 ${run.p99} ms`;
  return run.failures ? `${text} WARNING: ${run.failures} non-2xx/errors/timeouts` : text;
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `souk_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
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

/** Stocks one product and funds one account with a key for it; returns them and the import speed. */
async function seed(env: Env, code: string, codes: number) {
  const souk = await openSouk(loadConfig(env));
  try {
    const deps = { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
    const product = await createProduct(deps, { code, name: code, price: '1.00' });
    const lines = Array.from({ length: codes }, (_, i) => `${code}-${String(i).padStart(8, '0')}-${randomBytes(4).toString('hex')}`);
    const started = performance.now();
    await importStock(deps, product.id, lines);
    const importCodesPerSecond = codes / ((performance.now() - started) / 1000);
    const account = await createAccount(souk.db, { name: code });
    await topUpWallet(souk.db, { accountId: account.id, amountMinor: 1_000_000_000_00, currency: 'USD', actor: 'bench' });
    const apiKey = (await createApiKey(souk.db, souk.box, { accountId: account.id })).apiKey;
    return { accountId: account.id, apiKey, importCodesPerSecond };
  } finally {
    await souk.close();
  }
}

export async function benchOrders(dir: string, options: OrderBenchOptions): Promise<void> {
  for (const kind of (process.env.KINDS ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>) {
    // Each target gets a database of its own, so neither pays for the other's data or WAL.
    const databases =
      kind === 'postgres'
        ? [await createPostgresDatabase(), await createPostgresDatabase()]
        : ['souk', 'reference'].map((name) => ({ url: `sqlite:${path.join(dir, `orders-${name}.db`)}`, drop: async () => undefined }));
    const [soukDatabase, referenceDatabase] = databases as [{ url: string; drop(): Promise<void> }, { url: string; drop(): Promise<void> }];
    const masterKey = randomBytes(32).toString('base64');
    const envFor = (url: string): Env => ({
      SOUK_DATABASE_URL: url,
      SOUK_DATA_DIR: dir,
      SOUK_MASTER_KEY: masterKey,
      SOUK_LOG_LEVEL: 'info',
      // One key sends every order; the per-key budget (120/min by default) would stop it at once.
      SOUK_KEY_RATE_LIMIT: '10000000',
      SOUK_IP_RATE_LIMIT: '10000000',
    });
    const env = envFor(soukDatabase.url);
    const servers: Server[] = [];
    try {
      const soukSeed = await seed(env, 'BENCH', options.codes);
      const referenceSeed = await seed(envFor(referenceDatabase.url), 'BENCH-REF', options.codes);
      console.log(`stock import ${kind}: ${Math.round(soukSeed.importCodesPerSecond)} codes/s (${options.codes} codes, sealed and fingerprinted)`);
      const soukHeaders = { authorization: `Bearer ${soukSeed.apiKey}` };
      const souk = await start(['bin/souk.js', 'serve', '--port', '0'], env, /Souk serving on (http:\/\/\S+)/, path.join(dir, `souk-orders-${kind}.log`));
      servers.push(souk);
      const reference = await start(
        ['--import', 'tsx', 'bench/reference-orders.ts', referenceDatabase.url, masterKey, 'BENCH-REF', String(referenceSeed.accountId)],
        {},
        /reference listening on (http:\/\/\S+)/,
        path.join(dir, `reference-${kind}.log`),
      );
      servers.push(reference);
      // One order each first: a server that cannot place orders at all should say why, not be timed.
      for (const [server, headers, product] of [[souk, soukHeaders, 'BENCH'], [reference, {}, 'BENCH-REF']] as const) {
        const probe = await fetch(`${server.url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ product, quantity: 1, client_order_id: `probe-${product}` }) });
        if (probe.status !== 200) throw new Error(`${product} probe order answered ${probe.status}: ${(await probe.text()).slice(0, 500)}`);
      }
      await hammer(souk.url, soukHeaders, 'BENCH', options.connections, options.warmupSeconds);
      await hammer(reference.url, {}, 'BENCH-REF', options.connections, options.warmupSeconds);
      const soukRun = await hammer(souk.url, soukHeaders, 'BENCH', options.connections, options.seconds);
      const referenceRun = await hammer(reference.url, {}, 'BENCH-REF', options.connections, options.seconds);
      console.log(line(`orders ${kind} souk`, soukRun));
      console.log(line(`orders ${kind} reference (bare fastify, prepared statements)`, referenceRun));
      console.log(`orders ${kind} ratio: ${(soukRun.ordersPerSecond / referenceRun.ordersPerSecond).toFixed(2)} (orders/s souk ÷ reference)`);
    } finally {
      for (const server of servers) await server.stop();
      for (const database of databases) await database.drop();
    }
  }
}

// Order placement throughput: Souk's POST /api/v1/orders (one code, wallet debit, a fresh
// client_order_id per request, 50 connections) next to the minimal reference
// (bench/reference-orders.ts) on the same tables, on SQLite and on PostgreSQL; and stock import
// speed. Each server runs in its own process; the load comes from autocannon in this one.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Env } from '../src/config.js';
import { benchDatabases, checkpointPostgres, startProcess, type BenchDatabase, type Started } from './processes.js';
import { loadConfig } from '../src/config.js';
import { openSouk } from '../src/app.js';
import { createAccount, createApiKey } from '../src/core/accounts/index.js';
import { createProduct } from '../src/core/catalog/index.js';
import { importStock } from '../src/core/inventory/index.js';
import { topUpWallet } from '../src/core/wallets/index.js';

export interface OrderBenchOptions {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Codes stocked per target: more than it can sell in warm-up + measurement. */
  codes: number;
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
    const databases = await benchDatabases(kind, dir, 'bench', ['souk', 'reference']);
    const [soukDatabase, referenceDatabase] = databases as [BenchDatabase, BenchDatabase];
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
    const servers: Started[] = [];
    try {
      const soukSeed = await seed(env, 'BENCH', options.codes);
      const referenceSeed = await seed(envFor(referenceDatabase.url), 'BENCH-REF', options.codes);
      console.log(`stock import ${kind}: ${Math.round(soukSeed.importCodesPerSecond)} codes/s (${options.codes} codes, sealed and fingerprinted)`);
      const soukHeaders = { authorization: `Bearer ${soukSeed.apiKey}` };
      const souk = await startProcess((process.env.BENCH_NO_WORKER ? ['bin/souk.js', 'serve', '--port', '0', '--no-worker'] : ['bin/souk.js', 'serve', '--port', '0']), env, /Souk serving on (http:\/\/\S+)/, path.join(dir, `souk-orders-${kind}.log`));
      servers.push(souk);
      const reference = await startProcess(
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
      // Both targets seeded: each is warmed up and measured from a checkpointed database.
      if (kind === 'postgres') await checkpointPostgres();
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

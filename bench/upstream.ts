// Forwarding to an upstream: the latency of an order on Souk B for a product imported from Souk A
// (B's placement, B buying it on A's /api/v1 with the souk dialect, B delivering A's code), next to
// the latency of the same order placed on A directly, at 20 concurrent orders, alternating A and B
// in slices. Both are `souk serve` processes on their own database. The figure is the p50
// difference: what forwarding adds over A's own placement.
// Run alone with `node --import tsx bench/upstream.ts`, or call benchForwarding() from bench/run.ts.
// Beside the latencies it prints the CPU time each order cost A, B, the load generator and the
// PostgreSQL server (all of them share this machine's cores): how the work divides between them.
// Both move with the machine's speed (on the 2-core machine one build measured B at 356 to 609
// orders/s, its CPU per order moving with it). Last, one order at a time on each: forwarding's own
// cost, without the wait for cores that makes most of the difference at 20 concurrent orders.
// Tunables (environment): BENCH_FORWARD_CONNECTIONS (default 20), BENCH_FORWARD_SECONDS (measured s
// per target, default 10), BENCH_FORWARD_ROUNDS (slices, default 2), KINDS (default sqlite,postgres),
// BENCH_FORWARD_ALONE_SECONDS (one order at a time, per target, default 4), BENCH_NODE_OPTIONS
// (NODE_OPTIONS for A and B: a hook that counts their statements, say).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import type { Env } from '../src/config.js';
import { loadConfig } from '../src/config.js';
import { openSouk } from '../src/app.js';
import { createAccount, createApiKey } from '../src/core/accounts/index.js';
import { createProduct } from '../src/core/catalog/index.js';
import { importStock } from '../src/core/inventory/index.js';
import { topUpWallet } from '../src/core/wallets/index.js';
import { benchDatabases, startProcess, type Started } from './processes.js';

export interface ForwardBenchOptions {
  connections: number;
  seconds: number;
  rounds: number;
  codes: number;
  /** Seconds of one order at a time, on each of A and B. */
  aloneSeconds: number;
}

interface Slice {
  latencies: number[];
  ok: number;
  failed: number;
  /** CPU time (ms) spent meanwhile: by A, by B, by this process (the load), by the whole machine. */
  cpu: CpuTimes;
}

interface CpuTimes {
  a: number;
  b: number;
  load: number;
  /** Every PostgreSQL server process's (A's and B's, and any other database's on the server). */
  postgres: number;
  machine: number;
}

/** Linux's USER_HZ, the unit of /proc times (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) of a process so far; 0 where /proc is missing. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU time (ms) of every PostgreSQL server process so far; 0 when the server is elsewhere. */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += processCpuMs(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** Busy CPU time (ms) of the whole machine so far, every core: what is not idle or waiting on I/O. */
function machineCpuMs(): number {
  try {
    const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function cpuNow(pids: { a: number | undefined; b: number | undefined }): CpuTimes {
  const own = process.cpuUsage();
  return { a: processCpuMs(pids.a), b: processCpuMs(pids.b), load: (own.user + own.system) / 1000, postgres: postgresCpuMs(), machine: machineCpuMs() };
}

let serial = 0;
/** One slice of load: each completed order's latency (ms), from autocannon's per-response hook, and the CPU time it cost. */
function load(url: string, apiKey: string, product: string, connections: number, seconds: number, pids: { a: number | undefined; b: number | undefined }): Promise<Slice> {
  const slice: Slice = { latencies: [], ok: 0, failed: 0, cpu: { a: 0, b: 0, load: 0, postgres: 0, machine: 0 } };
  const before = cpuNow(pids);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/orders',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ product, quantity: 1, client_order_id: `fw-${process.pid}-${++serial}` }) }),
          },
        ],
      },
      (error) => {
        if (error) return reject(error);
        const after = cpuNow(pids);
        for (const key of ['a', 'b', 'load', 'postgres', 'machine'] as const) slice.cpu[key] = after[key] - before[key];
        resolve(slice);
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) {
        slice.ok++;
        slice.latencies.push(responseTime);
      } else slice.failed++;
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** CPU time per answered order (ms): the processes', the load's, and the rest of the machine's (the database server, anything else running). */
function cpuPerOrder(slice: Slice, kind: 'sqlite' | 'postgres'): string {
  const per = (ms: number) => (ms / Math.max(1, slice.ok)).toFixed(2);
  // On SQLite, what PostgreSQL does meanwhile is someone else's work.
  const database = kind === 'postgres' ? slice.cpu.postgres : 0;
  const rest = slice.cpu.machine - slice.cpu.a - slice.cpu.b - slice.cpu.load - database;
  const postgres = kind === 'postgres' ? `, PostgreSQL ${per(database)} ms` : '';
  return `CPU per order: A ${per(slice.cpu.a)} ms, B ${per(slice.cpu.b)} ms, load ${per(slice.cpu.load)} ms${postgres}, rest of the machine ${per(rest)} ms`;
}

async function seedUpstream(env: Env, codes: number) {
  const souk = await openSouk(loadConfig(env));
  try {
    const deps = { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
    const product = await createProduct(deps, { code: 'FW-CARD', name: 'Forwarded card', price: '1.00' });
    await importStock(deps, product.id, Array.from({ length: codes }, (_, i) => `FW-${String(i).padStart(8, '0')}-${randomBytes(4).toString('hex')}`));
    const direct = await createAccount(souk.db, { name: 'direct buyer' });
    const reseller = await createAccount(souk.db, { name: 'Souk B' });
    for (const account of [direct, reseller]) await topUpWallet(souk.db, { accountId: account.id, amountMinor: 100_000_000_00, currency: 'USD', actor: 'bench' });
    return {
      productId: product.id,
      directKey: (await createApiKey(souk.db, souk.box, { accountId: direct.id })).apiKey,
      resellerKey: (await createApiKey(souk.db, souk.box, { accountId: reseller.id })).apiKey,
    };
  } finally {
    await souk.close();
  }
}

async function seedDownstream(env: Env, upstreamUrl: string, resellerKey: string, productId: number) {
  const souk = await openSouk(loadConfig(env));
  try {
    const provider = await souk.upstream.add({ name: 'Souk A', url: `${upstreamUrl}/api/v1`, dialect: 'souk', key: resellerKey, markupPercent: '10' });
    const [imported] = await souk.upstream.import(provider.id, [{ ref: String(productId), code: 'FW-CARD-B' }]);
    const buyer = await createAccount(souk.db, { name: 'B buyer' });
    await topUpWallet(souk.db, { accountId: buyer.id, amountMinor: 100_000_000_00, currency: 'USD', actor: 'bench' });
    return { code: imported!.code, buyerKey: (await createApiKey(souk.db, souk.box, { accountId: buyer.id })).apiKey };
  } finally {
    await souk.close();
  }
}

async function countOrders(env: Env): Promise<Record<string, number>> {
  const souk = await openSouk(loadConfig(env));
  try {
    const rows = await souk.db.selectFrom('orders').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  } finally {
    await souk.close();
  }
}

export async function benchForwarding(dir: string, options: ForwardBenchOptions): Promise<void> {
  for (const kind of (process.env.KINDS ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>) {
    const databases = await benchDatabases(kind, dir, 'fw', ['a', 'b']);
    const envFor = (url: string): Env => ({
      SOUK_DATABASE_URL: url,
      SOUK_DATA_DIR: dir,
      SOUK_MASTER_KEY: randomBytes(32).toString('base64'),
      SOUK_LOG_LEVEL: 'warn',
      SOUK_KEY_RATE_LIMIT: '10000000',
      SOUK_IP_RATE_LIMIT: '10000000',
      SOUK_UPSTREAM_ALLOW_PRIVATE: '1',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    });
    const [envA, envB] = [envFor(databases[0]!.url), envFor(databases[1]!.url)];
    const servers: Started[] = [];
    try {
      const seeded = await seedUpstream(envA, options.codes);
      const a = await startProcess(['bin/souk.js', 'serve', '--port', '0'], envA, /Souk serving on (http:\/\/\S+)/, path.join(dir, `forward-a-${kind}.log`));
      servers.push(a);
      const b0 = await seedDownstream(envB, a.url, seeded.resellerKey, seeded.productId);
      const b = await startProcess(['bin/souk.js', 'serve', '--port', '0'], envB, /Souk serving on (http:\/\/\S+)/, path.join(dir, `forward-b-${kind}.log`));
      servers.push(b);
      const pids = { a: a.pid, b: b.pid };
      // Warm both up (connections, caches, JIT), then alternate slices.
      await load(a.url, seeded.directKey, 'FW-CARD', options.connections, 3, pids);
      await load(b.url, b0.buyerKey, b0.code, options.connections, 3, pids);
      const empty = (): Slice => ({ latencies: [], ok: 0, failed: 0, cpu: { a: 0, b: 0, load: 0, postgres: 0, machine: 0 } });
      const [direct, forwarded] = [empty(), empty()];
      for (let round = 0; round < options.rounds; round++) {
        for (const [target, slice] of [[await load(a.url, seeded.directKey, 'FW-CARD', options.connections, options.seconds / options.rounds, pids), direct], [await load(b.url, b0.buyerKey, b0.code, options.connections, options.seconds / options.rounds, pids), forwarded]] as const) {
          slice.latencies.push(...target.latencies);
          slice.ok += target.ok;
          slice.failed += target.failed;
          for (const key of ['a', 'b', 'load', 'postgres', 'machine'] as const) slice.cpu[key] += target.cpu[key];
        }
      }
      // One order at a time: what forwarding itself costs an order, with the cores to spare (at 20
      // concurrent orders most of the difference is A, B and PostgreSQL waiting for each other's CPU).
      const [aloneDirect, aloneForwarded] = [
        await load(a.url, seeded.directKey, 'FW-CARD', 1, options.aloneSeconds, pids),
        await load(b.url, b0.buyerKey, b0.code, 1, options.aloneSeconds, pids),
      ];
      for (const server of servers.splice(0).reverse()) await server.stop();
      const statuses = await countOrders(envB);
      const [pa, pb] = [percentile(direct.latencies, 50), percentile(forwarded.latencies, 50)];
      const seconds = options.seconds;
      console.log(`forwarding ${kind} A direct (its own placement): ${Math.round(direct.ok / seconds)} orders/s p50 ${pa.toFixed(1)} ms p99 ${percentile(direct.latencies, 99).toFixed(1)} ms; ${cpuPerOrder(direct, kind)}${direct.failed ? ` WARNING: ${direct.failed} failed` : ''}`);
      console.log(`forwarding ${kind} B via A (souk dialect): ${Math.round(forwarded.ok / seconds)} orders/s p50 ${pb.toFixed(1)} ms p99 ${percentile(forwarded.latencies, 99).toFixed(1)} ms; ${cpuPerOrder(forwarded, kind)}${forwarded.failed ? ` WARNING: ${forwarded.failed} failed` : ''}`);
      console.log(`forwarding ${kind} adds: p50 ${(pb - pa).toFixed(1)} ms over A's own placement at ${options.connections} concurrent orders (B's orders: ${JSON.stringify(statuses)})`);
      const [qa, qb] = [percentile(aloneDirect.latencies, 50), percentile(aloneForwarded.latencies, 50)];
      console.log(`forwarding ${kind} one order at a time: A direct p50 ${qa.toFixed(1)} ms, B via A p50 ${qb.toFixed(1)} ms, adds ${(qb - qa).toFixed(1)} ms`);
    } finally {
      for (const server of servers) await server.stop();
      for (const database of databases) await database.drop();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-forward-'));
  try {
    await benchForwarding(dir, {
      connections: Number(process.env.BENCH_FORWARD_CONNECTIONS ?? 20),
      seconds: Number(process.env.BENCH_FORWARD_SECONDS ?? 10),
      rounds: Number(process.env.BENCH_FORWARD_ROUNDS ?? 2),
      codes: 200_000,
      aloneSeconds: Number(process.env.BENCH_FORWARD_ALONE_SECONDS ?? 4),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Webhook delivery: how many deliveries a second Souk sends to a local receiver (a backlog of
// events, 2 `souk worker` processes on PostgreSQL, the embedded worker of `souk serve` on SQLite),
// and the time from an order's commit to its receipt (p50/p99) while orders arrive at 200/s.
// Run alone with `node --import tsx bench/webhooks.ts`, or call benchWebhooks() from bench/run.ts.
// Tunables (environment): BENCH_WEBHOOK_BACKLOG (events, default 10000), BENCH_WEBHOOK_RATE
// (orders/s, default 200), BENCH_WEBHOOK_SECONDS (default 10), KINDS (default sqlite,postgres).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import type { Env } from '../src/config.js';
import { createPostgresDatabase, startProcess } from './processes.js';
import { loadConfig } from '../src/config.js';
import { openSouk } from '../src/app.js';
import { createAccount, createApiKey } from '../src/core/accounts/index.js';
import { createProduct } from '../src/core/catalog/index.js';
import { insertOutboxEvents, walletCreditedEvent } from '../src/core/events/index.js';
import { importStock } from '../src/core/inventory/index.js';
import { topUpWallet } from '../src/core/wallets/index.js';
import { createWebhookEndpoint } from '../src/core/webhooks/index.js';


export interface WebhookBenchOptions {
  backlog: number;
  ordersPerSecond: number;
  seconds: number;
}

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** A receiver that answers 200 at once and notes when each event arrived, and how long after it happened. */
async function startReceiver() {
  const arrivals: number[] = [];
  const lags: number[] = [];
  /** When each order's order.fulfilled arrived, by order id. */
  const fulfilledAt = new Map<string, number>();
  /** When each order.fulfilled arrived, by event id: its exact time is read from the outbox after the run. */
  const fulfilledEvents = new Map<string, number>();
  // A delivery seen twice (by its webhook-id) is a bug, not a speed: it is reported, not counted.
  const seen = new Set<string>();
  let duplicates = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const now = Date.now();
      const id = String(request.headers['webhook-id']);
      if (seen.has(id)) {
        duplicates += 1;
        response.writeHead(200).end();
        return;
      }
      seen.add(id);
      const event = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; type: string; timestamp: string; data: { order?: { order_id: string } } };
      arrivals.push(now);
      if (event.type === 'order.fulfilled') {
        // Rough (the wire's timestamp is to the second): only counts and warm-up use it.
        lags.push(now - Date.parse(event.timestamp));
        fulfilledEvents.set(event.id, now);
        if (event.data.order) fulfilledAt.set(event.data.order.order_id, now);
      }
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    lags,
    fulfilledAt,
    fulfilledEvents,
    duplicates: () => duplicates,
    reset() {
      arrivals.length = 0;
      lags.length = 0;
      fulfilledEvents.clear();
      fulfilledAt.clear();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}


async function waitFor(done: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};


/**
 * Resellers with an endpoint each to the receiver, a key, money, and stock to sell them; and a
 * backlog of events for the first. Orders come from many accounts, as in a shop: one account's
 * orders all wait for its one wallet row.
 */
/**
 * Receipt minus when each event was recorded, read from the outbox (milliseconds there; the wire's
 * timestamp is to the second).
 */
async function lagsFromRecordedTimes(env: Env, received: Map<string, number>): Promise<number[]> {
  const souk = await openSouk(loadConfig(env), { migrate: false });
  try {
    const lags: number[] = [];
    const ids = [...received.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await souk.db.selectFrom('outbox_events').select(['event_id', 'created_at']).where('event_id', 'in', ids.slice(i, i + 500)).execute();
      for (const row of rows) lags.push(received.get(row.event_id)! - Date.parse(row.created_at));
    }
    return lags;
  } finally {
    await souk.close();
  }
}

async function seed(env: Env, receiverUrl: string, codes: number, backlog: number, accounts: number) {
  const souk = await openSouk(loadConfig(env));
  try {
    const deps = { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
    const product = await createProduct(deps, { code: 'HOOKS', name: 'Hooks', price: '1.00' });
    await importStock(deps, product.id, Array.from({ length: codes }, (_, i) => `HOOKS-${i}-${randomBytes(4).toString('hex')}`));
    const apiKeys: string[] = [];
    const owners: number[] = [];
    for (let i = 0; i < accounts; i++) {
      const account = await createAccount(souk.db, { name: `Receiver ${i}` });
      await topUpWallet(souk.db, { accountId: account.id, amountMinor: 1_000_000_000, currency: 'USD', actor: 'bench' });
      apiKeys.push((await createApiKey(souk.db, souk.box, { accountId: account.id })).apiKey);
      owners.push(account.id);
      await createWebhookEndpoint({ db: souk.db, box: souk.box, allowPrivate: true }, account.id, { url: receiverUrl, events: ['order.fulfilled', 'wallet.credited'] });
    }
    await souk.db.deleteFrom('outbox_events').execute();
    for (let at = 0; at < backlog; at += 1000) {
      const rows = Array.from({ length: Math.min(1000, backlog - at) }, (_, i) =>
        walletCreditedEvent({ account_id: owners[0]!, wallet_id: 1, currency: 'USD', amount_minor: 100, balance_minor: at + i, kind: 'topup', reference: null, at: new Date().toISOString() }),
      );
      await souk.db.transaction().execute((tx) => insertOutboxEvents(tx, rows));
    }
    return { apiKeys };
  } finally {
    await souk.close();
  }
}

// Across calls: a client_order_id used twice would be a replay, with no new events.
let serial = 0;
/** When each order's answer came back (after its commit), by order id. */
const answeredAt = new Map<string, number>();

function placeOrders(url: string, apiKeys: string[], rate: number, seconds: number): Promise<{ placed: number; answerP50: number; answerP99: number }> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 20,
        overallRate: rate,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/orders',
            setupRequest: (request) => {
              serial += 1;
              const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKeys[serial % apiKeys.length]}` };
              return { ...request, headers, body: JSON.stringify({ product: 'HOOKS', client_order_id: `hooks-${process.pid}-${serial}` }) };
            },
            onResponse: (status, body) => {
              if (status === 200) answeredAt.set((JSON.parse(body) as { order_id: string }).order_id, Date.now());
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ placed: result['2xx'], answerP50: result.latency.p50, answerP99: result.latency.p99 })),
    );
  });
}

export async function benchWebhooks(dir: string, options: WebhookBenchOptions): Promise<void> {
  for (const kind of (process.env.KINDS ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>) {
    const database = kind === 'postgres' ? await createPostgresDatabase('souk_bench_hooks') : { url: `sqlite:${path.join(dir, 'webhooks.db')}`, drop: async () => undefined };
    const receiver = await startReceiver();
    const stops: Array<() => Promise<void>> = [];
    try {
      const env: Env = {
        SOUK_DATABASE_URL: database.url,
        SOUK_DATA_DIR: dir,
        SOUK_MASTER_KEY: randomBytes(32).toString('base64'),
        SOUK_LOG_LEVEL: 'warn',
        SOUK_WEBHOOK_ALLOW_PRIVATE: '1',
        SOUK_KEY_RATE_LIMIT: '10000000',
        SOUK_IP_RATE_LIMIT: '10000000',
      };
      const orders = Math.ceil(options.ordersPerSecond * (options.seconds + 5) * 1.2);
      const { apiKeys } = await seed(env, receiver.url, orders, options.backlog, 20);
      // Embedded: the server is the worker. PostgreSQL: an API server and two workers.
      const server = await startProcess(['bin/souk.js', 'serve', '--port', '0'], env, /Souk serving on (http:\/\/\S+)/, path.join(dir, `hooks-serve-${kind}.log`));
      stops.push(server.stop);
      const workers = kind === 'postgres' ? 2 : 0;
      for (let i = 0; i < workers; i++) stops.push((await startProcess(['bin/souk.js', 'worker'], env, /Souk worker (running)/, path.join(dir, `hooks-worker-${kind}-${i}.log`))).stop);
      await waitFor(() => receiver.arrivals.length >= options.backlog, 300_000, `${options.backlog} backlog deliveries`);
      const spanSeconds = (receiver.arrivals.at(-1)! - receiver.arrivals[0]!) / 1000;
      const setup = kind === 'postgres' ? '2 workers on PostgreSQL' : 'embedded worker on SQLite';
      console.log(`webhooks ${kind}: ${Math.round((options.backlog - 1) / spanSeconds)} deliveries/s (${options.backlog} backlog events, ${setup}, receiver on 127.0.0.1)`);

      receiver.reset();
      await placeOrders(server.url, apiKeys, options.ordersPerSecond, 3);
      await waitFor(() => receiver.lags.length > 0, 30_000, 'warm-up deliveries');
      await sleep(1000);
      receiver.reset();
      answeredAt.clear();
      const { placed, answerP50, answerP99 } = await placeOrders(server.url, apiKeys, options.ordersPerSecond, options.seconds);
      await waitFor(() => receiver.lags.length >= placed, 60_000, `${placed} order.fulfilled deliveries`);
      const lags = await lagsFromRecordedTimes(env, receiver.fulfilledEvents);
      // From the answer, which leaves after the commit: a lower bound (0 when the webhook came first).
      const afterAnswer = [...answeredAt].map(([orderId, at]) => Math.max(0, (receiver.fulfilledAt.get(orderId) ?? Infinity) - at));
      console.log(
        `webhooks ${kind}: order to receipt at ${Math.round(placed / options.seconds)} orders/s from 20 accounts: p50 ${quantile(lags, 0.5)} ms p99 ${quantile(lags, 0.99)} ms ` +
          `(${lags.length} order.fulfilled deliveries, ${setup}; measured from when its event was recorded (the outbox's created_at, inside the order's transaction, before commit), so an upper bound; ` +
          `the order answers themselves took p50 ${answerP50} ms p99 ${answerP99} ms)`,
      );
      console.log(
        `webhooks ${kind}: order answer to receipt (a lower bound of commit to receipt): p50 ${quantile(afterAnswer, 0.5)} ms p99 ${quantile(afterAnswer, 0.99)} ms; ` +
          `${afterAnswer.filter((ms) => ms === 0).length} of ${afterAnswer.length} webhooks arrived before the order's own answer`,
      );
      if (receiver.duplicates()) console.log(`webhooks ${kind}: WARNING: ${receiver.duplicates()} deliveries arrived twice`);
    } finally {
      for (const stop of stops) await stop();
      await receiver.close();
      await database.drop();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-hooks-'));
  try {
    await benchWebhooks(dir, { backlog: setting('BENCH_WEBHOOK_BACKLOG', 10_000), ordersPerSecond: setting('BENCH_WEBHOOK_RATE', 200), seconds: setting('BENCH_WEBHOOK_SECONDS', 10) });
  } catch (error) {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

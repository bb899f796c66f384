// Two Souks chained on 127.0.0.1 for the upstream chain suites. A, the upstream, is a real
// `souk serve` process on a port picked once and kept, so that it can be SIGKILLed and started
// again at the same address; the test process opens A's database too (SQLite in WAL and
// PostgreSQL both allow it) to seed it before it starts and to read what A sold. B, the
// downstream, is an in-process test Souk whose providers point at A, one per dialect.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, type Env } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { registerCustomer } from '../../src/core/customers/index.js';
import { hurryRun } from '../../src/core/steps/index.js';
import { FORWARD_WORKFLOW, type ProviderInput } from '../../src/core/upstream/index.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';
import { closedPort } from './faulty-upstream.js';
import { fund, stockedProduct } from './orders.js';
import { spawnServer, type ServerProcess } from './processes.js';
import { bearer, createReseller, testEnv, type TestSouk } from './souk.js';
import { WAIT_CEILING_MS } from './wait-ceiling.js';

/** The four dialects another Souk speaks (the fifth, smm, is spoken by the fake panel). */
export const SOUK_DIALECTS = ['souk', 'partner', 'store', 'shop'] as const;
export type SoukDialect = (typeof SOUK_DIALECTS)[number];

/** Where each dialect finds A: the base URL an owner would type. */
export const API_PATH: Record<SoukDialect, string> = { souk: '/api/v1', partner: '/v1', store: '/api/v1', shop: '/api' };

export interface ChainUpstream {
  kind: DatabaseKind;
  database: TestDatabase;
  env: Env;
  port: number;
  /** http://127.0.0.1:<port>, the same across restarts. */
  origin: string;
  /** A's database, opened from the test process. */
  souk: Souk;
  adminKey: string;
  /** The running process, if any. */
  process: ServerProcess | undefined;
  /** Starts `souk serve` on A's port; resolves once it says it serves. */
  start(): Promise<void>;
  /** SIGKILLs A (no shutdown of any kind) and waits for it to be gone. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A's database, seeded by `seed` before A starts (the test process runs the migrations), and A
 * serving it on a fixed free port. A serves every profile at once: /api/v1, /v1 and /api.
 */
export async function startChainUpstream<T>(kind: DatabaseKind, seed: (souk: Souk) => Promise<T>, extraEnv: Env = {}, serveArgs: string[] = []): Promise<ChainUpstream & { seeded: T }> {
  const database = await createTestDatabase(kind);
  // The shop profile (/api) prices in USD here, like the rest of A, so one price is one price.
  const env = testEnv(database, { SOUK_SHOP_CURRENCY: 'USD', SOUK_LOG_LEVEL: 'warn', ...extraEnv });
  const souk = await openSouk(loadConfig(env));
  const admin = await createAccount(souk.db, { name: 'A admin', kind: 'admin' });
  const adminKey = (await createApiKey(souk.db, souk.box, { accountId: admin.id })).apiKey;
  const seeded = await seed(souk);
  const port = await closedPort();
  const upstream: ChainUpstream & { seeded: T } = {
    kind,
    database,
    env,
    port,
    origin: `http://127.0.0.1:${port}`,
    souk,
    adminKey,
    seeded,
    process: undefined,
    async start() {
      assert.equal(upstream.process, undefined, 'A is running already');
      upstream.process = await spawnServer(env, ['--port', String(port), '--host', '127.0.0.1', ...serveArgs]);
      assert.equal(upstream.process.url, upstream.origin, 'A serves at its own address again');
    },
    async kill() {
      const running = upstream.process;
      upstream.process = undefined;
      await running?.stop('SIGKILL');
    },
    async close() {
      await upstream.process?.stop('SIGTERM');
      upstream.process = undefined;
      await souk.close();
      await database.drop();
    },
  };
  try {
    await upstream.start();
  } catch (error) {
    await souk.close();
    await database.drop();
    throw error;
  }
  return upstream;
}

/** What A sells and to whom, one account and a few products per dialect. */
export interface AccountOnA {
  accountId: number;
  /** The provider's credentials on B. */
  credentials: Pick<ProviderInput, 'key' | 'secret' | 'username' | 'password'>;
}

export interface ProductOnA {
  id: number;
  code: string;
}

/** Every secret B was given for A, to look for where none should be. */
export function secretsOf(accounts: Iterable<AccountOnA>): string[] {
  const secrets: string[] = [];
  for (const { credentials } of accounts) for (const value of [credentials.key, credentials.secret, credentials.password]) if (value && value.length >= 8) secrets.push(value);
  return secrets;
}

const SHOP_PASSWORD = 'correct horse battery staple';

/** An account on A that a provider of `dialect` on B buys as, funded with `minor` cents of USD. */
export async function accountOnA(souk: Souk, dialect: SoukDialect, minor: number, name: string): Promise<AccountOnA> {
  if (dialect === 'shop') {
    // Seed 004 pays from a shop customer's balance, logged in by e-mail and password.
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@b.example`;
    const customer = await registerCustomer(souk.db, { email, password: SHOP_PASSWORD }, 'USD');
    await fund(souk, customer.accountId, minor);
    // The shop dialect uses no key, but a provider is added with one: the e-mail stands in.
    return { accountId: customer.accountId, credentials: { key: email, username: email, password: SHOP_PASSWORD } };
  }
  const account = await createReseller(souk, { name, ...(dialect === 'partner' ? { kind: 'partner', signed: true } : {}) });
  await fund(souk, account.accountId, minor);
  return { accountId: account.accountId, credentials: { key: account.apiKey, ...(account.signingSecret ? { secret: account.signingSecret } : {}) } };
}

/** A product on A with `codes` codes (CODE-0001 …), USD. */
export async function productOnA(souk: Souk, code: string, price: string, codes: number, name: Record<string, string> = { en: code }): Promise<ProductOnA> {
  return { id: await stockedProduct(souk, { code, price, name }, codes), code };
}

/** How a dialect names a product of A: seed 000 by its code, the others by its id. */
export function refOnA(dialect: SoukDialect, product: ProductOnA): string {
  return dialect === 'partner' ? product.code : String(product.id);
}

/** What the upstream order `upstreamId` (A's order id, or its number for the shop API) is on A: its id, account, status and the codes it delivered. */
export async function orderOnA(a: ChainUpstream, upstreamId: string) {
  const order = await a.souk.db
    .selectFrom('orders')
    .select(['id', 'number', 'account_id', 'status', 'client_order_id'])
    .where((eb) => eb.or([eb('id', '=', upstreamId), eb('number', '=', upstreamId)]))
    .executeTakeFirstOrThrow();
  const items = await a.souk.db.selectFrom('stock_items').select('code_enc').where('order_id', '=', order.id).execute();
  return { ...order, codes: items.map((i) => a.souk.vault.open(i.code_enc)).sort() };
}

/** An account's orders on a Souk. */
export async function ordersOf(souk: Souk, accountId: number) {
  return souk.db.selectFrom('orders').select(['id', 'number', 'status', 'client_order_id']).where('account_id', '=', accountId).orderBy('created_at').execute();
}

/** The ledger entries an order made on a Souk (its charge, its refund), oldest first. */
export async function ledgerOf(souk: Souk, orderId: string) {
  return souk.db.selectFrom('ledger_entries').select(['kind', 'amount_minor']).where('reference', '=', `order:${orderId}`).orderBy('id').execute();
}

export { upstreamDebits as orderDebitsOf } from './upstream.js';

/** Changes a product's price on A through A's admin API, as its owner would. */
export async function repriceOnA(a: ChainUpstream, code: string, price: string): Promise<void> {
  const answer = await fetch(`${a.origin}/admin/api/products/${encodeURIComponent(code)}`, {
    method: 'PATCH',
    headers: { ...bearer(a.adminKey), 'content-type': 'application/json' },
    body: JSON.stringify({ price }),
  });
  assert.equal(answer.status, 200, await answer.text());
}

/** The order B's buyer places over B's /api/v1, as a reseller would. */
export async function orderOnB(b: TestSouk, apiKey: string, payload: Record<string, unknown>) {
  const answer = await b.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(apiKey), payload });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<{ order_id: string; status: string; order: { items?: Array<{ code: string }> } }>();
}

/** B's order status, as stored. */
export async function statusOnB(b: TestSouk, orderId: string): Promise<string> {
  return (await b.souk.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
}

/**
 * Drives B's forwarding runs (resume, as its schedule does) until `done` holds, failing after a
 * generous ceiling. With `orderId`, each round hurries that order's run first, as a callback from
 * the provider would, so that a backoff does not stretch the test.
 */
export async function driveUntil(b: TestSouk, what: string, done: () => Promise<boolean>, orderId?: string, ceilingMs = 2 * WAIT_CEILING_MS): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ceilingMs} ms`);
    if (orderId) await hurryRun(b.souk.db, FORWARD_WORKFLOW, orderId, new Date().toISOString());
    await b.souk.upstream.resume();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Drives B's forwarding `rounds` more times, each hurrying the orders' runs: what the schedule would do over hours. */
export async function driveRounds(b: TestSouk, orderIds: string[], rounds = 3): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const id of orderIds) await hurryRun(b.souk.db, FORWARD_WORKFLOW, id, new Date().toISOString());
    await b.souk.upstream.resume();
  }
}

/** Captures what the upstream connector logs (JSON lines on stderr) while it runs; other stderr goes through. */
export function captureUpstreamLog(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (/"msg":"(upstream|forwarding)/.test(text)) {
      lines.push(text);
      return true;
    }
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { lines, stop: () => void (process.stderr.write = original) };
}

/** A writable that keeps every log line B's server writes. */
export function lineSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines };
}

export interface HoldingHop {
  /** http://127.0.0.1:port, passing everything to the target. */
  origin: string;
  /**
   * Holds the answer to the next request that `matches`: the target answers it (and has done
   * whatever it does), then the answer waits until `release()`. `answered` resolves once it is held.
   */
  holdNext(matches: (method: string, url: string) => boolean): { answered: Promise<void>; release(): void };
  close(): Promise<void>;
}

/** A pass-through hop to `target` that can hold an answer back: a slow network, one answer at a time. */
export async function startHoldingHop(target: string): Promise<HoldingHop> {
  let hold: { matches: (method: string, url: string) => boolean; held: () => void; released: Promise<void> } | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', target);
      const outgoing = http.request(url, { method: request.method, headers: { ...request.headers, host: url.host }, agent: false }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', async () => {
          const mine = hold && hold.matches(request.method ?? 'GET', request.url ?? '/') ? hold : undefined;
          if (mine) {
            hold = undefined;
            mine.held();
            await mine.released;
          }
          const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = answer.headers;
          const whole = Buffer.concat(body);
          response.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(whole.length) });
          response.end(whole);
        });
      });
      outgoing.on('error', (error) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`the target did not answer: ${error.message}`);
      });
      outgoing.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    holdNext(matches) {
      let held!: () => void;
      let release!: () => void;
      const answered = new Promise<void>((resolve) => (held = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { matches, held, released };
      return { answered, release };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

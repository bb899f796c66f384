// An upstream Souk for the dialect suites: a test Souk listening on 127.0.0.1 (a port of its own),
// the connection a dialect calls it through, and what the upstream's own tables say was bought.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { Souk } from '../../src/app.js';
import type { UpstreamConnection, UpstreamCredentials } from '../../src/core/upstream/dialect.js';
import { UpstreamFailure, type FailureClass } from '../../src/core/upstream/failure.js';
import type { UpstreamHttp } from '../../src/core/upstream/http.js';
import type { TestSouk } from './souk.js';

/** Starts `t`'s server on 127.0.0.1 (a port of its own) and returns its origin, `http://127.0.0.1:<port>`. */
export async function listenOrigin(t: TestSouk): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Starts `t`'s server on 127.0.0.1 and returns the base URL of its canonical API (…/api/v1). */
export async function listenOnLoopback(t: TestSouk): Promise<string> {
  return `${await listenOrigin(t)}/api/v1`;
}

export function connectionTo(baseUrl: string, http: UpstreamHttp, credentials: UpstreamCredentials, currency = 'USD'): UpstreamConnection {
  return { providerId: 1, baseUrl, credentials, currency, http };
}

/** Orders the upstream holds for an account. */
export async function upstreamOrders(souk: Souk, accountId: number): Promise<Array<{ id: string; client_order_id: string | null; status: string }>> {
  return souk.db.selectFrom('orders').select(['id', 'client_order_id', 'status']).where('account_id', '=', accountId).orderBy('created_at').execute();
}

/** Charges the upstream's ledger holds against an account's wallets (one per order paid). */
export async function upstreamDebits(souk: Souk, accountId: number): Promise<number> {
  const row = await souk.db
    .selectFrom('ledger_entries')
    .innerJoin('wallets', 'wallets.id', 'ledger_entries.wallet_id')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('wallets.account_id', '=', accountId)
    .where('ledger_entries.kind', '=', 'order')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Awaits `promise` and checks it failed with an UpstreamFailure of `failure` and `code`; returns it. */
export async function assertFailure(promise: Promise<unknown>, failure: FailureClass, code?: string): Promise<UpstreamFailure> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UpstreamFailure, `expected an UpstreamFailure, got ${String(caught)}`);
  assert.equal(caught.failure, failure, `${caught.message} (${caught.code})`);
  if (code !== undefined) assert.equal(caught.code, code, caught.message);
  return caught;
}

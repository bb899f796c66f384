// Idempotency keys (the IETF httpapi Idempotency-Key draft) for every POST other than order
// placement, which has client_order_id forever. A key is the account's for 24 hours: the first
// request with it runs; a repeat with the same request gets the first answer again; a repeat
// with a different request is 422; a repeat while the first still runs is 409.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { IdempotencyKeyReused, RequestInProgress } from '../errors.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type Claim = { kind: 'new' } | { kind: 'replay'; statusCode: number; body: string };

export async function claimIdempotencyKey(db: Db, accountId: number, key: string, requestHash: string): Promise<Claim> {
  const now = new Date();
  await db.deleteFrom('idempotency_keys').where('account_id', '=', accountId).where('key', '=', key).where('expires_at', '<', now.toISOString()).execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ account_id: accountId, key, request_hash: requestHash, status_code: null, response: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString() })
    .onConflict((c) => c.columns(['account_id', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'new' };
  const existing = await db.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
  if (!existing) return claimIdempotencyKey(db, accountId, key, requestHash);
  if (existing.request_hash !== requestHash) throw new IdempotencyKeyReused(`Idempotency-Key "${key}"`);
  if (existing.status_code === null || existing.response === null) throw new RequestInProgress(`Idempotency-Key "${key}"`);
  return { kind: 'replay', statusCode: existing.status_code, body: existing.response };
}

/** Stores the answer to replay; a server error instead frees the key so the client can retry. */
export async function completeIdempotencyKey(db: Db, accountId: number, key: string, statusCode: number, body: string): Promise<void> {
  if (statusCode >= 500) {
    await db.deleteFrom('idempotency_keys').where('account_id', '=', accountId).where('key', '=', key).where('status_code', 'is', null).execute();
    return;
  }
  await db.updateTable('idempotency_keys').set({ status_code: statusCode, response: body }).where('account_id', '=', accountId).where('key', '=', key).execute();
}

export async function pruneIdempotencyKeys(db: Db): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<', nowIso()).execute();
}

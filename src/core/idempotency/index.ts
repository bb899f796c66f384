// Idempotency keys (the IETF httpapi Idempotency-Key draft) for POSTs other than order placement,
// where the key is kept in the order itself (core/orders). A key is the account's for 24 hours:
// the first request with it runs; a repeat with the same request gets the first answer again; a
// repeat with a different request is 422; a repeat while the first still runs is 409.
//
// The first request holds its claim for a lease, not for the key's whole life: a process that
// died mid-request leaves a claim that the next retry takes over once the lease has run out.
// Answers are sealed before they rest (they may carry codes or secrets), and a route may name
// fields that are shown once: they are left out of what is kept, so a replay never shows them.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { IdempotencyKeyReused, RequestInProgress } from '../errors.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a running request holds its key; longer than any request should take. */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

export type Claim = { kind: 'new' } | { kind: 'replay'; statusCode: number; body: string };

export interface IdempotencyStore {
  db: Db;
  box: SecretBox;
}

const later = (from: Date, ms: number) => new Date(from.getTime() + ms).toISOString();

/** Claims `key` for this request, or says how to answer it: the stored answer, 422 or 409. */
export async function claimIdempotencyKey({ db, box }: IdempotencyStore, accountId: number, key: string, requestHash: string, now = new Date()): Promise<Claim> {
  const at = now.toISOString();
  await db.deleteFrom('idempotency_answers').where('account_id', '=', accountId).where('key', '=', key).where('expires_at', '<', at).execute();
  const inserted = await db
    .insertInto('idempotency_answers')
    .values({ account_id: accountId, key, request_hash: requestHash, status_code: null, response: null, locked_until: later(now, IDEMPOTENCY_LEASE_MS), created_at: at, expires_at: later(now, IDEMPOTENCY_TTL_MS) })
    .onConflict((c) => c.columns(['account_id', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'new' };
  const existing = await db.selectFrom('idempotency_answers').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
  if (!existing) return claimIdempotencyKey({ db, box }, accountId, key, requestHash, now);
  if (existing.request_hash !== requestHash) throw new IdempotencyKeyReused(`Idempotency-Key "${key}"`);
  if (existing.status_code !== null && existing.response !== null) return { kind: 'replay', statusCode: existing.status_code, body: box.open(existing.response) };
  if (existing.locked_until !== null && existing.locked_until > at) throw new RequestInProgress(`Idempotency-Key "${key}"`);
  // The first request's lease ran out without an answer (its process died): this one takes over,
  // and only one retry can, since the update is conditional on the lease it saw.
  const taken = await db
    .updateTable('idempotency_answers')
    .set({ locked_until: later(now, IDEMPOTENCY_LEASE_MS) })
    .where('id', '=', existing.id)
    .where('status_code', 'is', null)
    .where((eb) => (existing.locked_until === null ? eb('locked_until', 'is', null) : eb('locked_until', '=', existing.locked_until)))
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 1) return { kind: 'new' };
  throw new RequestInProgress(`Idempotency-Key "${key}"`);
}

/**
 * Stores the answer to replay, sealed, without the fields named in `shownOnce`; a server error
 * instead frees the key so the client can retry.
 */
export async function completeIdempotencyKey(
  { db, box }: IdempotencyStore,
  accountId: number,
  key: string,
  statusCode: number,
  body: string,
  shownOnce: readonly string[] = [],
): Promise<void> {
  if (statusCode >= 500) {
    await db.deleteFrom('idempotency_answers').where('account_id', '=', accountId).where('key', '=', key).where('status_code', 'is', null).execute();
    return;
  }
  await db
    .updateTable('idempotency_answers')
    .set({ status_code: statusCode, response: box.seal(withoutShownOnce(body, shownOnce)), locked_until: null })
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('status_code', 'is', null)
    .execute();
}

/** The answer as it may be shown again: each field shown once is null. */
function withoutShownOnce(body: string, shownOnce: readonly string[]): string {
  if (shownOnce.length === 0) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  const kept: Record<string, unknown> = { ...parsed };
  for (const field of shownOnce) if (field in kept) kept[field] = null;
  return JSON.stringify(kept);
}

export async function pruneIdempotencyKeys(db: Db): Promise<void> {
  await db.deleteFrom('idempotency_answers').where('expires_at', '<', nowIso()).execute();
}

/** Seals answers stored in clear before answers were sealed (migration 0008 copied them as they were). */
export async function sealLegacyAnswers({ db, box }: IdempotencyStore): Promise<number> {
  // A sealed value starts with its key id (`k…`); a stored answer in clear is a JSON object.
  const rows = await db.selectFrom('idempotency_answers').select(['id', 'response']).where('response', 'like', '{%').execute();
  for (const row of rows) {
    await db.updateTable('idempotency_answers').set({ response: box.seal(row.response!) }).where('id', '=', row.id).where('response', '=', row.response).execute();
  }
  return rows.length;
}

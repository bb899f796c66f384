// The API failures log (seed 003): every failed order attempt, with enough to help the reseller
// and nothing secret (the excerpt is redacted and cut short).
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database, Db } from '../../db/index.js';
import { nowIso } from '../clock.js';

const SECRET_KEYS = /pass|secret|token|key|signature|authorization|code/i;
const EXCERPT_LIMIT = 1000;

/** A copy of the request body with secret-looking fields blanked, as compact JSON, cut short. */
export function redactedExcerpt(body: unknown): string {
  const redact = (value: unknown, depth: number): unknown => {
    if (depth > 4) return '…';
    if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, depth + 1));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).slice(0, 50).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1)]));
    }
    return typeof value === 'string' && value.length > 200 ? value.slice(0, 200) + '…' : value;
  };
  const text = JSON.stringify(redact(body ?? null, 0)) ?? 'null';
  return text.length > EXCERPT_LIMIT ? text.slice(0, EXCERPT_LIMIT) + '…' : text;
}

export interface ApiFailure {
  accountId: number | null;
  keyId: string | null;
  method: string;
  route: string;
  status: number;
  errorCode: string;
  message: string;
  body: unknown;
  requestId: string;
}

export async function recordApiFailure(db: Db, failure: ApiFailure): Promise<void> {
  await db
    .insertInto('api_failures')
    .values({
      account_id: failure.accountId,
      key_id: failure.keyId,
      method: failure.method,
      route: failure.route,
      status: failure.status,
      error_code: failure.errorCode,
      message: failure.message.slice(0, 500),
      request_excerpt: redactedExcerpt(failure.body),
      request_id: failure.requestId,
      created_at: nowIso(),
    })
    .execute();
}

/** A call to an upstream provider that failed (seed 003's "API failures" covers both directions). */
export interface UpstreamCallFailure {
  providerId: number;
  dialect: string;
  operation: string;
  status: number | null;
  errorCode: string;
  message: string;
  /** What the upstream answered, cut short; redacted here like a request body. */
  excerpt: string | null;
  orderId: string | null;
}

/** Logs a failed upstream call; its excerpt is redacted (secret-looking JSON fields blanked) and cut short. */
export async function recordUpstreamCallFailure(db: Db, failure: UpstreamCallFailure): Promise<void> {
  let excerpt: unknown = failure.excerpt ?? '';
  try {
    excerpt = failure.excerpt ? (JSON.parse(failure.excerpt) as unknown) : '';
  } catch {
    // Not JSON (or cut short): kept as text, with anything that looks like a key blanked.
    excerpt = (failure.excerpt ?? '').replace(/(sk_live_|whsec_|Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]');
  }
  await db
    .insertInto('api_failures')
    .values({
      account_id: null,
      key_id: null,
      method: 'CALL',
      route: `${failure.dialect}:${failure.operation}`.slice(0, 200),
      status: failure.status ?? 0,
      error_code: failure.errorCode.slice(0, 60),
      message: failure.message.slice(0, 500),
      request_excerpt: redactedExcerpt(excerpt),
      request_id: '',
      provider_id: failure.providerId,
      dialect: failure.dialect,
      operation: failure.operation,
      order_id: failure.orderId,
      created_at: nowIso(),
    })
    .execute();
}

export interface ApiFailureFilter {
  accountId?: number;
  errorCode?: string;
  providerId?: number;
  direction?: 'incoming' | 'upstream';
  orderId?: string;
  since?: string;
  before?: number;
  limit?: number;
}

export async function listApiFailures(db: Db, filter: ApiFailureFilter = {}) {
  return filtered(db.selectFrom('api_failures').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100), filter).execute();
}

/** How many logged failures match `filter` (its before and limit aside). */
export async function countApiFailures(db: Db, filter: Omit<ApiFailureFilter, 'before' | 'limit'> = {}): Promise<number> {
  const row = await filtered(db.selectFrom('api_failures').select(sql<number>`count(*)`.as('n')), filter).executeTakeFirstOrThrow();
  return Number(row.n);
}

// One filter for the list and the count, so the two never disagree.
function filtered<O>(query: SelectQueryBuilder<Database, 'api_failures', O>, filter: ApiFailureFilter): SelectQueryBuilder<Database, 'api_failures', O> {
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  if (filter.errorCode) query = query.where('error_code', '=', filter.errorCode);
  if (filter.providerId !== undefined) query = query.where('provider_id', '=', filter.providerId);
  if (filter.direction) query = query.where('provider_id', filter.direction === 'upstream' ? 'is not' : 'is', null);
  if (filter.orderId) query = query.where('order_id', '=', filter.orderId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query;
}

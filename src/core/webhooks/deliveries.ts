// Deliveries: one per event and target (an endpoint, or an order's callback_url). Published events
// fan out into pending deliveries; workers claim the due ones (PostgreSQL: FOR UPDATE SKIP LOCKED,
// with a lease so a crashed worker's claims come back); results close them, schedule a retry, or
// mark them dead. One order's deliveries to one target form a chain: only the oldest open one of a
// chain can be claimed, so they arrive in the order the events happened. A paused endpoint whose
// pause is over gets one probe at a time, whichever worker claims (the probe lease, below).
import { sql, type QueryCreator, type SelectQueryBuilder } from 'kysely';
import { executePrepared, preparedTransaction, type Database, type Db, type Dialect, type PreparedRunner } from '../../db/index.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { eventsToSend, OUTBOX_CHANNEL, pendingEventsQuery, PUBLISH_LOCK_SQL, toPublication, unpublishedFor, type EventType, type OutboxNotice, type PublishedEvent } from '../events/index.js';
import { claimValues, dueCondition, newLease, releaseClaims, type LeasedQueue } from '../jobs/index.js';
import { deliveredSealedCodesJson, orderChannels } from '../orders/index.js';
import { DEFAULT_RETRY_SCHEDULE } from './schedule.js';
import { toEndpoint, type WebhookEndpoint } from './endpoints.js';

type NewDelivery = Omit<WebhookDeliveriesTable, 'id'>;

function wants(endpoint: WebhookEndpoint, event: PublishedEvent): boolean {
  if (event.endpoint_id) return event.endpoint_id === endpoint.id;
  if (event.account_id !== null && event.account_id !== endpoint.account_id) return false;
  return endpoint.events.length === 0 || endpoint.events.includes(event.type);
}

/** The deliveries one published event asks for. Pure: the endpoints are given. */
export function deliveriesFor(event: PublishedEvent, endpoints: readonly WebhookEndpoint[], now: string): NewDelivery[] {
  const base = { event_id: event.id, status: 'pending' as const, attempts: 0, next_attempt_at: now, claim_token: null, locked_until: null, last_status_code: null, last_error: null, created_at: now, updated_at: now, closed_at: null };
  const out: NewDelivery[] = endpoints
    .filter((e) => e.enabled && wants(e, event))
    .map((e) => ({ ...base, account_id: e.account_id, endpoint_id: e.id, callback_url: null, chain: event.order_id ? `${e.id}:${event.order_id}` : null }));
  if (event.callback_url && event.account_id !== null && !event.endpoint_id) {
    out.push({ ...base, account_id: event.account_id, endpoint_id: null, callback_url: event.callback_url, chain: event.order_id ? `cb:${event.order_id}` : null });
  }
  return out;
}

/** Deliveries are inserted this many rows a statement. */
const INSERT_CHUNK = 200;

function chunked<T>(rows: T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / INSERT_CHUNK) }, (_, i) => rows.slice(i * INSERT_CHUNK, (i + 1) * INSERT_CHUNK));
}

/**
 * Publishes pending events (feed positions) and writes their deliveries, in one transaction.
 * Returns how many events were published and how many deliveries they made.
 */
export async function fanOutEvents(db: Db, limit = 500): Promise<{ events: number; deliveries: number }> {
  const prepared = preparedTransaction(db);
  if (prepared) return prepared((run, opened) => fanOutOnPostgres(db, run, opened as Array<{ got: boolean }>, limit), PUBLISH_LOCK_SQL);
  // SQLite: one writer, so no publish lock.
  return db.transaction().execute(async (tx) => {
    const next = toPublication(await pendingEventsQuery(tx, limit).execute());
    if (!next) return { events: 0, deliveries: 0 };
    await next.positions(tx).execute();
    const accounts = [...new Set(next.events.map((e) => e.account_id).filter((a): a is number => a !== null))];
    const broadcast = next.events.some((e) => e.account_id === null);
    let query = tx.selectFrom('webhook_endpoints').selectAll().where('status', '=', 'enabled');
    if (!broadcast) query = accounts.length ? query.where('account_id', 'in', accounts) : query.where(sql<boolean>`1 = 0`);
    const endpoints = (await query.execute()).map(toEndpoint);
    const now = nowIso();
    const rows = next.events.flatMap((e) => deliveriesFor(e, endpoints, now));
    for (const chunk of chunked(rows)) await tx.insertInto('webhook_deliveries').values(chunk).execute();
    return { events: next.events.length, deliveries: rows.length };
  });
}

/**
 * The fan-out on PostgreSQL, where every statement is a round trip a waiting webhook pays for and
 * planning the read took longer than running it: the publish lock (taken in the round trip that
 * began the transaction), then (named statements) the events with the endpoints that may want them
 * (of every account with an unpublished event), then the positions with the deliveries and the
 * NOTIFY that tells every worker of them at commit.
 */
async function fanOutOnPostgres(db: Db, run: PreparedRunner, lock: Array<{ got: boolean }>, limit: number): Promise<{ events: number; deliveries: number }> {
  if (!lock[0]?.got) return { events: 0, deliveries: 0 };
  const pending = await run.rows(
    'souk_fan_out_read',
    pendingEventsQuery(db, limit).select(
      sql<WebhookEndpointsTable[] | null>`case when row_number() over (order by outbox_events.id) = 1 then (
        select coalesce(json_agg(w), '[]') from webhook_endpoints w where w.status = 'enabled' and ${unpublishedFor(sql.ref('w.account_id'))}) end`.as('endpoints'),
    ),
  );
  const next = toPublication(pending);
  if (!next) return { events: 0, deliveries: 0 };
  const endpoints = (pending[0]?.endpoints ?? []).map(toEndpoint);
  const now = nowIso();
  const rows = next.events.flatMap((e) => deliveriesFor(e, endpoints, now));
  const chunks = chunked(rows);
  for (const chunk of chunks.slice(0, -1)) await run.rows(null, db.insertInto('webhook_deliveries').values(chunk));
  const last = chunks.at(-1);
  await run.rows(
    null,
    last
      ? db
          .with('published', (w) => next.positions(w))
          .with('inserted', (w) => w.insertInto('webhook_deliveries').values(last).returning('id'))
          .selectNoFrom(sql<string>`pg_notify(${OUTBOX_CHANNEL}, ${'deliveries' satisfies OutboxNotice})`.as('notified'))
      : next.positions(db),
  );
  return { events: next.events.length, deliveries: rows.length };
}

/** A claimed delivery with what is needed to send it. */
export interface DeliveryJob {
  id: number;
  account_id: number;
  endpoint_id: string | null;
  callback_url: string | null;
  attempts: number;
  claim_token: string;
  event_row_id: number;
  event_id: string;
  type: EventType;
  order_id: string | null;
  /** The channel the order was placed through (`partner`: on /v1, so its webhooks speak seed 000); null for other events. */
  order_channel: string | null;
  payload: string;
  created_at: string;
  /**
   * PostgreSQL: an order.fulfilled delivery's codes, still sealed, read with the claim when its
   * target takes them (no round trip of their own); undefined where the claim did not read them.
   */
  sealed_items?: Array<{ id: number; code_enc: string }>;
  /** The endpoint as it is now (null for a callback_url delivery, or an endpoint gone). */
  endpoint: { url: string; include_items: boolean; failure_streak: number; paused_until: string | null } & SealedSecrets | null;
  /** When this delivery is its paused endpoint's probe: the probe lease it holds (the endpoint's probe_until). */
  probe_until: string | null;
  /** The account's callback secret, for a callback_url delivery (null until first created). */
  callback_secret: SealedSecrets | null;
}

export interface SealedSecrets {
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
}

export const LEASE_MS = 60_000;

/** webhook_deliveries as a leased queue (core/jobs' lease protocol); `acked` is a fifth state of its own, closed by the receiver. */
export const DELIVERY_QUEUE: LeasedQueue = {
  table: 'webhook_deliveries',
  status: { waiting: 'pending', running: 'sending', done: 'delivered', dead: 'dead' },
  leaseMs: LEASE_MS,
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
};

export interface ClaimedDeliveries {
  /** The deliveries to send now. */
  jobs: DeliveryJob[];
  /** Claimed, then put back untouched: they wait behind their endpoint's probe. */
  putBack: number;
}

/**
 * Claims up to `limit` due deliveries for this worker: pending ones whose time has come, and ones
 * whose claim lease ran out (a worker died while sending). Skips deliveries whose endpoint is off,
 * paused, or has its probe in flight, and any that wait behind an older open delivery of their
 * chain. Of an endpoint whose pause is over, at most one delivery is returned, and only to the
 * claimer that takes its probe lease.
 */
export async function claimDeliveries(db: Db, dialect: Dialect, limit: number, now = new Date()): Promise<ClaimedDeliveries> {
  const taken = newLease(DELIVERY_QUEUE, now);
  const { at, token } = taken;
  const lease = taken.until;
  // Two arms, each walking the due index in order and stopping at the limit: pending ones whose
  // time has come, and sending ones whose lease ran out. As one OR they read every due row and
  // sorted them, on every claim: with a backlog of 10,000 a claim took 5 ms on SQLite.
  // Statuses are written into the SQL, not bound: with them as parameters PostgreSQL kept planning
  // the named claim afresh on every call (it could not tell that a generic plan would do as well):
  // about 2.6 ms a claim instead of 1.6, with 10,000 delivered rows and 20 due.
  const pending = sql.lit('pending' as const);
  const sending = sql.lit('sending' as const);
  const arm = (q: QueryCreator<Database>, due: 'waiting' | 'expired') => {
    const pick = q
      .selectFrom('webhook_deliveries as d')
      .select(['d.id', 'd.next_attempt_at'])
      .where(dueCondition(DELIVERY_QUEUE, 'd', due, at))
      .where((eb) =>
        eb.or([
          eb('d.chain', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('webhook_deliveries as p')
                .select(sql.lit(1).as('one'))
                .whereRef('p.chain', '=', 'd.chain')
                .whereRef('p.id', '<', 'd.id')
                .where('p.status', 'in', [pending, sending]),
            ),
          ),
        ]),
      )
      .where((eb) =>
        eb.or([
          eb('d.endpoint_id', 'is', null),
          eb.exists(
            eb
              .selectFrom('webhook_endpoints as w')
              .select(sql.lit(1).as('one'))
              .whereRef('w.id', '=', 'd.endpoint_id')
              .where('w.status', '=', sql.lit('enabled' as const))
              // Closed, or its pause over and no probe in flight (or the probe's lease ran out: its worker died).
              .where((w) =>
                w.or([
                  w('w.paused_until', 'is', null),
                  w.and([w('w.paused_until', '<=', at), w.or([w('w.probe_until', 'is', null), w('w.probe_until', '<=', at)])]),
                ]),
              ),
          ),
        ]),
      )
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      .limit(limit);
    return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
  };
  const claim = db.with(
    (cte) => cte('picked').materialized(),
    (q) =>
      q
        .selectFrom(q.selectFrom(arm(q, 'waiting').as('p')).selectAll().unionAll(q.selectFrom(arm(q, 'expired').as('x')).selectAll()).as('due'))
        .select('due.id')
        .orderBy('due.next_attempt_at')
        .orderBy('due.id')
        .limit(limit),
  );
  const claimed = (q: QueryCreator<Database & { picked: { id: number } }>) =>
    q
      .updateTable('webhook_deliveries')
      .set({ ...claimValues(DELIVERY_QUEUE, taken), status: 'sending' })
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'));
  // With each delivery, its event, its order's channel, and what its target needs (the endpoint, or the account's callback secret).
  const withTargets = <Q extends SelectQueryBuilder<Database & { d: WebhookDeliveriesTable }, 'd', object>>(query: Q) =>
    query
      .innerJoin(eventsToSend(db).as('e'), 'e.id', 'd.event_id')
      .leftJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
      .leftJoin('callback_secrets as c', (join) => join.onRef('c.account_id', '=', 'd.account_id').on('d.callback_url', 'is not', null))
      .leftJoin(orderChannels(db).as('o'), 'o.id', 'e.order_id')
      .select(['d.id', 'd.account_id', 'd.endpoint_id', 'd.callback_url', 'd.attempts', 'e.id as event_row_id', 'e.event_id', 'e.type', 'e.order_id', 'o.channel as order_channel', 'e.payload', 'e.created_at'])
      .select(['w.url as endpoint_url', 'w.include_items', 'w.failure_streak', 'w.paused_until', 'w.secret_enc as endpoint_secret', 'w.previous_secret_enc as endpoint_previous_secret', 'w.previous_secret_until as endpoint_previous_until'])
      .select(['c.secret_enc as callback_secret', 'c.previous_secret_enc as callback_previous_secret', 'c.previous_secret_until as callback_previous_until'])
      .orderBy('d.id');
  let rows;
  if (dialect === 'postgres') {
    // One round trip: the claiming update's rows, joined with what sending them needs, codes included.
    // A named statement: planning this query took longer than running it.
    rows = await executePrepared(
      db,
      'souk_claim_deliveries',
      withTargets(claim.with('claimed', (q) => claimed(q).returningAll()).selectFrom('claimed as d')).select(
        sql<Array<{ id: number; code_enc: string }> | null>`case when e.type = 'order.fulfilled' and e.order_id is not null and (d.callback_url is not null or w.include_items = 1) then ${deliveredSealedCodesJson(sql.ref('e.order_id'))} end`.as('sealed_items'),
      ),
    );
  } else {
    const ids = await claimed(claim).returning(['id']).execute();
    if (!ids.length) return { jobs: [], putBack: 0 };
    // By id (the primary key): by claim token alone it was a scan of every delivery ever made.
    rows = await withTargets(db.selectFrom('webhook_deliveries as d'))
      .where('d.id', 'in', ids.map((r) => r.id))
      .where('d.claim_token', '=', token)
      .execute();
  }
  const jobs = rows.map((r) => ({
    id: r.id,
    account_id: r.account_id,
    endpoint_id: r.endpoint_id,
    callback_url: r.callback_url,
    attempts: r.attempts,
    claim_token: token,
    event_row_id: r.event_row_id,
    event_id: r.event_id,
    type: r.type as EventType,
    order_id: r.order_id,
    order_channel: r.order_channel,
    payload: r.payload,
    created_at: r.created_at,
    ...('sealed_items' in r && r.sealed_items ? { sealed_items: r.sealed_items as Array<{ id: number; code_enc: string }> } : {}),
    endpoint: r.endpoint_url === null || r.endpoint_secret === null ? null : {
      url: r.endpoint_url,
      include_items: r.include_items === 1,
      failure_streak: r.failure_streak ?? 0,
      paused_until: r.paused_until,
      secret_enc: r.endpoint_secret,
      previous_secret_enc: r.endpoint_previous_secret,
      previous_secret_until: r.endpoint_previous_until,
    },
    callback_secret: r.callback_secret === null ? null : { secret_enc: r.callback_secret, previous_secret_enc: r.callback_previous_secret, previous_secret_until: r.callback_previous_until },
    probe_until: null,
  }));
  return takeProbes(db, jobs, at, lease);
}

/**
 * Claimed deliveries to endpoints whose pause is over: for each such endpoint, one becomes the
 * probe if this claimer takes the endpoint's probe lease, and the rest go back untouched (no
 * attempt counted, still due). The lease is a conditional UPDATE of the endpoint row, so of two
 * claims (in this worker or another) only one wins, and later claims skip the endpoint until the
 * probe's outcome clears the lease. The lease runs as long as the probe's claim: if its worker
 * dies, both run out together and the next probe may go.
 */
async function takeProbes(db: Db, jobs: DeliveryJob[], at: string, lease: string): Promise<ClaimedDeliveries> {
  const halfOpen = new Map<string, DeliveryJob[]>();
  for (const job of jobs) {
    if (!job.endpoint_id || !job.endpoint?.paused_until) continue;
    const claimed = halfOpen.get(job.endpoint_id);
    if (claimed) claimed.push(job);
    else halfOpen.set(job.endpoint_id, [job]);
  }
  if (!halfOpen.size) return { jobs, putBack: 0 };
  const back = new Set<DeliveryJob>();
  for (const [endpointId, claimed] of halfOpen) {
    const taken = await db
      .updateTable('webhook_endpoints')
      .set({ probe_until: lease })
      .where('id', '=', endpointId)
      .where('paused_until', '<=', at)
      .where((w) => w.or([w('probe_until', 'is', null), w('probe_until', '<=', at)]))
      .executeTakeFirst();
    const [probe, ...rest] = claimed;
    const won = taken.numUpdatedRows > 0n;
    if (won) probe!.probe_until = lease;
    for (const job of won ? rest : claimed) back.add(job);
  }
  await releaseDeliveries(db, [...back]);
  return { jobs: jobs.filter((j) => !back.has(j)), putBack: back.size };
}

/** Puts claimed deliveries back untouched, as due as they were. */
async function releaseDeliveries(db: Db, jobs: readonly DeliveryJob[]): Promise<void> {
  await releaseClaims(db, DELIVERY_QUEUE, jobs);
}

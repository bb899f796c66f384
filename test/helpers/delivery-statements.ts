// What the tests of forwarded deliveries' plans share: a shop's orders and runs inserted in bulk,
// and the delivery statement's parts (orders moved to fulfilled, runs ended) as statements of their own.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/db/index.js';
import { pgMoveToFulfilled } from '../../src/core/orders/index.js';
import { pgEndRuns } from '../../src/core/steps/index.js';

export const AT = '2026-12-01T00:00:00.000Z';

/** `count` paid upstream orders `<prefix>-1…`, processing, and as many forwarding runs running (claimed with `token`). */
export async function insertOrdersAndRuns(db: Db, options: { prefix: string; count: number; accountId: number; productId: number }): Promise<void> {
  const { prefix, count, accountId, productId } = options;
  await sql`insert into orders (id, number, account_id, channel, product_id, quantity, unit_price_minor, currency, total_minor, charged_minor, charged_currency,
              status, payment_status, fulfillment, delivery_channel, fields, created_at, updated_at)
            select ${prefix} || '-' || i, upper(${prefix}) || '-' || i, ${accountId}, 'api', ${productId}, 1, 100, 'USD', 100, 100, 'USD', 'processing', 'paid', 'upstream', 'api', '{}', ${AT}, ${AT}
            from generate_series(1, ${count}) i`.execute(db);
  await sql`insert into step_runs (id, workflow, run_key, status, input, next_attempt_at, claim_token, created_at, updated_at)
            select ${prefix} || '-' || i, 'upstream-forward', ${prefix} || '-' || i, 'running', '{}', ${AT}, 'token', ${AT}, ${AT} from generate_series(1, ${count}) i`.execute(db);
}

/** The delivery's move of `orderIds` to fulfilled, counting the orders moved. */
export function ordersMovedToFulfilled(orderIds: string[]): RawBuilder<unknown> {
  return sql`with moved as (${pgMoveToFulfilled(JSON.stringify(orderIds.map((id) => ({ order_id: id, reason: 'delivered' }))), orderIds, AT)}) select count(*) from moved`;
}

/** The delivery's end of the runs `runIds` (claimed with `token`), one step each, counting the runs ended. */
export function runsEnded(runIds: string[]): RawBuilder<unknown> {
  const ends = runIds.map((runId) => ({ claim: { runId, token: 'token' }, at: AT, steps: [{ position: 0, name: 'step', status: 'done' as const, output: '{}', attempts: 1 }], ended: () => undefined }));
  return sql`with nothing as (select 1) ${pgEndRuns(ends)} select count(*) from runs_ended`;
}

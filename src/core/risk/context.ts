// What the score looks at around an order, read in one SQL statement: the account's velocity and
// history, the buyer e-mail's and client IP's velocity over their windows, the other accounts that
// used the e-mail, and whether the product is marked high-risk. Read-only, before the order is
// written (the write does not wait on it: a burst placed in the same instant can each see the
// others missing, which the windows absorb). The windows count by ULID id, which starts with the
// creation time, so each count is an index range.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { ulidFloor } from '../ids.js';
import { isDisposableEmail } from './disposable.js';
import { RISK_WINDOWS, type RiskInput } from './score.js';

export interface OrderToScore {
  accountId: number;
  productId: number;
  amountMinor: number;
  currency: string;
  buyerEmail: string | null;
  clientIp: string | null;
}

interface ContextRow {
  account_velocity: number | string;
  account_orders: number | string;
  history_orders: number | string;
  history_total: number | string | null;
  email_velocity: number | string;
  email_accounts: number | string;
  ip_velocity: number | string;
  high_risk: number | string | null;
}

const MINUTE = 60_000;
/** How many of the account's last delivered orders its history is. */
const HISTORY_WINDOW = 100;

/** Gathers the score's input for one order about to be placed, at `nowMs`. */
export async function gatherRiskContext(db: Db, order: OrderToScore, nowMs = Date.now()): Promise<RiskInput> {
  const w = RISK_WINDOWS;
  const email = order.buyerEmail?.trim().toLowerCase() || null;
  const since = (minutes: number) => ulidFloor(nowMs - minutes * MINUTE);
  // The account's last delivered orders in this currency: its own history, bounded.
  const history = sql`select charged_minor from orders where account_id = ${order.accountId} and status = 'fulfilled' and charged_currency = ${order.currency} order by id desc limit ${HISTORY_WINDOW}`;
  const { rows } = await sql<ContextRow>`
    select
      (select count(*) from orders where account_id = ${order.accountId} and id >= ${since(w.accountMinutes)}) as account_velocity,
      (select count(*) from (select 1 as one from orders where account_id = ${order.accountId} limit 1) ever) as account_orders,
      (select count(*) from (${history}) h) as history_orders,
      (select sum(charged_minor) from (${history}) h) as history_total,
      (select count(*) from orders where lower(buyer_email) = ${email} and id >= ${since(w.emailMinutes)}) as email_velocity,
      (select count(distinct account_id) from orders where lower(buyer_email) = ${email} and id >= ${since(w.emailAccountsDays * 24 * 60)} and account_id <> ${order.accountId}) as email_accounts,
      (select count(*) from orders where client_ip = ${order.clientIp} and id >= ${since(w.ipMinutes)}) as ip_velocity,
      (select high_risk from products where id = ${order.productId}) as high_risk`.execute(db);
  const row = rows[0]!;
  const historyOrders = Number(row.history_orders);
  return {
    amountMinor: order.amountMinor,
    currency: order.currency,
    accountVelocity: Number(row.account_velocity),
    emailVelocity: email === null ? null : Number(row.email_velocity),
    ipVelocity: order.clientIp === null ? null : Number(row.ip_velocity),
    accountOrders: Number(row.account_orders),
    history: { orders: historyOrders, averageMinor: historyOrders > 0 ? Math.floor(Number(row.history_total ?? 0) / historyOrders) : 0 },
    disposableEmail: email !== null && isDisposableEmail(email),
    emailOtherAccounts: email === null ? 0 : Number(row.email_accounts),
    highRiskProduct: Number(row.high_risk ?? 0) === 1,
  };
}

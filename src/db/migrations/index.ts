import type { Migration } from '../migrate.js';
import { foundation } from './0001-foundation.js';
import { orders } from './0002-orders.js';
import { events } from './0003-events.js';
import { coupons } from './0004-coupons.js';
import { customers } from './0005-customers.js';
import { orderMails } from './0006-order-mails.js';
import { webhookProbes } from './0007-webhook-probes.js';
import { idempotency } from './0008-idempotency.js';
import { tokenFamilies } from './0009-token-families.js';
import { jobs } from './0010-jobs.js';
import { stepRuns } from './0011-step-runs.js';
import { codeMasks } from './0011-code-masks.js';
import { chargeOnce } from './0012-charge-once.js';
import { upstream } from './0013-upstream.js';
import { zid } from './0014-zid.js';
import { waitingStock } from './0015-waiting-stock.js';
import { payments } from './0016-payments.js';
import { paymentGateways } from './0017-payment-gateways.js';
import { risk } from './0018-risk.js';
import { tradeIns } from './0019-trade-ins.js';
import { consoleSessions } from './0020-console.js';
import { partialIdempotencyIndex } from './0021-partial-idempotency-index.js';
import { stockPickOrder } from './0022-stock-pick-order.js';
import { checkFunction } from './0023-check-function.js';
import { moneyBigint } from './0024-money-bigint.js';

/** Every migration, in the order it must run. Append only; never edit one that has shipped. */
export const migrations: readonly Migration[] = [foundation, orders, events, coupons, customers, orderMails, webhookProbes, idempotency, tokenFamilies, jobs, stepRuns, codeMasks, chargeOnce, upstream, zid, waitingStock, payments, paymentGateways, risk, tradeIns, consoleSessions, partialIdempotencyIndex, stockPickOrder, checkFunction, moneyBigint];

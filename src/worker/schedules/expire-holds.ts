// Unpaid orders past their hold expire, and their codes go back on sale.
import { orderDepsOf, type Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { expireUnpaidOrders } from '../../core/orders/index.js';

export const expireHolds = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'orders.expire-holds', everyMs, run: (souk) => expireUnpaidOrders(orderDepsOf(souk)) });

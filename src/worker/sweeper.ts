// Scheduled housekeeping: unpaid orders past their hold expire and their codes go back on sale;
// Idempotency-Key records older than 24 h are dropped, and so are token families whose tokens
// have all expired.
import { orderDepsOf, type Souk } from '../app.js';
import { pruneTokenFamilies } from '../core/accounts/index.js';
import { pruneIdempotencyKeys } from '../core/idempotency/index.js';
import { expireUnpaidOrders } from '../core/orders/index.js';

export interface Sweeper {
  stop(): void;
}

export function startSweeper(souk: Souk, onError: (error: unknown) => void, everyMs = 15_000): Sweeper {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    expireUnpaidOrders(orderDepsOf(souk))
      .then(() => pruneIdempotencyKeys(souk.db))
      .then(() => pruneTokenFamilies(souk.db))
      .catch(onError)
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

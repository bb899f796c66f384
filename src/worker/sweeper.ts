// Scheduled housekeeping: unpaid orders past their hold expire and their codes go back on sale.
import type { Souk } from '../app.js';
import { expireUnpaidOrders } from '../core/orders/index.js';

export interface Sweeper {
  stop(): void;
}

export function startSweeper(souk: Souk, everyMs = 15_000): Sweeper {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    expireUnpaidOrders({ db: souk.db, dialect: souk.dialect, vault: souk.vault })
      .catch(() => undefined)
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

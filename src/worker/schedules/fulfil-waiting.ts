// Orders waiting for stock are delivered once it is there: every few seconds (a waiting order
// whose codes came back from a cancelled order, or were imported by a process this one cannot
// hear), and at once when this process hears that stock arrived (an import's notice on the change
// bus: in-process, or from any process through Redis). With nothing waiting, a run is one read.
import { orderDepsOf, type Souk } from '../../app.js';
import { STOCK_ARRIVED_TOPIC } from '../../core/inventory/index.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { fulfilWaitingOrders } from '../../core/orders/index.js';

/** Orders one sweep delivers before it looks again from the start. */
const SWEEP_LIMIT = 200;

export const fulfilWaiting = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'orders.fulfil-waiting', everyMs, run: (souk) => fulfilWaitingOrders(orderDepsOf(souk)) });

export interface StockArrivalWaker {
  /** Stops hearing; resolves once a sweep under way has finished. */
  stop(): Promise<void>;
}

/**
 * Sweeps the waiting orders whenever stock arrives, one sweep at a time in this process: notices
 * that come during a sweep make one more after it, so an import of many chunks costs a few sweeps.
 */
export function sweepOnStockArrival(souk: Souk, onError: (error: unknown) => void): StockArrivalWaker {
  let stopped = false;
  let again = false;
  let running: Promise<void> | undefined;
  const sweep = async () => {
    do {
      again = false;
      // A sweep delivers a bounded number of orders; one that reached its bound goes on.
      for (let more = true; more && !stopped; ) {
        const { fulfilled } = await fulfilWaitingOrders(orderDepsOf(souk), { limit: SWEEP_LIMIT });
        more = fulfilled.length === SWEEP_LIMIT;
      }
    } while (again && !stopped);
  };
  souk.bus.subscribe(STOCK_ARRIVED_TOPIC, () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = sweep()
      .catch(onError)
      .finally(() => (running = undefined));
  });
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

// The forwarding workflow's last step, deliver-codes: what the provider delivered becomes the
// order's items, committed with the purchase's record, its cost and the run's end.
import { queryTemplate, type Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { InvalidState } from '../errors.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { fulfilFromUpstream, type PlacedOrderFacts } from '../orders/index.js';
import { defineStep, RunTakenOver, TryStepLater, type Step } from '../steps/index.js';
import { localStatus, raiseStuck, short, STUCK_RECHECK_MS, type Created, type Followed, type ForwardingDeps, type ForwardInput } from './forwarding-steps.js';
import { findProvider } from './providers.js';
import { findUpstreamOrder, markUpstreamOrder } from './upstream-orders.js';

/**
 * Delivers what the provider delivered (the capture of the buyer's money) and, in the same
 * transaction, records the purchase delivered, books what it cost against our balance there and
 * ends the run: one commit after the provider's answer.
 */
export function deliverStep(deps: ForwardingDeps, create: Step<ForwardInput, Created>, follow: Step<ForwardInput, Followed>) {
  return defineStep<ForwardInput, null>('deliver-codes', {
    async run({ orderId }, ctx) {
      const [created, followed] = [ctx.outputOf(create), ctx.outputOf(follow)];
      // Fulfilled by a person meanwhile, with what they found bought at the provider.
      // (Marked delivered only if it may have been bought there: an order a person fulfilled before it was sent stays `new`.)
      if (followed.resolved) {
        const row = await findUpstreamOrder(deps.db, orderId);
        if (row && ['sending', 'stuck', 'pending'].includes(row.state)) await markUpstreamOrder(deps.db, orderId, 'delivered', { error: null });
        return null;
      }
      const goods = created.goods ?? (await findUpstreamOrder(deps.db, orderId))?.goods ?? 'codes';
      const wholesale = followed.wholesaleMinor ?? created.wholesaleMinor ?? null;
      const bought = { upstreamOrderId: followed.upstreamId ?? created.upstreamId, wholesaleMinor: wholesale, error: null };
      const alone = () =>
        fulfilFromUpstream(
          deps.orders(),
          orderId,
          followed.codes,
          goods,
          async (tx) => {
            await markUpstreamOrder(tx, orderId, 'delivered', bought);
            await ctx.finishIn?.(tx, null);
            // Last: every delivery from this provider updates its row, so its lock is held the shortest.
            if (wholesale && created.providerId !== undefined) await chargeProvider(tx, created.providerId, wholesale);
          },
          deps.deliveries?.group,
        );
      let delivery: DeliveredNow;
      try {
        delivery =
          deps.deliveries && ctx.finishing
            ? await deps.deliveries.deliver({
                orderId,
                codes: followed.codes,
                goods,
                end: ctx.finishing(null),
                bought: { upstreamOrderId: bought.upstreamOrderId, wholesaleMinor: wholesale },
                providerId: created.providerId,
                alone,
                ...placedFacts(deps, orderId),
              })
            : await alone();
      } catch (error) {
        if (error instanceof RunTakenOver) throw error;
        // Bought at the provider all the same: recorded so, as the answer would have been on its own.
        const row = await findUpstreamOrder(deps.db, orderId);
        if (row && (row.state === 'sending' || row.state === 'pending')) await markUpstreamOrder(deps.db, orderId, 'delivered', bought);
        // Delivered already (this step ran before its record was written): nothing more to do.
        if (error instanceof InvalidState && (await localStatus(deps, orderId)) === 'fulfilled') return null;
        if (row && error instanceof Error && !(error instanceof InvalidState)) {
          const provider = await findProvider(deps.db, row.provider_id);
          await raiseStuck(deps, provider, orderId, `the provider delivered what cannot be delivered here (${short(error.message)}); the codes are kept sealed in the run`);
          throw new TryStepLater('waiting for a person: the delivery does not fit the order', STUCK_RECHECK_MS);
        }
        throw error;
      }
      deps.delivered?.(orderId, delivery);
      return null;
    },
  });
}

/** The order as this process placed it, if it did and still has it at hand. */
function placedFacts(deps: ForwardingDeps, orderId: string): { placed?: PlacedOrderFacts } {
  const placed = deps.startedHere?.get(orderId)?.placed;
  return placed ? { placed } : {};
}

const chargeBalance = queryTemplate(['providerId', 'wholesaleMinor', 'now'], (db, p) =>
  db
    .updateTable('providers')
    .set((eb) => ({ balance_minor: eb('balance_minor', '-', p.wholesaleMinor), updated_at: p.now }))
    .where('id', '=', p.providerId)
    .where('balance_minor', 'is not', null),
);

/** Books what an order cost at the provider against our balance there, when the balance is known. */
async function chargeProvider(tx: Db, providerId: number, wholesaleMinor: number): Promise<void> {
  await chargeBalance.run(tx, { providerId, wholesaleMinor, now: nowIso() });
}

// Forwarding a paid order to the provider it was imported from, as named steps (core/steps), each
// with its undo beside it:
//   hold-buyer-money      the buyer's money, taken at placement, stays held while the order is
//                         bought (/me shows it as held) | undo: release it (reject and refund)
//   create-upstream-order buy upstream, our order id as the client reference | undo: cancel there
//   follow-upstream-order wait for the outcome: the create's answer, a callback, or polling
//   deliver-codes         seal the codes into our stock tables as the order's items (capture)
// Every answer is classified (failure.ts). Refused: nothing was bought; the order is rejected and
// the money released. Retryable: the same create again, later. Unknown (a timeout, a reset, a 5xx
// after sending): the order is looked up by our reference before anything else; a dialect that
// cannot look it up leaves it `stuck` for a person, with an alert, and never creates it twice.
import { nowIso } from '../clock.js';
import { orderToFulfil, rejectOrder, whileProcessing } from '../orders/index.js';
import { defineStep, defineWorkflow, TryStepLater, type StepContext, type Workflow } from '../steps/index.js';
import { asFailure, callUpstream } from './calls.js';
import { deliverStep } from './deliver-step.js';
import type { UpstreamConnection, UpstreamDialect, UpstreamOrderStatus } from './dialect.js';
import { backoffMs, CREATE_ATTEMPTS, localStatus, raiseStuck, short, STUCK_RECHECK_MS, type Created, type Followed, type ForwardingDeps, type ForwardInput } from './forwarding-steps.js';
import { decimalToMinor } from './pricing.js';
import { ProductLinks } from './product-links.js';
import { connectionOf, dialectOf, findProvider, type ProviderRow } from './providers.js';
import { findUpstreamOrder, insertUnderWay, markUpstreamOrder, openUpstreamOrder } from './upstream-orders.js';

export const FORWARD_WORKFLOW = 'upstream-forward';

interface Held {
  providerId: number | null;
  upstreamRef: string | null;
  quantity: number;
  fields: Record<string, string>;
}

type Lookup = UpstreamOrderStatus | undefined | 'cannot';

/** Looks the order up upstream, by our reference or the upstream's id; 'cannot' when this dialect cannot with what we know. */
async function lookUp(deps: ForwardingDeps, provider: ProviderRow, dialect: UpstreamDialect, conn: UpstreamConnection, orderId: string, upstreamId: string | null, attempt: number): Promise<Lookup> {
  if (!dialect.findOrder || (!dialect.findsByReference && !upstreamId)) return 'cannot';
  const find = dialect.findOrder.bind(dialect);
  try {
    return await callUpstream(deps, provider, 'find-order', orderId, () => find(conn, orderId, upstreamId));
  } catch (error) {
    const failure = asFailure(error);
    throw new TryStepLater(`looking the order up failed (${failure.failure}: ${short(failure.message)})`, failure.detail.retryAfterMs ?? backoffMs(attempt));
  }
}

/**
 * Records what the upstream said and returns it as the create's output; a failed order throws (the
 * steps that ran are undone). A delivered order is recorded as such by deliver-codes, in the
 * transaction that delivers it: until then its record stays where it was (`sending` or `pending`),
 * so a crash meanwhile is resolved by looking the order up, as before any answer.
 */
async function recordStatus(deps: ForwardingDeps, provider: ProviderRow, orderId: string, status: UpstreamOrderStatus): Promise<Created> {
  if (status.state === 'failed') {
    await markUpstreamOrder(deps.db, orderId, 'failed', { upstreamOrderId: status.upstreamId, error: short(status.reason) });
    throw new Error(`the provider did not deliver: ${short(status.reason)}`);
  }
  const charged = 'charged' in status && status.charged ? decimalToMinor(status.charged.amount, provider.currency, 'up') : undefined;
  if (status.state !== 'delivered') await markUpstreamOrder(deps.db, orderId, 'pending', { upstreamOrderId: status.upstreamId, wholesaleMinor: charged ?? null, error: null });
  return {
    resolved: false,
    upstreamId: status.upstreamId,
    delivered: status.state === 'delivered',
    codes: status.state === 'delivered' ? status.codes : [],
    goods: dialectOf(provider).delivers,
    providerId: provider.id,
    wholesaleMinor: charged ?? null,
  };
}

/** The forwarding workflow, its steps bound to `deps`. */
export function forwardingWorkflow(deps: ForwardingDeps): Workflow<ForwardInput> {
  const hold = defineStep<ForwardInput, Held>('hold-buyer-money', {
    async run({ orderId }) {
      // Placed a moment ago as a paid upstream order (an order ended meanwhile is found out when its purchase is marked under way).
      const order = deps.startedHere?.get(orderId) ?? (await orderToFulfil(deps.db, orderId));
      // A run starts only for a paid order; one ended before its run began has nothing to buy.
      if ('status' in order && (order.status !== 'processing' || order.fulfillment !== 'upstream')) throw new Error(`order ${order.number} is ${order.status}; nothing to buy`);
      const link = await (deps.links ?? new ProductLinks()).of(deps.db, order.productId);
      return { providerId: link?.providerId ?? null, upstreamRef: link?.upstreamRef ?? null, quantity: order.quantity, fields: order.fields };
    },
    async compensate({ orderId }) {
      if ((await localStatus(deps, orderId)) !== 'processing') return;
      const row = await findUpstreamOrder(deps.db, orderId);
      await rejectOrder(deps.orders(), orderId, 'system:upstream', `not delivered by the provider: ${row?.last_error ?? 'the purchase failed'}`.slice(0, 500));
    },
  });

  const create = defineStep<ForwardInput, Created>('create-upstream-order', {
    async run({ orderId }, ctx: StepContext) {
      const held = ctx.outputOf(hold);
      if (held.providerId === null || held.upstreamRef === null) throw new Error('the product is not imported from a provider');
      const admitted = deps.startedHere?.get(orderId)?.provider;
      const provider = admitted?.id === held.providerId ? admitted : await findProvider(deps.db, held.providerId);
      const dialect = dialectOf(provider);
      const conn = connectionOf(deps, provider);
      const record = { order_id: orderId, provider_id: provider.id, upstream_ref: held.upstreamRef, goods: dialect.delivers };
      // The purchase is marked under way by a statement that holds the order, so that a cancel or
      // a reject here either comes first (and nothing is bought) or is refused while it is under
      // way. A first try writes the record so, or finds it written so by the run's start in this
      // process a moment ago (taken once); a later one reads what the earlier ones left (and an
      // order no longer processing is found out there).
      const started = deps.startedHere?.get(orderId);
      const markedAtStart = started?.underWay === true && ctx.attempt === 1;
      if (started) started.underWay = false;
      const fresh = markedAtStart || (provider.enabled === 1 && (await insertUnderWay(deps.db, deps.dialect, record)));
      let status: Awaited<ReturnType<typeof whileProcessing>> = 'processing';
      if (!fresh) {
        const row = await openUpstreamOrder(deps.db, record);
        if (row.state === 'failed' || row.state === 'cancelled') throw new Error(row.last_error ?? 'the purchase failed');
        if (row.state === 'pending' || row.state === 'delivered') return { resolved: false, upstreamId: row.upstream_order_id, delivered: false, codes: [], goods: row.goods, providerId: row.provider_id, wholesaleMinor: row.wholesale_minor };
        if (row.state === 'sending' || row.state === 'stuck') {
          // A person may have delivered it by hand meanwhile.
          if ((await localStatus(deps, orderId)) === 'fulfilled') return { resolved: true, upstreamId: null, delivered: false, codes: [] };
          // The create may have reached the provider: find it there before anything else.
          const found = await lookUp(deps, provider, dialect, conn, orderId, row.upstream_order_id, ctx.attempt);
          if (found === 'cannot') {
            await raiseStuck(deps, provider, orderId, `the provider may have taken order ${orderId} and ${provider.dialect} cannot look it up; check the provider's panel, then fulfil the order by hand or resolve it as not bought`);
            throw new TryStepLater('waiting for a person: the order may have been taken upstream', STUCK_RECHECK_MS);
          }
          if (found) return recordStatus(deps, provider, orderId, found);
        }
        if (provider.enabled !== 1) {
          await markUpstreamOrder(deps.db, orderId, 'failed', { error: 'the provider is disabled' });
          throw new Error('the provider is disabled');
        }
        status = await whileProcessing(deps.orders(), orderId, (tx) => markUpstreamOrder(tx, orderId, 'sending'));
      }
      if (status === 'fulfilled') return { resolved: true, upstreamId: null, delivered: false, codes: [] };
      if (status !== 'processing') {
        await markUpstreamOrder(deps.db, orderId, 'failed', { error: `the order was ${status} here before it was bought` });
        throw new Error(`order ${orderId} is ${status}; nothing to buy`);
      }
      const callbackUrl = deps.callbackUrlFor(provider.id);
      try {
        const status = await callUpstream(deps, provider, 'create-order', orderId, () =>
          dialect.createOrder(conn, { reference: orderId, productRef: held.upstreamRef!, quantity: held.quantity, fields: held.fields, ...(callbackUrl ? { callbackUrl } : {}) }),
        );
        return await recordStatus(deps, provider, orderId, status);
      } catch (error) {
        if (error instanceof TryStepLater || !(error instanceof Error) || error.name !== 'UpstreamFailure') throw error;
        const failure = asFailure(error);
        if (failure.failure === 'refused') {
          await markUpstreamOrder(deps.db, orderId, 'failed', { error: short(`${failure.code}: ${failure.message}`) });
          // Our balance there is short: say so before the next order tries (admit refuses with 503).
          if (failure.code === 'insufficient_balance') {
            await deps.db.updateTable('providers').set({ balance_minor: 0, updated_at: nowIso() }).where('id', '=', provider.id).execute();
            deps.balanceShort?.();
          }
          throw new Error(`the provider refused the order: ${short(failure.message)}`);
        }
        if (failure.failure === 'retryable') {
          if (ctx.attempt >= CREATE_ATTEMPTS) {
            await markUpstreamOrder(deps.db, orderId, 'failed', { error: short(`gave up after ${ctx.attempt} tries: ${failure.message}`) });
            throw new Error(`the provider could not take the order after ${ctx.attempt} tries`);
          }
          // Never taken: the next try creates again, with the same reference.
          await markUpstreamOrder(deps.db, orderId, 'new', { error: short(failure.message) });
          throw new TryStepLater(`the provider could not take the order yet: ${short(failure.message)}`, failure.detail.retryAfterMs ?? backoffMs(ctx.attempt));
        }
        // Unknown: left `sending`, so the next try looks it up first.
        await markUpstreamOrder(deps.db, orderId, 'sending', { error: short(failure.message) });
        throw new TryStepLater(`the outcome is unknown: ${short(failure.message)}`, backoffMs(ctx.attempt));
      }
    },
    async compensate({ orderId }) {
      const row = await findUpstreamOrder(deps.db, orderId);
      if (!row || row.state === 'failed' || row.state === 'cancelled') return;
      if (row.state === 'new') return markUpstreamOrder(deps.db, orderId, 'failed');
      const provider = await findProvider(deps.db, row.provider_id);
      const dialect = dialectOf(provider);
      if (row.state === 'delivered' || !dialect.cancelOrder) {
        // Bought and paid for upstream, or not cancellable there: a person decides; the buyer is released all the same.
        await raiseStuck(deps, provider, orderId, `order ${orderId} was undone here but not at the provider (${row.state}); check the provider's panel`);
        return markUpstreamOrder(deps.db, orderId, 'failed', { error: `undone here while ${row.state} at the provider` });
      }
      const cancel = dialect.cancelOrder.bind(dialect);
      await callUpstream(deps, provider, 'cancel-order', orderId, () => cancel(connectionOf(deps, provider), orderId, row.upstream_order_id));
      await markUpstreamOrder(deps.db, orderId, 'cancelled');
    },
  });

  const follow = defineStep<ForwardInput, Followed>('follow-upstream-order', {
    async run({ orderId }, ctx) {
      const created = ctx.outputOf(create);
      if (created.resolved) return { resolved: true, codes: [] };
      if (created.delivered) return { resolved: false, codes: created.codes };
      if ((await localStatus(deps, orderId)) === 'fulfilled') return { resolved: true, codes: [] };
      const row = await findUpstreamOrder(deps.db, orderId);
      if (row?.state === 'failed' || row?.state === 'cancelled') throw new Error(row.last_error ?? 'the purchase failed');
      const provider = await findProvider(deps.db, row!.provider_id);
      const dialect = dialectOf(provider);
      const found = await lookUp(deps, provider, dialect, connectionOf(deps, provider), orderId, created.upstreamId ?? row!.upstream_order_id, ctx.attempt);
      if (found === 'cannot') {
        await raiseStuck(deps, provider, orderId, `order ${orderId} is pending at the provider and ${provider.dialect} cannot look it up; check the provider's panel, then fulfil the order by hand or resolve it as not bought`);
        throw new TryStepLater('waiting for a person: the provider cannot be asked', STUCK_RECHECK_MS);
      }
      if (!found) throw new TryStepLater('the provider does not show the order yet', backoffMs(ctx.attempt));
      const status = await recordStatus(deps, provider, orderId, found);
      if (!status.delivered) throw new TryStepLater('still pending at the provider', backoffMs(ctx.attempt));
      return { resolved: false, codes: status.codes, upstreamId: status.upstreamId, wholesaleMinor: status.wholesaleMinor ?? null };
    },
  });

  // Checkpointed when paused: a purchase that goes straight through writes its run twice, and its
  // state where the provider is concerned is the upstream_orders row, written before each call.
  return defineWorkflow(FORWARD_WORKFLOW, [hold, create, follow, deliverStep(deps, create, follow)], { checkpoints: 'when-paused' });
}

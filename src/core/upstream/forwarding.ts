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
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import type { Deliveries } from './deliveries.js';
import { nowIso } from '../clock.js';
import { InvalidState } from '../errors.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { fulfilFromUpstream, orderToFulfil, recordUpstreamCallFailure, rejectOrder, whileProcessing, type OrderDeps, type PlacedOrderFacts } from '../orders/index.js';
import { defineStep, defineWorkflow, RunTakenOver, TryStepLater, type Step, type StepContext, type Workflow } from '../steps/index.js';
import { asFailure, callUpstream } from './calls.js';
import type { UpstreamConnection, UpstreamDialect, UpstreamOrderStatus } from './dialect.js';
import { decimalToMinor } from './pricing.js';
import { connectionOf, dialectOf, findProvider, type ProviderRow, type UpstreamDeps } from './providers.js';
import { findUpstreamOrder, insertUnderWay, markUpstreamOrder, openUpstreamOrder } from './upstream-orders.js';

export const FORWARD_WORKFLOW = 'upstream-forward';

const selectLink = queryTemplate(['productId'], (db, p) => db.selectFrom('upstream_products').select(['provider_id', 'upstream_ref']).where('product_id', '=', p.productId));

/** Waits between looks at an order still pending, and between retries of a create that may be retried: 1 s doubling to 5 min. */
export function backoffMs(attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, Math.min(attempt - 1, 9)));
}
/** A create refused as retryable this many times (the provider down, rate limiting) fails for good: the buyer is not kept waiting for ever. */
export const CREATE_ATTEMPTS = 12;
/** How often a stuck order is looked at again (a person may have resolved it). */
export const STUCK_RECHECK_MS = 3_600_000;

export interface ForwardingDeps extends UpstreamDeps {
  dialect: Dialect;
  /** The order use cases (read lazily: they hold the strategy that holds this forwarding). */
  orders(): OrderDeps;
  /** Where providers post callbacks: `<public URL>/upstream/callbacks/<provider id>`; none when Souk has no public URL. */
  callbackUrlFor(providerId: number): string | undefined;
  /** Told that our balance at a provider was found short (admission reads it again). */
  balanceShort?(): void;
  /** Told what deliver-codes delivered, once it has committed (placement answers with it). */
  delivered?(orderId: string, delivery: DeliveredNow): void;
  /** Imported products' links, as read (a link never changes once written: upstream_products is only inserted into, its provider and ref never updated). */
  links?: ProductLinks;
  /** Where deliveries that arrive together are written together; each in its own transaction without it. */
  deliveries?: Deliveries;
  /** Runs this process started a moment ago for an order it just placed, by order id: what their first steps would read. */
  startedHere?: ReadonlyMap<string, StartedHere>;
}

/**
 * What a run started right after placement knows without reading it: the order as placed and the
 * provider as admission read it just before. Only the first steps' reads are spared; what decides
 * that nothing is bought twice (the purchase marked under way, conditional on the order) is
 * written as always.
 */
export interface StartedHere {
  productId: number;
  quantity: number;
  fields: Record<string, string>;
  provider: ProviderRow | undefined;
  /** The purchase was marked under way with the run's start (starts.ts); the create step takes this once, instead of marking it. */
  underWay?: boolean;
  /** The order as placed: its delivery need not read it (core/orders' placedHere). */
  placed?: PlacedOrderFacts;
}

/** Which provider an imported product is bought from, and its ref there, by local product id; kept by the service. */
export class ProductLinks {
  private readonly byProduct = new Map<number, { providerId: number; upstreamRef: string }>();

  /** The product's link, from memory or read once; undefined for a product not imported. */
  async of(db: Db, productId: number): Promise<{ providerId: number; upstreamRef: string } | undefined> {
    const known = this.byProduct.get(productId);
    if (known) return known;
    const [row] = await selectLink.run(db, { productId });
    if (row) this.remember(productId, row.provider_id, row.upstream_ref);
    return row ? { providerId: row.provider_id, upstreamRef: row.upstream_ref } : undefined;
  }

  /** The product's link if it is in memory. */
  known(productId: number): { providerId: number; upstreamRef: string } | undefined {
    return this.byProduct.get(productId);
  }

  remember(productId: number, providerId: number, upstreamRef: string): void {
    // Bounded: a shop with more imported products than this reads the rest again now and then.
    if (this.byProduct.size >= 10_000) this.byProduct.clear();
    this.byProduct.set(productId, { providerId, upstreamRef });
  }
}

interface ForwardInput {
  orderId: string;
}

interface Held {
  providerId: number | null;
  upstreamRef: string | null;
  quantity: number;
  fields: Record<string, string>;
}

interface Created {
  /** The order was resolved by a person (fulfilled by hand) while it waited. */
  resolved: boolean;
  upstreamId: string | null;
  delivered: boolean;
  codes: string[];
  /** What the provider delivers, and what it charged (minor units of its currency) when it said. */
  goods?: 'codes' | 'service';
  providerId?: number;
  wholesaleMinor?: number | null;
}

interface Followed {
  resolved: boolean;
  codes: string[];
  /** The upstream's id for the order, when the follow learned it. */
  upstreamId?: string | null;
  /** What the provider charged, when the follow learned it (a create still pending did not say). */
  wholesaleMinor?: number | null;
}

const short = (text: string) => text.slice(0, 300);

/** Says, once, that an order needs a person: an api_failures row (needs_attention) and a log line. */
async function raiseStuck(deps: ForwardingDeps, provider: ProviderRow, orderId: string, why: string): Promise<void> {
  const row = await findUpstreamOrder(deps.db, orderId);
  if (row?.state === 'stuck') return;
  await markUpstreamOrder(deps.db, orderId, 'stuck', { error: why });
  deps.log?.('upstream order needs a person', { provider: provider.id, dialect: provider.dialect, order: orderId, message: why });
  await recordUpstreamCallFailure(deps.db, { providerId: provider.id, dialect: provider.dialect, operation: 'find-order', status: null, errorCode: 'needs_attention', message: why, excerpt: null, orderId });
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

/** The order's state here, for steps that must stop when a person has resolved it meanwhile. */
async function localStatus(deps: ForwardingDeps, orderId: string) {
  return (await orderToFulfil(deps.db, orderId)).status;
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

/**
 * Delivers what the provider delivered (the capture of the buyer's money) and, in the same
 * transaction, records the purchase delivered, books what it cost against our balance there and
 * ends the run: one commit after the provider's answer.
 */
function deliverStep(deps: ForwardingDeps, create: Step<ForwardInput, Created>, follow: Step<ForwardInput, Followed>) {
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

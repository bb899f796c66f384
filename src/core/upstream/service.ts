// The upstream connector as the app holds it: the providers' operations (ping, balance, catalog,
// import, sync), the forwarder the upstream fulfilment strategy calls, the callbacks providers
// post, and the resumption of forwarding runs. One per process (openSouk); close() waits for the
// purchases this process started and closes its connections.
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import type { ChangeBus } from '../../platform/bus.js';
import { nowIso } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { DomainError, InvalidState, NotFound } from '../errors.js';
import type { DeliveredNow, FulfilledOrder, UpstreamForwarder, WrittenWithOrder } from '../fulfillment/index.js';
import { ordersWaitingFor, recordUpstreamCallFailure, type OrderDeps, type PlacedOrderFacts } from '../orders/index.js';
import { driveInserted, hurryRun, prepareRun, resumeRuns, startRun, type PreparedRun, type RunOutcome, type Workflow } from '../steps/index.js';
import { callUpstream } from './calls.js';
import { importProducts, syncProvider, upstreamCatalog, type ImportedProduct, type SyncReport } from './catalog-sync.js';
import { forwardedDeliveries } from './deliveries.js';
import { FORWARD_START, type ForwardStart } from './starts.js';
import type { UpstreamCallback, UpstreamNotice, UpstreamProduct } from './dialect.js';
import { UpstreamFailure } from './failure.js';
import { FORWARD_WORKFLOW, forwardingWorkflow } from './forwarding.js';
import type { ForwardingDeps, StartedHere } from './forwarding-steps.js';
import type { UpstreamHttp } from './http.js';
import { decimalToMinor } from './pricing.js';
import { ProductLinks } from './product-links.js';
import { addProvider, changeProviderPricing, connectionOf, dialectOf, findProvider, setProviderEnabled, type ProviderInput, type ProviderPricingChange, type ProviderRow } from './providers.js';
import { findUpstreamOrder, IN_FLIGHT, markUpstreamOrder } from './upstream-orders.js';

export interface UpstreamServiceDeps {
  db: Db;
  dialect: Dialect;
  box: SecretBox;
  bus: ChangeBus;
  http: UpstreamHttp;
  orders(): OrderDeps;
  /** Souk's public URL, if set: providers that take callbacks are given one under it. */
  publicUrl: string | undefined;
  /** How long placement waits for a purchase before answering. */
  waitMs: number;
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

type AdmissionRow = Awaited<ReturnType<typeof selectAdmission.run>>[number];

export interface Ping {
  provider_id: number;
  reachable: boolean;
  latency_ms: number;
  balance: string | null;
  currency: string;
  error: string | null;
}

const selectAdmission = queryTemplate(['productId'], (db, p) =>
  db
    .selectFrom('upstream_products')
    .innerJoin('providers', 'providers.id', 'upstream_products.provider_id')
    .selectAll('providers')
    .select(['upstream_products.upstream_price_minor', 'upstream_products.upstream_ref'])
    .where('upstream_products.product_id', '=', p.productId),
);

/** How long admission's read of a provider stands in for reading it again, for an order placed right after. */
const ADMITTED_FRESH_MS = 1000;

/**
 * How long admission answers the next orders of a product from its last read (placement's cached
 * reads only; a refusal is asked again fresh). Shorter than ADMITTED_FRESH_MS, so that the run of
 * an order admitted so still finds the provider as read. Turning the provider off marks its
 * products changed, which makes placement plan such an order again from fresh reads; what it
 * leaves to this window is our balance there, which the provider checks itself anyway.
 */
const ADMISSION_CACHED_MS = 500;

/** How long a run prepared for an order stays at hand: its order is placed within this, or never (refused, or planned again). */
const PREPARED_KEPT_MS = 60_000;

/** What the delivery of an order placed here needs to know of it, when placement handed all of it over. */
function asPlaced(order: FulfilledOrder): { placed?: PlacedOrderFacts } {
  const { client_order_id, charged_minor, charged_currency, callback_url, created_at, updated_at } = order;
  if (client_order_id === undefined || charged_minor === undefined || charged_currency === undefined || callback_url === undefined || created_at === undefined || updated_at === undefined) return {};
  const { id, number, account_id, product_id, quantity, status, fulfillment } = order;
  return { placed: { id, number, account_id, product_id, quantity, status, fulfillment, client_order_id, charged_minor, charged_currency, callback_url, created_at, updated_at } };
}

export class UpstreamService implements UpstreamForwarder {
  readonly workflow: Workflow<{ orderId: string }>;
  private readonly forwarding: ForwardingDeps;
  private readonly running = new Set<Promise<unknown>>();
  private readonly links = new ProductLinks();
  /** Orders forward() is waiting for, and what their run delivered once it has. */
  private readonly awaited = new Map<string, DeliveredNow | undefined>();
  /** Each provider as admission last read it, and when (a few, one per provider), for runs started right after. */
  private readonly admitted = new Map<number, { row: ProviderRow; at: number }>();
  /** Admission's last read of each product's link and provider, and when. */
  private readonly admissions = new Map<number, { link: AdmissionRow; at: number }>();
  private readonly startedHere = new Map<string, StartedHere>();
  /** Runs prepared for orders about to be placed, written with them (starts.ts), by order id, oldest first. */
  private readonly prepared = new Map<string, { run: PreparedRun; at: number }>();

  constructor(private readonly deps: UpstreamServiceDeps) {
    this.forwarding = {
      db: deps.db,
      box: deps.box,
      http: deps.http,
      dialect: deps.dialect,
      orders: deps.orders,
      ...(deps.log ? { log: deps.log } : {}),
      callbackUrlFor: (id) => (deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, '')}/upstream/callbacks/${id}` : undefined),
      links: this.links,
      startedHere: this.startedHere,
      deliveries: forwardedDeliveries(deps.db, () => deps.orders().vault),
      balanceShort: () => this.admissions.clear(),
      delivered: (orderId, delivery) => {
        if (this.awaited.has(orderId)) this.awaited.set(orderId, delivery);
      },
    };
    this.workflow = forwardingWorkflow(this.forwarding);
  }

  private get stepDeps() {
    return { db: this.deps.db, dialect: this.deps.dialect, box: this.deps.box };
  }

  /** Adds a provider (credentials sealed). */
  add(input: ProviderInput): Promise<ProviderRow> {
    return addProvider(this.forwarding, input);
  }

  /** Changes markup, rounding or sync interval (the next sync reprices imported products). */
  changePricing(id: number, change: ProviderPricingChange): Promise<ProviderRow> {
    return changeProviderPricing(this.deps.db, id, change);
  }

  setEnabled(id: number, enabled: boolean): Promise<ProviderRow> {
    return setProviderEnabled({ db: this.deps.db, bus: this.deps.bus }, id, enabled).finally(() => this.admissions.clear());
  }

  /** Asks the provider for our balance (or, without a balance call, for its catalog) and records reachability, latency and balance. */
  async ping(id: number): Promise<Ping> {
    const provider = await findProvider(this.deps.db, id);
    const dialect = dialectOf(provider);
    const started = performance.now();
    let balanceMinor: number | null = provider.balance_minor;
    let balance: string | null = null;
    let currency = provider.currency;
    let error: string | null = null;
    try {
      if (dialect.balance) {
        const read = dialect.balance.bind(dialect);
        const answer = await callUpstream(this.forwarding, provider, 'balance', null, () => read(connectionOf(this.forwarding, provider)));
        balance = answer.amount;
        currency = answer.currency.toUpperCase();
        // In another currency it says nothing here; in debt, it is short of anything (0).
        const inDebt = /^\s*-/.test(answer.amount);
        balanceMinor = answer.currency.toUpperCase() !== provider.currency ? null : inDebt ? 0 : (decimalToMinor(answer.amount, provider.currency, 'down') ?? null);
      } else {
        await upstreamCatalog(this.forwarding, provider);
      }
    } catch (failure) {
      error = failure instanceof UpstreamFailure ? `${failure.failure}: ${failure.message}` : 'the call failed';
    }
    const latency = Math.round(performance.now() - started);
    await this.deps.db
      .updateTable('providers')
      .set({ reachability: error ? 'down' : 'up', latency_ms: latency, balance_minor: balanceMinor, last_ping_at: nowIso(), last_error: error ? error.slice(0, 500) : null, updated_at: nowIso() })
      .where('id', '=', provider.id)
      .execute();
    this.admissions.clear();
    return { provider_id: provider.id, reachable: !error, latency_ms: latency, balance, currency, error };
  }

  /** Our balance at the provider, asked now; 502 upstream_unavailable when it cannot be read. */
  async balance(id: number): Promise<{ provider_id: number; balance: string; currency: string }> {
    const provider = await findProvider(this.deps.db, id);
    if (!dialectOf(provider).balance) throw new DomainError('not_supported', 409, `The ${provider.dialect} dialect has no balance call.`);
    const ping = await this.ping(id);
    if (ping.balance === null) throw new DomainError('upstream_unavailable', 502, `The provider did not tell its balance: ${ping.error ?? 'no answer'}.`);
    // In the currency the provider said, which may not be the one it was added with.
    return { provider_id: id, balance: ping.balance, currency: ping.currency };
  }

  /** The provider's whole catalog, imported or not. */
  async products(id: number): Promise<UpstreamProduct[]> {
    const provider = await findProvider(this.deps.db, id);
    return this.asUnavailable(() => upstreamCatalog(this.forwarding, provider));
  }

  /** Imports products (see catalog-sync.ts). */
  import(id: number, refs: Array<{ ref: string; code?: string }> | 'all'): Promise<ImportedProduct[]> {
    // Admission reads the prices imported (what an order costs us there) again.
    return this.asUnavailable(() => importProducts({ ...this.forwarding, bus: this.deps.bus }, id, refs)).finally(() => this.admissions.clear());
  }

  /** Syncs one provider's imported products now. */
  sync(id: number): Promise<SyncReport> {
    return this.asUnavailable(() => syncProvider({ ...this.forwarding, bus: this.deps.bus }, id)).finally(() => this.admissions.clear());
  }

  /** An upstream that cannot be read is 502 upstream_unavailable to the admin, never a 500. */
  private async asUnavailable<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UpstreamFailure) throw new DomainError('upstream_unavailable', 502, `The provider could not be read: ${error.message}.`);
      throw error;
    }
  }

  async admit(db: Db, product: { id: number; code: string }, quantity: number, cached: boolean): Promise<void> {
    const link = (cached ? this.recentAdmission(product.id) : undefined) ?? (await this.readAdmission(db, product.id));
    if (!link) throw new DomainError('provider_unavailable', 503, `${product.code} is not linked to a provider; try again later.`);
    if (link.enabled !== 1) throw new DomainError('provider_unavailable', 503, `${product.code} cannot be bought from its provider right now; try again later.`);
    const cost = link.upstream_price_minor * quantity;
    if (link.balance_minor !== null && link.balance_minor < cost) {
      await recordUpstreamCallFailure(db, {
        providerId: link.id,
        dialect: link.dialect,
        operation: 'balance',
        status: null,
        errorCode: 'provider_balance_short',
        message: `an order of ${quantity} × ${product.code} was refused: our balance at ${link.name} is known to be short; top it up, then ping or sync the provider`,
        excerpt: null,
        orderId: null,
      });
      this.deps.log?.('upstream balance short', { provider: link.id, product: product.code, quantity });
      throw new DomainError('provider_unavailable', 503, `${product.code} cannot be bought from its provider right now; try again later.`);
    }
  }

  /** Reads the product's link and provider, and keeps them for the runs and admissions right after. */
  private async readAdmission(db: Db, productId: number): Promise<AdmissionRow | undefined> {
    const [link] = await selectAdmission.run(db, { productId });
    if (!link) return undefined;
    const now = Date.now();
    this.links.remember(productId, link.id, link.upstream_ref);
    const { upstream_price_minor: _price, upstream_ref: _ref, ...provider } = link;
    this.admitted.set(provider.id, { row: provider, at: now });
    // Bounded: a shop selling more imported products than this at once reads the rest every time.
    if (this.admissions.size >= 10_000) this.admissions.clear();
    this.admissions.set(productId, { link, at: now });
    return link;
  }

  private recentAdmission(productId: number): AdmissionRow | undefined {
    const kept = this.admissions.get(productId);
    return kept && Date.now() - kept.at <= ADMISSION_CACHED_MS ? kept.link : undefined;
  }

  async forward(order: FulfilledOrder): Promise<boolean | DeliveredNow> {
    const run = this.track(this.startForwarding(order).finally(() => this.startedHere.delete(order.id)));
    if (this.deps.waitMs <= 0) return false;
    this.awaited.set(order.id, undefined);
    try {
      return await this.waitFor(order, run);
    } finally {
      this.awaited.delete(order.id);
    }
  }

  /**
   * For an order about to be placed whose provider admission has just read: its run, prepared now,
   * and its purchase marked under way, for placement to write with the order (starts.ts).
   */
  writtenWith(order: FulfilledOrder): WrittenWithOrder | undefined {
    const link = this.links.known(order.product_id);
    const provider = this.recentlyAdmitted(link?.providerId);
    if (!link || provider?.enabled !== 1) return undefined;
    const now = Date.now();
    // Runs prepared for orders that were then refused or planned again are never driven: dropped once old.
    for (const [id, kept] of this.prepared) {
      if (now - kept.at <= PREPARED_KEPT_MS) break;
      this.prepared.delete(id);
    }
    const run = prepareRun(this.stepDeps, this.workflow, order.id, { orderId: order.id });
    this.prepared.set(order.id, { run, at: now });
    const start: ForwardStart = { run: run.row, purchase: { order_id: order.id, provider_id: link.providerId, upstream_ref: link.upstreamRef, goods: dialectOf(provider).delivers } };
    return { extension: FORWARD_START, rows: [start] };
  }

  /**
   * Starts the order's run: for an order placed with its run (writtenWith), drives that run, its
   * purchase already marked under way; any other the usual way.
   */
  private async startForwarding(order: FulfilledOrder): Promise<RunOutcome> {
    const input = { orderId: order.id };
    const prepared = this.prepared.get(order.id);
    this.prepared.delete(order.id);
    if (order.fields === undefined) return startRun(this.stepDeps, this.workflow, order.id, input);
    const link = this.links.known(order.product_id);
    const facts: StartedHere = { productId: order.product_id, quantity: order.quantity, fields: JSON.parse(order.fields) as Record<string, string>, provider: this.recentlyAdmitted(link?.providerId), ...asPlaced(order) };
    this.startedHere.set(order.id, facts);
    if (!prepared) return startRun(this.stepDeps, this.workflow, order.id, input);
    facts.underWay = true;
    return driveInserted(this.stepDeps, this.workflow, prepared.run);
  }

  /** The provider as admission read it within the last second (for the order just placed); undefined otherwise. */
  private recentlyAdmitted(providerId: number | undefined): ProviderRow | undefined {
    const admitted = providerId === undefined ? undefined : this.admitted.get(providerId);
    return admitted && Date.now() - admitted.at <= ADMITTED_FRESH_MS ? admitted.row : undefined;
  }

  /** Waits up to waitMs for the order's run: what it delivered, true when it ended otherwise, false when it goes on. */
  private async waitFor(order: FulfilledOrder, run: Promise<RunOutcome>): Promise<boolean | DeliveredNow> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.deps.waitMs)));
    // The order stands whatever happens here: a run that cannot even start is logged, and the
    // forwarding sweep starts it again; the buyer is answered with the order as placed.
    const settled = run.then(
      () => true,
      (error: unknown) => {
        this.deps.log?.('forwarding could not start', { order: order.id, message: error instanceof Error ? error.message : String(error) });
        return false;
      },
    );
    const done = await Promise.race([settled, waited]);
    clearTimeout(timer);
    return done ? (this.awaited.get(order.id) ?? true) : false;
  }

  /** Nothing in the payment's transaction: the forwarding sweep (forwardWaitingOrders, every few seconds) starts the order's run once it has committed. */
  async paymentArrived(): Promise<void> {}

  async assertUndoable(tx: Db, order: FulfilledOrder): Promise<void> {
    const row = await findUpstreamOrder(tx, order.id);
    if (row && IN_FLIGHT.includes(row.state)) {
      throw new InvalidState(`Order ${order.number} is being bought from its provider (${row.state}); it can be ended once the provider has answered.`);
    }
  }

  /** A person looked at a stuck order upstream and found it was not bought: the run undoes it (the order is rejected and refunded). */
  async resolveNotBought(orderId: string, actor: string): Promise<void> {
    const row = await findUpstreamOrder(this.deps.db, orderId);
    if (!row) throw new NotFound(`Order ${orderId} was not forwarded to a provider.`);
    if (row.state !== 'stuck' && row.state !== 'sending') throw new InvalidState(`The order is ${row.state} at the provider; only a stuck order is resolved by hand.`);
    await markUpstreamOrder(this.deps.db, orderId, 'failed', { error: `not bought at the provider, as ${actor} found` });
    await hurryRun(this.deps.db, FORWARD_WORKFLOW, orderId, nowIso());
    await this.track(this.resume());
  }

  /** A callback from a provider: verified by its dialect, then the order's run is hurried, or a sync is asked for. */
  async receiveCallback(providerId: number, callback: UpstreamCallback): Promise<UpstreamNotice> {
    const provider = await findProvider(this.deps.db, providerId);
    const dialect = dialectOf(provider);
    if (!dialect.readCallback) throw new NotFound(`The ${provider.dialect} dialect takes no callbacks.`);
    const read = dialect.readCallback.bind(dialect);
    const notice = await callUpstream(this.forwarding, provider, 'callback', null, async () => read(connectionOf(this.forwarding, provider), callback));
    if (notice.kind === 'order') {
      if (await hurryRun(this.deps.db, FORWARD_WORKFLOW, notice.reference, nowIso())) void this.track(this.resume());
    } else {
      void this.track(this.sync(providerId).catch(() => undefined));
    }
    return notice;
  }

  /** Drives forwarding runs that are due (a step asked to be tried later, a process died mid-run). */
  resume(): Promise<RunOutcome[]> {
    return resumeRuns(this.stepDeps, [this.workflow as Workflow<never>], { onError: (run, error) => this.deps.log?.('forwarding run failed', { order: run.key, message: error instanceof Error ? error.message : String(error) }) });
  }

  /** Starts runs for paid upstream orders that have none (their payment arrived later, or the process died before it started one). */
  async forwardWaitingOrders(olderThanMs = 10_000): Promise<number> {
    const waiting = await ordersWaitingFor(this.deps.db, 'upstream', new Date(Date.now() - olderThanMs).toISOString());
    if (!waiting.length) return 0;
    const forwarded = new Set((await this.deps.db.selectFrom('upstream_orders').select('order_id').where('order_id', 'in', waiting).execute()).map((r) => r.order_id));
    let started = 0;
    for (const id of waiting.filter((id) => !forwarded.has(id))) {
      const outcome = await this.track(startRun(this.stepDeps, this.workflow, id, { orderId: id }));
      if (outcome.started) started++;
    }
    return started;
  }

  /** Providers due a sync (enabled, their interval passed since the last one). */
  async providersDueSync(now = new Date()): Promise<ProviderRow[]> {
    const rows = await this.deps.db.selectFrom('providers').selectAll().where('enabled', '=', 1).execute();
    return rows.filter((p) => !p.last_sync_at || Date.parse(p.last_sync_at) + p.sync_interval_seconds * 1000 <= now.getTime());
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    tracked.catch(() => undefined);
    return tracked;
  }

  /** Waits for the purchases this process started, then closes the connections. */
  async close(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
    this.deps.http.close();
  }
}

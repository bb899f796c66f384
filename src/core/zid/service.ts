// The Zid connector as the rest of Souk sees it (`souk.zid`): connecting a store, reading it,
// mapping its products, taking its webhooks and fulfilling its paid orders. Every call to Zid goes
// through one client (client.ts: tokens, limiter, retries); everything Zid says is re-read from
// its API before Souk acts on it, never taken from a webhook body.
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { Db, Dialect } from '../../db/index.js';
import type { SecretBox } from '../crypto.js';
import { DomainError } from '../errors.js';
import type { CodeVault } from '../inventory/index.js';
import { enqueueJob, wakeJobWorkers } from '../jobs/index.js';
import type { PlacementDeps } from '../orders/index.js';
import { ZidClient } from './client.js';
import { ZidNeedsReconnect, ZidRequestRefused } from './errors.js';
import { fulfilZidOrder, type ZidOrderOutcome } from './fulfil.js';
import { readZidOrderJob, readZidProductJob, syncZidOrdersJob, syncZidStoreJob } from './jobs.js';
import { ZidLimiter } from './limiter.js';
import { mapZidProduct, suggestMappings, type MappingSuggestion } from './mapping.js';
import { announcedId, announcedKind, normaliseOrder, normaliseProduct, profileStore, type ZidOrder } from './normalise.js';
import { createConnectState, describeStore, findStore, listStoreRows, saveConnectedStore, spendConnectState, storeKeeper, storeOfHookToken, storeSummary, ZidConnectRefused, type StoreSummary } from './stores.js';
import { storeDetail, type StoreDetail } from './store-detail.js';
import { markProductGone, saveOrder, saveProduct, syncOrders, syncStore, type SyncCounts, type SyncProgress } from './sync.js';
import { authorizeUrl, exchangeCode, ZID_SCOPES, type ZidOAuthSettings } from './tokens.js';

/** What Souk registers a webhook for, at connect. */
export const ZID_EVENTS = ['order.create', 'order.status.update', 'order.payment_status.update', 'product.create', 'product.update', 'product.publish', 'product.delete'] as const;
/** Repeated deliveries of one announcement within this long are one re-read. */
const HOOK_COALESCE_MS = 10_000;

/** Zid answered 404: the order or product is not (or no longer) there. */
const isNotFound = (error: unknown) => error instanceof ZidRequestRefused && error.site.zidStatus === 404;

type Log = (message: string, fields: Record<string, string | number | null>) => void;

export interface ZidDeps {
  db: Db;
  dialect: Dialect;
  box: SecretBox;
  vault: CodeVault;
  settings: Config['zid'];
  publicUrl: string | undefined;
  redis?: Redis | undefined;
  orders: () => PlacementDeps;
  log?: Log;
  /** Tests: a shorter budget than Zid's 60 a minute, against a simulator with the same. */
  budget?: { requests: number; perMs: number };
}

export class ZidNotConfigured extends DomainError {
  constructor(missing: string) {
    super('zid_not_configured', 409, `Zid is not set up on this Souk: set ${missing} (see the README, "Zid").`);
  }
}

export interface ConnectedAnswer {
  store_id: number;
  name: string;
  reconnected: boolean;
  webhooks: number;
}

export class ZidService {
  readonly client: ZidClient;

  constructor(private readonly deps: ZidDeps) {
    this.client = new ZidClient({
      settings: { ...this.oauthSettingsOrBlank(), apiUrl: deps.settings.apiUrl },
      keeper: storeKeeper(deps, deps.log),
      limiter: new ZidLimiter({ ...(deps.redis ? { redis: deps.redis } : {}), ...(deps.budget ?? {}) }),
      ...(deps.log ? { log: deps.log } : {}),
    });
  }

  private oauthSettingsOrBlank(): ZidOAuthSettings {
    const { clientId, clientSecret, redirectUri, oauthUrl } = this.deps.settings;
    return { clientId: clientId ?? '', clientSecret: clientSecret ?? '', redirectUri: redirectUri ?? '', oauthUrl };
  }

  private oauthSettings(): ZidOAuthSettings {
    const { clientId, clientSecret, redirectUri } = this.deps.settings;
    if (!clientId) throw new ZidNotConfigured('SOUK_ZID_CLIENT_ID');
    if (!clientSecret) throw new ZidNotConfigured('SOUK_ZID_CLIENT_SECRET');
    if (!redirectUri) throw new ZidNotConfigured('SOUK_PUBLIC_URL or SOUK_ZID_REDIRECT_URI');
    return this.oauthSettingsOrBlank();
  }

  /** A link for the merchant to approve Souk on Zid; its state is single-use, ten minutes, bound to `actor`. */
  async connect(actor: string): Promise<{ authorize_url: string }> {
    const settings = this.oauthSettings();
    const state = await createConnectState(this.deps.db, actor);
    return { authorize_url: authorizeUrl(settings, state, ZID_SCOPES) };
  }

  /**
   * Finishes a connection from Zid's redirect: spends the state, exchanges the code, keeps the
   * tokens sealed, reads the profile, registers the webhooks and queues the first sync.
   */
  async finishConnection(query: { code?: string | undefined; state?: string | undefined; error?: string | undefined }): Promise<ConnectedAnswer> {
    const settings = this.oauthSettings();
    const actor = await spendConnectState(this.deps.db, query.state);
    if (query.error) throw new ZidConnectRefused(`Zid did not connect the store (${query.error.slice(0, 60)}): the merchant declined or Zid refused. Start again from Souk.`);
    if (!query.code) throw new ZidConnectRefused('Zid sent no authorization code. Start again from Souk.');
    const tokens = await exchangeCode(settings, query.code);
    const store = await saveConnectedStore(this.deps, tokens, actor);
    const profile = profileStore(await this.client.get(store.id, '/managers/account/profile', undefined, { withoutStoreId: true }));
    await describeStore(this.deps.db, store.id, profile);
    const webhooks = await this.registerWebhooks(store.id, store.hookToken);
    await this.deps.db.transaction().execute((tx) => enqueueJob(tx, syncZidStoreJob, { storeId: store.id }, { uniqueKey: `zid.sync:${store.id}:connect:${Date.now()}` }));
    wakeJobWorkers(this.deps.db);
    this.deps.log?.('zid store connected', { store_id: store.id, actor, webhooks });
    return { store_id: store.id, name: profile.name ?? 'Zid store', reconnected: store.reconnected, webhooks };
  }

  private async registerWebhooks(storeId: number, hookToken: string): Promise<number> {
    if (!this.deps.publicUrl) {
      this.deps.log?.('zid webhooks not registered: SOUK_PUBLIC_URL is unset, so orders are found by the order sync only', { store_id: storeId });
      return 0;
    }
    const url = `${this.deps.publicUrl}/hooks/zid/${hookToken}`;
    let registered = 0;
    for (const event of ZID_EVENTS) {
      try {
        await this.client.post(storeId, '/managers/webhooks', { url, event, app_id: this.deps.settings.clientId });
        registered += 1;
      } catch (error) {
        this.deps.log?.('zid webhook not registered', { store_id: storeId, event, error: (error as Error).message.slice(0, 200) });
      }
    }
    await this.deps.db.updateTable('zid_stores').set({ webhooks: registered }).where('id', '=', storeId).execute();
    return registered;
  }

  /** Every store: `souk zid stores`. */
  async stores(): Promise<StoreSummary[]> {
    return (await listStoreRows(this.deps.db)).map((row) => storeSummary(this.deps.box, row));
  }

  /** One store as the admin sees it: status, last sync, counts, mapping, recent fulfilments. */
  async store(storeId: number): Promise<StoreDetail> {
    return storeDetail(this.deps, storeId);
  }

  /** Reads the store whole (resuming a sync that stopped); paid orders of mapped products are fulfilled. */
  async sync(storeId: number, onProgress?: (progress: SyncProgress) => void): Promise<SyncCounts> {
    await findStore(this.deps.db, storeId);
    return syncStore({ ...this.deps, client: this.client }, storeId, (id, order, tally) => this.act(id, order, tally).then(() => undefined), onProgress);
  }

  /** The periodic read of a store's recent orders: catches what no webhook announced. */
  async syncRecentOrders(storeId: number): Promise<{ orders: number; requests: number }> {
    const store = await findStore(this.deps.db, storeId);
    if (store.status !== 'connected') return { orders: 0, requests: 0 };
    const startedAt = new Date().toISOString();
    const result = await this.quietlyIfDisconnected(storeId, () => syncOrders({ ...this.deps, client: this.client }, storeId, store.last_order_sync_at ?? store.created_at, (id, order, tally) => this.act(id, order, tally).then(() => undefined)));
    if (result) await this.deps.db.updateTable('zid_stores').set({ last_order_sync_at: startedAt }).where('id', '=', storeId).execute();
    return result ?? { orders: 0, requests: 0 };
  }

  /** Connected stores whose orders were last read longer ago than the order-sync interval. */
  async storesDueOrderSync(now = new Date()): Promise<Array<{ id: number; last_order_sync_at: string | null }>> {
    const rows = await this.deps.db.selectFrom('zid_stores').select(['id', 'last_order_sync_at', 'created_at']).where('status', '=', 'connected').execute();
    const every = this.deps.settings.orderSyncSeconds * 1000;
    return rows.filter((row) => Date.parse(row.last_order_sync_at ?? row.created_at) + every <= now.getTime()).map((row) => ({ id: Number(row.id), last_order_sync_at: row.last_order_sync_at }));
  }

  /** Queues the order sync of every store due one (once per store and due time, however many workers ask). */
  async queueDueOrderSyncs(now = new Date()): Promise<number> {
    const due = await this.storesDueOrderSync(now);
    for (const store of due) {
      await enqueueJob(this.deps.db, syncZidOrdersJob, { storeId: store.id }, { uniqueKey: `zid.orders:${store.id}:${store.last_order_sync_at ?? 'never'}` });
    }
    if (due.length) wakeJobWorkers(this.deps.db);
    return due.length;
  }

  /** Maps a Zid product to a Souk product (or unmaps it, with null). */
  map(storeId: number, zidProductId: string, product: string | number | null) {
    return findStore(this.deps.db, storeId).then(() => mapZidProduct(this.deps.db, storeId, zidProductId, product));
  }

  /** Suggested mappings for the store's unmapped products. */
  async suggest(storeId: number): Promise<MappingSuggestion[]> {
    await findStore(this.deps.db, storeId);
    return suggestMappings(this.deps.db, storeId);
  }

  /**
   * A webhook call: true when its URL's token is a connected store's, and then the order or
   * product it names is queued to be re-read from Zid (repeats within seconds are one re-read).
   * Nothing else of the body is used.
   */
  async receiveHook(token: string, body: unknown): Promise<boolean> {
    const storeId = await storeOfHookToken(this.deps.db, token);
    if (storeId === undefined) return false;
    const id = announcedId(body);
    if (!id) {
      this.deps.log?.('zid webhook named no order or product; ignored', { store_id: storeId });
      return true;
    }
    const kind = announcedKind(body);
    const slot = Math.floor(Date.now() / HOOK_COALESCE_MS);
    await this.deps.db.transaction().execute(async (tx) => {
      // What the body's event or shape cannot tell is re-read both ways: reading Zid is always safe, guessing is not.
      if (kind !== 'product') await enqueueJob(tx, readZidOrderJob, { storeId, zidOrderId: id }, { uniqueKey: `zid.order:${storeId}:${id}:${slot}` });
      if (kind !== 'order') await enqueueJob(tx, readZidProductJob, { storeId, zidProductId: id }, { uniqueKey: `zid.product:${storeId}:${id}:${slot}` });
    });
    wakeJobWorkers(this.deps.db);
    return true;
  }

  /** Re-reads one order from Zid and acts on what Zid says of it. */
  async readOrder(storeId: number, zidOrderId: string): Promise<ZidOrderOutcome | undefined> {
    return this.quietlyIfDisconnected(storeId, async () => {
      let order: ZidOrder;
      try {
        order = normaliseOrder(await this.client.get(storeId, `/managers/store/orders/${encodeURIComponent(zidOrderId)}/view`));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      await saveOrder(this.deps.db, storeId, order);
      return this.act(storeId, order);
    });
  }

  /** Re-reads one product from Zid: kept current, or marked gone when Zid no longer has it. */
  async readProduct(storeId: number, zidProductId: string): Promise<void> {
    await this.quietlyIfDisconnected(storeId, async () => {
      try {
        const product = normaliseProduct(await this.client.get(storeId, `/products/${encodeURIComponent(zidProductId)}/`));
        await saveProduct(this.deps.db, storeId, product, new Date().toISOString());
      } catch (error) {
        if (isNotFound(error)) await markProductGone(this.deps.db, storeId, zidProductId);
        else throw error;
      }
    });
  }

  /** An order Zid listed: fulfilled (or its waiting orders cancelled); re-read whole first when the list left its products out. */
  private async act(storeId: number, order: ZidOrder, tally?: { requests: number }): Promise<ZidOrderOutcome> {
    const whole = order.lines === null ? normaliseOrder(await this.client.get(storeId, `/managers/store/orders/${encodeURIComponent(order.zidOrderId)}/view`, undefined, tally ? { tally } : {})) : order;
    return fulfilZidOrder(this.deps, storeId, whole);
  }

  /** A store that must be connected again is not called: its work ends quietly, logged once by the keeper. */
  private async quietlyIfDisconnected<T>(storeId: number, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ZidNeedsReconnect) return undefined;
      throw error;
    }
  }
}

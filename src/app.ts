// Wires the parts of one Souk process together: database (migrated), secrets, bus, caches, limits.
// The HTTP server, the CLI and tests all start from here.
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { migrations, openDatabase, runMigrations, type Db, type Dialect } from './db/index.js';
import { SecretBox } from './core/crypto.js';
import { API_KEYS_TOPIC, DatabaseReplayGuard, liveKeysOf, RedisReplayGuard, TokenService, type ReplayGuard } from './core/accounts/index.js';
import { CatalogReader } from './core/catalog/index.js';
import { CodeVault, stockFingerprintKey } from './core/inventory/index.js';
import { ListedPrices, Placement, type PlacementDeps } from './core/orders/index.js';
import { standardFulfillment, upstreamFulfillment, type FulfillmentStrategies } from './core/fulfillment/index.js';
import { standardPayments, type PaymentProviders } from './core/payments/index.js';
import { buildGateways, gatewayPayment, GatewayPayments } from './core/payments/gateways/index.js';
import { LocalBus, RedisBus, type ChangeBus } from './platform/bus.js';
import { RateLimits } from './platform/rate-limits.js';
import { sealLegacyAnswers } from './core/idempotency/index.js';
import { createUpstreamHttp, forwardStarts, UpstreamService } from './core/upstream/index.js';
import { ZidService } from './core/zid/index.js';
import { tradeInVerifier, type DecideDeps } from './core/trade-ins/index.js';

export interface Souk {
  config: Config;
  db: Db;
  dialect: Dialect;
  box: SecretBox;
  /** Seals and fingerprints stock codes. */
  vault: CodeVault;
  bus: ChangeBus;
  redis: Redis | undefined;
  tokens: TokenService;
  replayGuard: ReplayGuard;
  catalog: CatalogReader;
  /** Tiers and rates per catalog version: how each reseller's listed prices are worked out. */
  prices: ListedPrices;
  /** How orders get their goods: a strategy per product `fulfillment` (stock, manual; upstream when its connector registers one). */
  fulfillment: FulfillmentStrategies;
  /** The app's one placement queue (group commit) and the reads orders are priced from. */
  placement: Placement;
  /** How orders are paid: a provider per payment kind (wallet, deferred, external; the payment connectors register theirs). */
  payments: PaymentProviders;
  /** Upstream providers: their catalogs, and the forwarding of orders for products imported from them. */
  upstream: UpstreamService;
  /** Zid stores: connected by OAuth, read through one rate-limited client, their paid orders fulfilled. */
  zid: ZidService;
  /** Payment gateways (BTCPay Server, Alipay, WeChat Pay): charges for orders and top-ups, their notifications, lookups and refunds. */
  gatewayPayments: GatewayPayments;
  limits: RateLimits;
  /** For the server: embedded, WAL checkpoints run on a thread of their own from now on. */
  checkpointInBackground(onError: (message: string) => void): void;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Apply pending migrations first (the server and most commands do; `souk migrate` does it alone). */
  migrate?: boolean;
  poolSize?: number;
}

function connectRedis(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Connection errors surface on each command; an unhandled 'error' event would end the process.
  redis.on('error', () => undefined);
  return redis;
}

/** A warning line on stderr in the server's JSON log format, for work that has no request to log with. */
function logLine(message: string, fields: Record<string, string | number | null>): void {
  process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: message, ...fields })}\n`);
}

export async function openSouk(config: Config, options: StartOptions = {}): Promise<Souk> {
  const handle = openDatabase(config.database, { poolSize: options.poolSize });
  const box = new SecretBox(config.masterKey, config.previousMasterKeys);
  let fingerprintKey: Buffer;
  try {
    if (options.migrate !== false) {
      await runMigrations(handle.db, handle.dialect, migrations);
      await sealLegacyAnswers({ db: handle.db, box });
    }
    fingerprintKey = await stockFingerprintKey(handle.db, box, [config.masterKey, ...config.previousMasterKeys]);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const bus: ChangeBus = redis ? new RedisBus(redis) : new LocalBus();
  const catalog = new CatalogReader(handle.db, bus);
  bus.subscribe(API_KEYS_TOPIC, () => liveKeysOf(handle.db).forget());
  if (bus instanceof RedisBus) await bus.ready();
  const vault = new CodeVault(box, fingerprintKey);
  const fulfillment = standardFulfillment();
  const upstream = new UpstreamService({
    db: handle.db,
    dialect: handle.dialect,
    box,
    bus,
    http: createUpstreamHttp({ allowPrivate: config.upstreamAllowPrivate, timeoutMs: config.upstreamTimeoutMs }),
    orders: () => orderDepsOf(souk),
    publicUrl: config.publicUrl,
    waitMs: config.upstreamWaitMs,
    ...(config.logLevel === 'silent' ? {} : { log: logLine }),
  });
  fulfillment.register(upstreamFulfillment(upstream));
  const placement = new Placement(handle.db, handle.dialect);
  // A paid upstream order is written with its forwarding run and its purchase marked under way.
  placement.extend(forwardStarts);
  const zid = new ZidService({
    db: handle.db,
    dialect: handle.dialect,
    box,
    vault,
    settings: config.zid,
    publicUrl: config.publicUrl,
    redis,
    orders: () => orderDepsOf(souk),
    ...(config.logLevel === 'silent' ? {} : { log: logLine }),
  });
  const gateways = buildGateways(config.gateways);
  const payments = standardPayments();
  for (const gateway of gateways.values()) payments.register(gatewayPayment(gateway));
  const gatewayPayments = new GatewayPayments({
    db: handle.db,
    dialect: handle.dialect,
    gateways,
    settings: config.gateways,
    baseUrl: config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
    orders: () => orderDepsOf(souk),
    ...(config.logLevel === 'silent' ? {} : { log: logLine }),
  });
  const souk: Souk = {
    config,
    db: handle.db,
    dialect: handle.dialect,
    box,
    vault,
    bus,
    redis,
    tokens: new TokenService(config.masterKey, config.tokenTtlSeconds, config.refreshTokenTtlSeconds),
    replayGuard: redis ? new RedisReplayGuard(redis, config.signatureWindowSeconds) : new DatabaseReplayGuard(handle.db, config.signatureWindowSeconds),
    catalog,
    prices: new ListedPrices(handle.db),
    fulfillment,
    placement,
    payments,
    gatewayPayments,
    upstream,
    zid,
    limits: new RateLimits(config, redis),
    checkpointInBackground: (onError) => handle.checkpointInBackground(onError),
    async close() {
      // Purchases under way finish (or record where they stopped) before the database closes.
      await upstream.close();
      catalog.stop();
      await souk.vault.close();
      await bus.close();
      // quit() waits for pending commands, so a last change notice from the CLI still goes out.
      await redis?.quit().catch(() => redis.disconnect());
      await handle.close();
    },
  };
  return souk;
}

/** What the order use cases need of this process: its database, codes, strategies, payment providers and placement queue. */
export function orderDepsOf(souk: Souk): PlacementDeps {
  return {
    db: souk.db,
    dialect: souk.dialect,
    vault: souk.vault,
    allowPrivate: souk.config.webhookAllowPrivate,
    fulfillment: souk.fulfillment,
    payments: souk.payments,
    placement: souk.placement,
    risk: souk.config.risk,
    ...(souk.config.logLevel === 'silent' ? {} : { log: logLine }),
  };
}

/** What the trade-in use cases need of this process: the order deps (a hybrid places an order) and the shop's verifier. */
export function tradeInDepsOf(souk: Souk): DecideDeps {
  const orders = orderDepsOf(souk);
  return { db: souk.db, dialect: souk.dialect, vault: souk.vault, allowPrivate: souk.config.webhookAllowPrivate, verifier: tradeInVerifier('manual'), orders };
}

// Every setting Souk reads, in one place: read once from the environment (and CLI flags), checked,
// and handed around as a typed object. Nothing else in the code reads process.env.
import type { RiskSettings } from './core/risk/index.js';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readGatewaySettings, type GatewaySettings } from './core/payments/gateways/settings.js';

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  host: string;
  port: number;
  /** Where clients reach this Souk (behind a proxy, a domain): the OpenAPI document's `servers`. */
  publicUrl: string | undefined;
  dataDir: string;
  database: DatabaseTarget;
  redisUrl: string | undefined;
  /** 32-byte key for encrypting secrets at rest and deriving token signing keys. */
  masterKey: Buffer;
  /** Earlier master keys: they open what they sealed, and seal nothing new. */
  previousMasterKeys: Buffer[];
  webhookAllowPrivate: boolean;
  smtpUrl: string | undefined;
  /** The From of mails to buyers. */
  mailFrom: string;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests per minute per API key unless the account overrides it. */
  keyRateLimitPerMinute: number;
  /** Requests per minute per client IP on public routes. */
  ipRateLimitPerMinute: number;
  /** Token-endpoint attempts per minute per IP and username (brute-force guard). */
  loginRateLimitPerMinute: number;
  tokenTtlSeconds: number;
  /** Lifetime of a console cookie session. */
  consoleSessionTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Lifetime of a shop customer's token (seed 004 has no refresh: the customer logs in again). */
  customerTokenTtlSeconds: number;
  /** The shop profile's currency (ISO 4217): its prices, and the wallet `balance_cny` pays from. */
  shopCurrency: string;
  signatureWindowSeconds: number;
  bodyLimitBytes: number;
  metricsToken: string | undefined;
  /** Seconds between tries of a failing webhook delivery (the last one ends it). */
  webhookRetrySchedule: number[];
  /** Stock changes are announced (product.updated) at most once per product per this many seconds. */
  productUpdateIntervalSeconds: number;
  /** Failed attempts in a row after which an endpoint is paused, and for how many seconds. */
  webhookBreakerThreshold: number;
  webhookBreakerPauseSeconds: number;
  /** Calls to upstream providers may reach private addresses and local names (two Souks on one machine, tests). */
  upstreamAllowPrivate: boolean;
  /** The deadline of one call to an upstream provider. */
  upstreamTimeoutMs: number;
  /** How long placing an upstream order waits for the provider before answering `processing` (the purchase goes on either way). */
  upstreamWaitMs: number;
  /** The Zid app Souk connects stores through, and where Zid is (a simulator in tests). */
  zid: ZidSettings;
  /** Own-address crypto payments: how fresh a coin's rate must be, and how long an unpaid order holds its goods. */
  crypto: { rateMaxAgeSeconds: number; holdSeconds: number };
  /** Payment gateways (BTCPay Server, Alipay, WeChat Pay): each present only when configured. */
  gateways: GatewaySettings;
  /** Chain watchers (a watcher runs for each URL set) and the optional crypto price feed. */
  chains: ChainSettings;
  /** Risk review (core/risk): the shop's default thresholds (0: off) and how long an order may wait in review. */
  risk: RiskSettings;
}

export interface ChainSettings {
  /** A TronGrid-compatible API: USDT on TRON is watched when set. */
  tronGridUrl: string | undefined;
  tronGridApiKey: string | undefined;
  /** EVM JSON-RPC nodes: USDT on Ethereum / BNB Chain is watched when set (the URL may carry a provider key: never logged). */
  ethRpcUrl: string | undefined;
  bscRpcUrl: string | undefined;
  tronConfirmations: number;
  ethConfirmations: number;
  bscConfirmations: number;
  /** Seconds between watcher rounds. */
  watchIntervalSeconds: number;
  /** A CoinGecko-compatible simple-price URL: BTC, ETH, TRX and BNB rates are kept fresh from it when set. */
  priceFeedUrl: string | undefined;
}

export interface ZidSettings {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Where Zid sends the merchant back after approval: `<SOUK_PUBLIC_URL>/connect/zid/callback` unless set. */
  redirectUri: string | undefined;
  /** Zid's OAuth server: `/oauth/authorize` and `/oauth/token` live under it. */
  oauthUrl: string;
  /** Zid's API, `/v1` included: `/products/`, `/managers/…` live under it. */
  apiUrl: string;
  /** How often each connected store's orders are read again, to catch a paid order no webhook announced. */
  orderSyncSeconds: number;
}

export { SETTINGS, type SettingSpec } from './settings-table.js';

export type Env = Record<string, string | undefined>;

/** Flags given on the command line win over the environment. */
export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** A whole-number setting within [min, max], or the fallback when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '0').trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(raw)) return false;
  throw new ConfigError(name, `must be 0 or 1, got "${env[name]}"`);
}

function retrySchedule(env: Env): number[] {
  const raw = env.SOUK_WEBHOOK_RETRY_SCHEDULE?.trim();
  if (!raw) return [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 50_400, 50_400, 57_600];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 50 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p) || Number(p) > 604_800)) {
    throw new ConfigError('SOUK_WEBHOOK_RETRY_SCHEDULE', 'must be a comma-separated list of at most 50 delays in seconds, each at most 604800');
  }
  return parts.map(Number);
}

function parseDatabase(raw: string, dataDir: string, setting: string): DatabaseTarget {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError(setting, 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (!file) throw new ConfigError(setting, 'sqlite: needs a file path, e.g. sqlite:./data/souk.db');
    return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  if (raw === '') return { kind: 'sqlite', file: path.join(dataDir, 'souk.db') };
  throw new ConfigError(setting, `must start with sqlite: or postgres://, got "${raw.split(':')[0]}:…"`);
}

function decodeMasterKey(raw: string, origin: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(origin, 'must be 32 bytes encoded as base64 (try: openssl rand -base64 32)');
  return key;
}

/**
 * The master key: from SOUK_MASTER_KEY, else (embedded only) from `<data dir>/master.key`,
 * generated with mode 0600 the first time. PostgreSQL deployments must pass it explicitly so
 * that every process shares it and nothing secret lives only on one machine's disk.
 */
function resolveMasterKey(env: Env, dataDir: string, database: DatabaseTarget): Buffer {
  if (env.SOUK_MASTER_KEY) return decodeMasterKey(env.SOUK_MASTER_KEY, 'SOUK_MASTER_KEY');
  if (database.kind === 'postgres') {
    throw new ConfigError('SOUK_MASTER_KEY', 'is required with PostgreSQL (32 bytes, base64; every process needs the same one)');
  }
  const file = path.join(dataDir, 'master.key');
  if (existsSync(file)) return decodeMasterKey(readFileSync(file, 'utf8'), file);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
/** An absolute http(s) URL without a query, fragment or trailing slash, or undefined when unset. */
function parsePublicUrl(raw: string | undefined): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('SOUK_PUBLIC_URL', 'is not a URL; give it whole, e.g. https://shop.example.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('SOUK_PUBLIC_URL', 'must start with http:// or https://');
  if (url.search || url.hash || url.username || url.password) throw new ConfigError('SOUK_PUBLIC_URL', 'must have no query, fragment or credentials');
  return url.href.replace(/\/+$/, '');
}

/** An absolute http(s) base URL from a setting, without its trailing slash. */
export function baseUrl(env: Env, name: string, fallback: string): string {
  const text = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, `is not a URL; give it whole, e.g. ${fallback}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must start with http:// or https://');
  if (url.search || url.hash || url.username || url.password) throw new ConfigError(name, 'must have no query, fragment or credentials');
  return url.href.replace(/\/+$/, '');
}

function optionalUrl(env: Env, name: string, example: string): string | undefined {
  return env[name]?.trim() ? baseUrl(env, name, example) : undefined;
}

function chainSettings(env: Env): ChainSettings {
  return {
    tronGridUrl: optionalUrl(env, 'SOUK_TRONGRID_URL', 'https://api.trongrid.io'),
    tronGridApiKey: env.SOUK_TRONGRID_API_KEY?.trim() || undefined,
    ethRpcUrl: endpointUrl(env, 'SOUK_ETH_RPC_URL', 'https://ethereum-rpc.publicnode.com'),
    bscRpcUrl: endpointUrl(env, 'SOUK_BSC_RPC_URL', 'https://bsc-dataseed.bnbchain.org'),
    tronConfirmations: integer(env, 'SOUK_TRON_CONFIRMATIONS', 19, 1, 10_000),
    ethConfirmations: integer(env, 'SOUK_ETH_CONFIRMATIONS', 12, 1, 10_000),
    bscConfirmations: integer(env, 'SOUK_BSC_CONFIRMATIONS', 15, 1, 10_000),
    watchIntervalSeconds: integer(env, 'SOUK_CHAIN_WATCH_INTERVAL', 30, 1, 86_400),
    priceFeedUrl: endpointUrl(env, 'SOUK_CRYPTO_PRICE_FEED_URL', 'https://api.coingecko.com/api/v3/simple/price'),
  };
}

/** A node or feed URL, used as given: it may carry a provider key in its path or query, so no credentials or fragment, and http(s) only. */
function endpointUrl(env: Env, name: string, example: string): string | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, `is not a URL; give it whole, e.g. ${example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must start with http:// or https://');
  if (url.hash || url.username || url.password) throw new ConfigError(name, 'must have no fragment or credentials (put a key in the path or query, as the provider says)');
  return url.href;
}

function zidSettings(env: Env, publicUrl: string | undefined): ZidSettings {
  const redirect = env.SOUK_ZID_REDIRECT_URI?.trim();
  return {
    clientId: env.SOUK_ZID_CLIENT_ID?.trim() || undefined,
    clientSecret: env.SOUK_ZID_CLIENT_SECRET?.trim() || undefined,
    redirectUri: redirect ? baseUrl(env, 'SOUK_ZID_REDIRECT_URI', redirect) : publicUrl ? `${publicUrl}/connect/zid/callback` : undefined,
    oauthUrl: baseUrl(env, 'SOUK_ZID_OAUTH_URL', 'https://oauth.zid.sa'),
    apiUrl: baseUrl(env, 'SOUK_ZID_API_URL', 'https://api.zid.sa/v1'),
    orderSyncSeconds: integer(env, 'SOUK_ZID_ORDER_SYNC', 300, 5, 86_400),
  };
}

export function loadConfig(env: Env = process.env, flags: ConfigFlags = {}): Config {
  const portRaw = flags.port !== undefined ? String(flags.port) : env.PORT;
  const port = integer({ PORT: portRaw }, 'PORT', 8080, 0, 65535);
  const dataDir = path.resolve(flags.dataDir ?? env.SOUK_DATA_DIR ?? './data');
  const database = parseDatabase(flags.databaseUrl ?? env.SOUK_DATABASE_URL ?? '', dataDir, 'SOUK_DATABASE_URL');
  const redisUrl = env.SOUK_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('SOUK_REDIS_URL', 'must start with redis:// or rediss://');
  const logLevel = (env.SOUK_LOG_LEVEL ?? 'info').trim() as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('SOUK_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const shopCurrency = (env.SOUK_SHOP_CURRENCY ?? '').trim().toUpperCase() || 'CNY';
  if (!/^[A-Z]{3}$/.test(shopCurrency)) throw new ConfigError('SOUK_SHOP_CURRENCY', `must be a three-letter ISO 4217 code such as CNY, got "${env.SOUK_SHOP_CURRENCY}"`);
  const publicUrl = parsePublicUrl(env.SOUK_PUBLIC_URL);
  const smtpUrl = env.SOUK_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('SOUK_SMTP_URL', 'must start with smtp:// or smtps://');

  const config: Config = {
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port,
    publicUrl,
    dataDir,
    database,
    redisUrl,
    masterKey: Buffer.alloc(0),
    previousMasterKeys: [],
    webhookAllowPrivate: flag(env, 'SOUK_WEBHOOK_ALLOW_PRIVATE'),
    smtpUrl,
    mailFrom: env.SOUK_MAIL_FROM?.trim() || 'Souk <souk@localhost>',
    trustProxy: flag(env, 'SOUK_TRUST_PROXY'),
    logLevel,
    keyRateLimitPerMinute: integer(env, 'SOUK_KEY_RATE_LIMIT', 120, 1, 10_000_000),
    ipRateLimitPerMinute: integer(env, 'SOUK_IP_RATE_LIMIT', 600, 1, 10_000_000),
    loginRateLimitPerMinute: integer(env, 'SOUK_LOGIN_RATE_LIMIT', 10, 1, 10_000),
    tokenTtlSeconds: integer(env, 'SOUK_TOKEN_TTL', 900, 30, 86_400),
    consoleSessionTtlSeconds: integer(env, 'SOUK_CONSOLE_SESSION_TTL', 43_200, 60, 2_592_000),
    refreshTokenTtlSeconds: integer(env, 'SOUK_REFRESH_TOKEN_TTL', 604_800, 60, 31_536_000),
    customerTokenTtlSeconds: integer(env, 'SOUK_CUSTOMER_TOKEN_TTL', 86_400, 60, 2_592_000),
    shopCurrency,
    signatureWindowSeconds: integer(env, 'SOUK_SIGNATURE_WINDOW', 120, 5, 3600),
    bodyLimitBytes: integer(env, 'SOUK_BODY_LIMIT', 1_048_576, 1024, 104_857_600),
    metricsToken: env.SOUK_METRICS_TOKEN || undefined,
    webhookRetrySchedule: retrySchedule(env),
    productUpdateIntervalSeconds: integer(env, 'SOUK_PRODUCT_UPDATE_INTERVAL', 10, 1, 86_400),
    webhookBreakerThreshold: integer(env, 'SOUK_WEBHOOK_BREAKER_THRESHOLD', 10, 1, 1000),
    webhookBreakerPauseSeconds: integer(env, 'SOUK_WEBHOOK_BREAKER_PAUSE', 300, 1, 86_400),
    upstreamAllowPrivate: flag(env, 'SOUK_UPSTREAM_ALLOW_PRIVATE'),
    upstreamTimeoutMs: integer(env, 'SOUK_UPSTREAM_TIMEOUT_MS', 15_000, 100, 120_000),
    upstreamWaitMs: integer(env, 'SOUK_UPSTREAM_WAIT_MS', 5000, 0, 60_000),
    zid: zidSettings(env, publicUrl),
    crypto: {
      rateMaxAgeSeconds: integer(env, 'SOUK_CRYPTO_RATE_MAX_AGE', 900, 10, 604_800),
      holdSeconds: integer(env, 'SOUK_CRYPTO_HOLD', 1800, 60, 604_800),
    },
    gateways: readGatewaySettings(env),
    chains: chainSettings(env),
    risk: {
      reviewScore: integer(env, 'SOUK_RISK_REVIEW_SCORE', 0, 0, 100),
      rejectScore: integer(env, 'SOUK_RISK_REJECT_SCORE', 0, 0, 100),
      reviewTimeoutSeconds: integer(env, 'SOUK_REVIEW_TIMEOUT', 86_400, 60, 2_592_000),
    },
  };
  config.masterKey = resolveMasterKey(env, dataDir, database);
  config.previousMasterKeys = (env.SOUK_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k, i) => decodeMasterKey(k, `SOUK_PREVIOUS_MASTER_KEYS (key ${i + 1})`));
  return config;
}

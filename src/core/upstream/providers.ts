// The providers Souk buys from: where each is (base URL), which API it speaks (dialect), the
// credentials it was given (sealed at rest, opened only to make a call, never listed), how its
// products are priced here (sell currency, markup, rounding), how often it is synced, and what
// the last ping saw (reachability, latency, our balance there).
import { queryTemplate, type Db } from '../../db/index.js';
import type { ProvidersTable, UpstreamDialectName } from '../../db/schema.js';
import type { Selectable } from 'kysely';
import { changeCatalog, markProductsChanged, type CatalogDeps } from '../catalog/index.js';
import { nowIso, wireTime } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { Conflict, NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { formatMinor, isCurrencyCode, parseMinor } from '../money.js';
import type { UpstreamConnection, UpstreamCredentials, UpstreamDialect } from './dialect.js';
import { DIALECT_NAMES, dialectNamed } from './dialects/index.js';
import type { UpstreamHttp } from './http.js';

export type ProviderRow = Selectable<ProvidersTable>;

/** What the upstream module needs of the shop. */
export interface UpstreamDeps {
  db: Db;
  box: SecretBox;
  http: UpstreamHttp;
  /** Where a failed call's log line goes (never with a credential). */
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

export interface ProviderInput {
  name: string;
  url: string;
  dialect: string;
  /** Required by every dialect but shop, which pays as a customer (username and password). */
  key?: string;
  secret?: string;
  username?: string;
  password?: string;
  /** The upstream's currency (default USD). */
  currency?: string;
  /** What imported products are sold in (default: the upstream's currency). */
  sellCurrency?: string;
  /** Percent, decimal string or number ("12.5"). */
  markupPercent?: string | number;
  /** Per unit, decimal in the sell currency ("0.50"). */
  markupFixed?: string | number;
  /** Prices are rounded up to a multiple of this, decimal in the sell currency ("0.01", "1"). */
  rounding?: string | number;
  syncIntervalSeconds?: number;
}

/** A provider as the admin API and the CLI show it (times to the second): never its credentials. */
export interface ProviderView {
  provider_id: number;
  name: string;
  url: string;
  dialect: UpstreamDialectName;
  currency: string;
  sell_currency: string;
  markup_percent: string;
  markup_fixed: string;
  rounding: string;
  sync_interval_seconds: number;
  enabled: boolean;
  reachability: string;
  latency_ms: number | null;
  balance: string | null;
  last_ping_at: string | null;
  last_sync_at: string | null;
  last_error: string | null;
  created_at: string;
}

const PERCENT = /^\d{1,4}(\.\d{1,2})?$/;

/** The credentials each dialect cannot work without. */
const NEEDED: Readonly<Record<UpstreamDialectName, ReadonlyArray<keyof UpstreamCredentials>>> = {
  souk: ['key'],
  partner: ['key', 'secret'],
  store: ['key'],
  shop: ['username', 'password'],
  smm: ['key'],
};

function problem(problems: FieldProblem[], field: string, message: string): void {
  problems.push({ field, message });
}

function percentToBp(value: string | number | undefined, problems: FieldProblem[]): number {
  if (value === undefined) return 0;
  const text = String(value).trim();
  if (!PERCENT.test(text)) {
    problem(problems, 'markup_percent', 'a percentage from 0 to 9999.99, at most two decimals');
    return 0;
  }
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

function amountToMinor(value: string | number | undefined, currency: string, field: string, fallback: number, problems: FieldProblem[]): number {
  if (value === undefined) return fallback;
  const minor = parseMinor(value, currency);
  if (minor === undefined || minor < 0) problem(problems, field, `a non-negative amount in ${currency}`);
  return minor ?? fallback;
}

/** The base URL as stored: http(s), no query or fragment, no trailing slash. */
function cleanBaseUrl(url: string, problems: FieldProblem[]): string {
  try {
    const parsed = new URL(url.trim());
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password || parsed.search || parsed.hash) throw new Error('not a base URL');
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    problem(problems, 'url', 'an http(s) URL without credentials, query or fragment');
    return url;
  }
}

/** Adds a provider; its credentials are sealed before they are written. */
export async function addProvider(deps: UpstreamDeps, input: ProviderInput): Promise<ProviderRow> {
  const problems: FieldProblem[] = [];
  const name = input.name?.trim() ?? '';
  if (!name || name.length > 120) problem(problems, 'name', '1 to 120 characters');
  const baseUrl = cleanBaseUrl(input.url ?? '', problems);
  if (!dialectNamed(input.dialect)) problem(problems, 'dialect', `one of ${DIALECT_NAMES.join(', ')}`);
  for (const needed of NEEDED[input.dialect as UpstreamDialectName] ?? []) {
    if (!input[needed]?.trim()) problem(problems, needed, `is required for the ${input.dialect} dialect`);
  }
  const currency = (input.currency ?? 'USD').toUpperCase();
  if (!isCurrencyCode(currency)) problem(problems, 'currency', 'a three-letter currency code');
  const sellCurrency = (input.sellCurrency ?? currency).toUpperCase();
  if (!isCurrencyCode(sellCurrency)) problem(problems, 'sell_currency', 'a three-letter currency code');
  const markupBp = percentToBp(input.markupPercent, problems);
  const fixed = amountToMinor(input.markupFixed, sellCurrency, 'markup_fixed', 0, problems);
  const rounding = amountToMinor(input.rounding, sellCurrency, 'rounding', 1, problems);
  if (rounding < 1) problem(problems, 'rounding', 'at least the smallest unit of the currency');
  const interval = input.syncIntervalSeconds ?? 300;
  if (!Number.isInteger(interval) || interval < 10 || interval > 86_400) problem(problems, 'sync_interval_seconds', 'from 10 to 86400');
  if (problems.length) throw new ValidationFailed('The provider is not valid.', problems);
  const credentials: UpstreamCredentials = {
    key: input.key?.trim() ?? '',
    ...(input.secret ? { secret: input.secret } : {}),
    ...(input.username ? { username: input.username } : {}),
    ...(input.password ? { password: input.password } : {}),
  };
  const now = nowIso();
  const clash = await deps.db.selectFrom('providers').select('id').where('name', '=', name).executeTakeFirst();
  if (clash) throw new Conflict(`A provider named "${name}" exists.`, 'name');
  return deps.db
    .insertInto('providers')
    .values({
      name,
      base_url: baseUrl,
      dialect: input.dialect as UpstreamDialectName,
      credentials: deps.box.seal(JSON.stringify(credentials)),
      currency,
      sell_currency: sellCurrency,
      markup_bp: markupBp,
      markup_fixed_minor: fixed,
      rounding_minor: rounding,
      sync_interval_seconds: interval,
      enabled: 1,
      reachability: 'unknown',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The provider with this id; NotFound otherwise. */
const selectProvider = queryTemplate(['id'], (db, p) => db.selectFrom('providers').selectAll().where('id', '=', p.id));

export async function findProvider(db: Db, id: number): Promise<ProviderRow> {
  const row = Number.isSafeInteger(id) ? (await selectProvider.run(db, { id }))[0] : undefined;
  if (!row) throw new NotFound(`No provider ${id}.`);
  return row;
}

export async function listProviders(db: Db): Promise<ProviderRow[]> {
  return db.selectFrom('providers').selectAll().orderBy('id').execute();
}

/**
 * Turns a provider on or off: a disabled one is neither synced nor sold from (its products answer
 * 503). Its imported products are marked changed with it, so that an order admitted a moment ago
 * from what this or another process had read of the provider is admitted again before it is placed.
 */
export async function setProviderEnabled(deps: CatalogDeps, id: number, enabled: boolean): Promise<ProviderRow> {
  await findProvider(deps.db, id);
  await changeCatalog(deps, async (tx) => {
    await tx.updateTable('providers').set({ enabled: enabled ? 1 : 0, updated_at: nowIso() }).where('id', '=', id).execute();
    const imported = await tx.selectFrom('upstream_products').select('product_id').where('provider_id', '=', id).execute();
    await markProductsChanged(tx, imported.map((row) => row.product_id));
  });
  return findProvider(deps.db, id);
}

/** What may change of a provider's pricing and schedule after it is added (absent: unchanged). */
export interface ProviderPricingChange {
  markupPercent?: string | number;
  markupFixed?: string | number;
  rounding?: string | number;
  syncIntervalSeconds?: number;
}

/** Changes a provider's markup, rounding or sync interval; imported products are repriced by the next sync. */
export async function changeProviderPricing(db: Db, id: number, change: ProviderPricingChange): Promise<ProviderRow> {
  const provider = await findProvider(db, id);
  const problems: FieldProblem[] = [];
  const markupBp = change.markupPercent === undefined ? provider.markup_bp : percentToBp(change.markupPercent, problems);
  const fixed = amountToMinor(change.markupFixed, provider.sell_currency, 'markup_fixed', provider.markup_fixed_minor, problems);
  const rounding = amountToMinor(change.rounding, provider.sell_currency, 'rounding', provider.rounding_minor, problems);
  if (rounding < 1) problem(problems, 'rounding', 'at least the smallest unit of the currency');
  const interval = change.syncIntervalSeconds ?? provider.sync_interval_seconds;
  if (!Number.isInteger(interval) || interval < 10 || interval > 86_400) problem(problems, 'sync_interval_seconds', 'from 10 to 86400');
  if (problems.length) throw new ValidationFailed('The change is not valid.', problems);
  await db
    .updateTable('providers')
    .set({ markup_bp: markupBp, markup_fixed_minor: fixed, rounding_minor: rounding, sync_interval_seconds: interval, updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
  return findProvider(db, id);
}

/** The dialect a provider speaks. */
export function dialectOf(provider: Pick<ProviderRow, 'dialect'>): UpstreamDialect {
  const dialect = dialectNamed(provider.dialect);
  if (!dialect) throw new NotFound(`Souk does not speak the ${provider.dialect} dialect.`);
  return dialect;
}

/** What a dialect calls the provider with: its credentials opened for this call only. */
export function connectionOf(deps: UpstreamDeps, provider: ProviderRow): UpstreamConnection {
  return {
    providerId: provider.id,
    baseUrl: provider.base_url,
    credentials: JSON.parse(deps.box.open(provider.credentials)) as UpstreamCredentials,
    currency: provider.currency,
    http: deps.http,
  };
}

export function providerView(row: ProviderRow): ProviderView {
  return {
    provider_id: row.id,
    name: row.name,
    url: row.base_url,
    dialect: row.dialect,
    currency: row.currency,
    sell_currency: row.sell_currency,
    markup_percent: `${Math.floor(row.markup_bp / 100)}.${String(row.markup_bp % 100).padStart(2, '0')}`,
    markup_fixed: formatMinor(row.markup_fixed_minor, row.sell_currency),
    rounding: formatMinor(row.rounding_minor, row.sell_currency),
    sync_interval_seconds: row.sync_interval_seconds,
    enabled: row.enabled === 1,
    reachability: row.reachability,
    latency_ms: row.latency_ms,
    balance: row.balance_minor === null ? null : formatMinor(row.balance_minor, row.currency),
    last_ping_at: wireTime(row.last_ping_at),
    last_sync_at: wireTime(row.last_sync_at),
    last_error: row.last_error,
    created_at: wireTime(row.created_at),
  };
}

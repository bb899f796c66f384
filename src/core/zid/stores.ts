// Connected Zid stores: the OAuth states that start a connection (random, single-use, ten
// minutes, bound to the admin who asked), the callback that finishes it, and the store rows,
// whose tokens are sealed at rest and opened only to call Zid. A store is found again on a
// reconnect by an HMAC of Zid's store id, so the id itself is kept only inside the seal.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import type { Selectable } from 'kysely';
import type { ZidStoresTable, ZidStoreStatus } from '../../db/schema.js';
import { createAccount } from '../accounts/index.js';
import { wireTime } from '../clock.js';
import type { SecretBox } from '../crypto.js';
import { DomainError, NotFound } from '../errors.js';
import type { CodeVault } from '../inventory/index.js';
import type { ZidStoreKeeper } from './client.js';
import { ZidNeedsReconnect } from './errors.js';
import type { ZidTokens } from './tokens.js';

/** How long a connect link may be used. */
export const STATE_TTL_MS = 10 * 60_000;

export interface StoreDeps {
  db: Db;
  box: SecretBox;
  vault: CodeVault;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Why a connection was not made, in words for the page the merchant sees. */
export class ZidConnectRefused extends DomainError {
  constructor(message: string) {
    super('zid_connect_refused', 400, message);
  }
}

/** A new single-use state for one admin's connect link. */
export async function createConnectState(db: Db, actor: string, now = new Date()): Promise<string> {
  const state = randomBytes(24).toString('base64url');
  await db
    .insertInto('zid_oauth_states')
    .values({ state_hash: sha256(state), actor, expires_at: new Date(now.getTime() + STATE_TTL_MS).toISOString(), used_at: null, created_at: now.toISOString() })
    .execute();
  // Old states are of no use to anyone: dropped as new ones are made.
  await db.deleteFrom('zid_oauth_states').where('expires_at', '<', new Date(now.getTime() - STATE_TTL_MS).toISOString()).execute();
  return state;
}

/** Spends a state (once, ever) and says who asked for it; a wrong, used or expired state is refused. */
export async function spendConnectState(db: Db, state: string | undefined, now = new Date()): Promise<string> {
  if (!state || state.length > 200) throw new ZidConnectRefused('This link is not one Souk made. Start again from Souk (souk zid connect).');
  const hash = sha256(state);
  const spent = await db
    .updateTable('zid_oauth_states')
    .set({ used_at: now.toISOString() })
    .where('state_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning('actor')
    .executeTakeFirst();
  if (spent) return spent.actor;
  const row = await db.selectFrom('zid_oauth_states').select(['used_at']).where('state_hash', '=', hash).executeTakeFirst();
  if (!row) throw new ZidConnectRefused('This link is not one Souk made. Start again from Souk (souk zid connect).');
  if (row.used_at) throw new ZidConnectRefused('This link was used already; each one connects once. Start again from Souk (souk zid connect).');
  throw new ZidConnectRefused('This link expired (they last ten minutes). Start again from Souk (souk zid connect).');
}

export interface ConnectedStore {
  id: number;
  /** The secret of the store's hook URL: given to Zid when its webhooks are registered, kept nowhere. */
  hookToken: string;
  reconnected: boolean;
}

/**
 * Keeps a store's tokens after a code exchange: a store connected before (same Zid store id) gets
 * them, a fresh hook token and `connected` again; a new one gets a row and the account its orders
 * are placed under.
 */
export async function saveConnectedStore(deps: StoreDeps, tokens: ZidTokens, actor: string, now = new Date()): Promise<ConnectedStore> {
  const storeKey = deps.vault.fingerprint(`zid-store:${tokens.zidStoreId}`);
  const hookToken = randomBytes(32).toString('base64url');
  const at = now.toISOString();
  const sealed = deps.box.seal(JSON.stringify(tokens));
  return deps.db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('zid_stores').select(['id']).where('store_key', '=', storeKey).executeTakeFirst();
    if (existing) {
      await tx
        .updateTable('zid_stores')
        .set({ credentials: sealed, hook_token_hash: sha256(hookToken), status: 'connected', connected_by: actor, last_error: null, updated_at: at })
        .where('id', '=', existing.id)
        .execute();
      return { id: Number(existing.id), hookToken, reconnected: true };
    }
    const account = await createAccount(tx, { name: `Zid store ${tokens.zidStoreId}`.slice(0, 120), kind: 'reseller' });
    const row = await tx
      .insertInto('zid_stores')
      .values({
        store_key: storeKey,
        name: 'Zid store',
        currency: null,
        country: null,
        status: 'connected',
        credentials: sealed,
        hook_token_hash: sha256(hookToken),
        account_id: account.id,
        connected_by: actor,
        webhooks: 0,
        sync_cursor: null,
        last_sync_at: null,
        last_order_sync_at: null,
        last_error: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), hookToken, reconnected: false };
  });
}

/** Fills what the profile says of the store, and the name of the account its orders go under. */
export async function describeStore(db: Db, storeId: number, profile: { name: string | null; currency: string | null; country: string | null }): Promise<void> {
  const store = await db.selectFrom('zid_stores').select(['account_id']).where('id', '=', storeId).executeTakeFirstOrThrow();
  const at = new Date().toISOString();
  await db
    .updateTable('zid_stores')
    .set({ ...(profile.name ? { name: profile.name } : {}), currency: profile.currency, country: profile.country, updated_at: at })
    .where('id', '=', storeId)
    .execute();
  if (profile.name) await db.updateTable('accounts').set({ name: `Zid: ${profile.name}`.slice(0, 120) }).where('id', '=', store.account_id).execute();
}

/** The store a hook URL's secret belongs to, if it is connected; undefined for anything else. */
export async function storeOfHookToken(db: Db, token: string): Promise<number | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await db.selectFrom('zid_stores').select(['id', 'status']).where('hook_token_hash', '=', sha256(token)).executeTakeFirst();
  return row && row.status === 'connected' ? Number(row.id) : undefined;
}

/** The keeper the Zid client asks for a store's tokens: opened from their seal, kept sealed after a refresh. */
export function storeKeeper(deps: StoreDeps, log?: (message: string, fields: Record<string, string | number | null>) => void): ZidStoreKeeper {
  return {
    async tokens(storeId) {
      const row = await deps.db.selectFrom('zid_stores').select(['status', 'credentials']).where('id', '=', storeId).executeTakeFirst();
      if (!row) throw new NotFound(`No Zid store ${storeId}.`);
      if (row.status !== 'connected') throw new ZidNeedsReconnect(storeId);
      return JSON.parse(deps.box.open(row.credentials)) as ZidTokens;
    },
    async saveTokens(storeId, tokens) {
      await deps.db.updateTable('zid_stores').set({ credentials: deps.box.seal(JSON.stringify(tokens)), updated_at: new Date().toISOString() }).where('id', '=', storeId).execute();
    },
    async needsReconnect(storeId, why) {
      await deps.db.updateTable('zid_stores').set({ status: 'needs_reconnect', last_error: why.slice(0, 500), updated_at: new Date().toISOString() }).where('id', '=', storeId).execute();
      log?.('zid store needs reconnecting: the merchant must connect it again', { store_id: storeId, reason: why.slice(0, 200) });
    },
  };
}

/** A store's row as the connector reads it: everything but what only finds it (its key, its hook hash). */
export type StoreRow = Omit<Selectable<ZidStoresTable>, 'store_key' | 'hook_token_hash' | 'updated_at'>;

const STORE_COLUMNS = ['id', 'name', 'currency', 'country', 'status', 'account_id', 'connected_by', 'webhooks', 'sync_cursor', 'last_sync_at', 'last_order_sync_at', 'last_error', 'created_at', 'credentials'] as const;
const storeRow = (row: StoreRow): StoreRow => ({ ...row, id: Number(row.id), account_id: Number(row.account_id) });

/** A store's row; NotFound when there is none. */
export async function findStore(db: Db, storeId: number): Promise<StoreRow> {
  const row = await db.selectFrom('zid_stores').select(STORE_COLUMNS).where('id', '=', storeId).executeTakeFirst();
  if (!row) throw new NotFound(`No Zid store ${storeId}.`);
  return storeRow(row);
}

/** Every connected (or once connected) store, oldest first. */
export async function listStoreRows(db: Db): Promise<StoreRow[]> {
  return (await db.selectFrom('zid_stores').select(STORE_COLUMNS).orderBy('id').execute()).map(storeRow);
}

/** Zid's own id of a store: opened from the seal, for the admin who manages it. */
export function zidStoreIdOf(box: SecretBox, row: Pick<StoreRow, 'credentials'>): string {
  return (JSON.parse(box.open(row.credentials)) as ZidTokens).zidStoreId;
}

export interface StoreSummary {
  id: number;
  zid_store_id: string;
  name: string;
  status: ZidStoreStatus;
  last_sync_at: string | null;
}

/** `souk zid stores`: each store as the admin sees it in a list. */
export function storeSummary(box: SecretBox, row: StoreRow): StoreSummary {
  return { id: row.id, zid_store_id: zidStoreIdOf(box, row), name: row.name, status: row.status, last_sync_at: row.last_sync_at ? wireTime(row.last_sync_at) : null };
}

/** Stores whose connection broke (Zid refused their tokens) and that the owner must connect again, oldest first. */
export async function storesNeedingReconnect(db: Db): Promise<Array<{ id: number; name: string; last_error: string | null; updated_at: string }>> {
  const rows = await db.selectFrom('zid_stores').select(['id', 'name', 'last_error', 'updated_at']).where('status', '=', 'needs_reconnect').orderBy('id').execute();
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

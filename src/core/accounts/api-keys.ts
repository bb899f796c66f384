// API keys: `sk_live_` + 43 base62 characters (≥ 256 bits). Only a SHA-256 hash is stored, with
// a short visible prefix; the key itself is returned once, at creation.
import { queryTemplate, type Db } from '../../db/index.js';
import type { ApiKeyRow } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { constantTimeEqual, randomBase62, sha256Hex, type SecretBox } from '../crypto.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { getAccount } from './accounts.js';
import { DEFAULT_KEY_SCOPES, isScope, type Principal } from './principal.js';
import { forgetLiveKeys, liveKeysOf } from './live-keys.js';
import type { ChangeBus } from '../../platform/bus.js';

const KEY_PREFIX = 'sk_live_';
const VISIBLE = KEY_PREFIX.length + 6;

export interface CreatedApiKey {
  keyId: string;
  apiKey: string;
  prefix: string;
  scopes: string[];
  signingSecret: string | null;
}

export interface ApiKeySummary {
  key_id: string;
  account_id: number;
  prefix: string;
  label: string | null;
  scopes: string[];
  signed: boolean;
  require_signature: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX) && value.length > VISIBLE && value.length < 200;
}

/** Every key Souk issues: the prefix and randomBase62(32), which is 43 characters. */
const WELL_FORMED_KEY = /^sk_live_[0-9A-Za-z]{43}$/;

/**
 * The id of the key whose secret is `apiKey`, for an operator who has the key but not its id.
 * A text that starts like a key but cannot be one is refused as not valid (naming only its
 * visible start); a well-formed key Souk does not hold is NotFound.
 */
export async function apiKeyIdOf(db: Db, apiKey: string): Promise<string> {
  const shown = apiKey.length > VISIBLE ? `${apiKey.slice(0, VISIBLE)}…` : apiKey;
  if (!WELL_FORMED_KEY.test(apiKey)) {
    throw new ValidationFailed(`${shown} is not a valid API key: a key is sk_live_ followed by 43 letters and digits. Check it was copied whole, or give the key id (key_…) from \`souk key list\`.`, [
      { field: 'key', message: 'is not a valid API key' },
    ]);
  }
  const hash = sha256Hex(apiKey);
  const rows = await db.selectFrom('api_keys').select(['id', 'key_hash']).where('prefix', '=', apiKey.slice(0, VISIBLE)).execute();
  const match = rows.find((row) => constantTimeEqual(row.key_hash, hash));
  if (!match) throw new NotFound(`No API key ${shown} here: it may belong to another Souk, or its id (key_…) is in \`souk key list\`.`);
  return match.id;
}

/**
 * Issues a key for an account. With `signed`, it also gets a signing secret (sealed at rest,
 * because verifying an HMAC needs the secret itself) and, with `requireSignature`, unsigned
 * requests are refused.
 */
export async function createApiKey(
  db: Db,
  box: SecretBox,
  input: { accountId: number; scopes?: string[]; label?: string; signed?: boolean; requireSignature?: boolean },
): Promise<CreatedApiKey> {
  const account = await getAccount(db, input.accountId);
  const scopes = input.scopes ?? (account.kind === 'admin' ? ['admin'] : DEFAULT_KEY_SCOPES);
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length) throw new ValidationFailed('Unknown scope.', [{ field: 'scopes', message: `unknown: ${unknown.join(', ')}` }]);
  if (scopes.includes('admin') && account.kind !== 'admin') {
    throw new ValidationFailed('Only admin accounts may hold the admin scope.', [{ field: 'scopes', message: 'admin needs an admin account' }]);
  }
  const apiKey = KEY_PREFIX + randomBase62(32);
  const keyId = 'key_' + randomBase62(12);
  const signed = Boolean(input.signed || input.requireSignature);
  const signingSecret = signed ? 'ss_' + randomBase62(32) : null;
  await db
    .insertInto('api_keys')
    .values({
      id: keyId,
      account_id: account.id,
      prefix: apiKey.slice(0, VISIBLE),
      key_hash: sha256Hex(apiKey),
      scopes: JSON.stringify(scopes),
      label: input.label ?? null,
      signing_secret_enc: signingSecret ? box.seal(signingSecret) : null,
      require_signature: input.requireSignature ? 1 : 0,
      created_at: nowIso(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { keyId, apiKey, prefix: apiKey.slice(0, VISIBLE), scopes, signingSecret };
}

function summarize(row: ApiKeyRow): ApiKeySummary {
  return {
    key_id: row.id,
    account_id: row.account_id,
    prefix: row.prefix,
    label: row.label,
    scopes: JSON.parse(row.scopes) as string[],
    signed: row.signing_secret_enc !== null,
    require_signature: row.require_signature === 1,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

export async function listApiKeys(db: Db, accountId?: number): Promise<ApiKeySummary[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at');
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return (await query.execute()).map(summarize);
}

/**
 * Revokes a key; it fails authentication from the next request on, tokens made from it too (in
 * another process that cannot hear of it, within a second: live-keys.ts).
 */
export async function revokeApiKey(deps: { db: Db; bus: ChangeBus }, keyId: string): Promise<ApiKeySummary> {
  const row = await deps.db
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(nowIso())) }))
    .where('id', '=', keyId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFound(`No API key ${keyId}.`);
  forgetLiveKeys(deps);
  return summarize(row);
}

/**
 * The signing secret that signs seed 000 webhooks of an account's orders: the given key's while it
 * is live and signed, else the newest live signed key's (a revoked key's secret may be in other
 * hands); null when the account has no live signed key.
 */
export async function webhookSigningSecret(db: Db, box: SecretBox, accountId: number, keyId: string | null): Promise<string | null> {
  const live = await db
    .selectFrom('api_keys')
    .select(['id', 'signing_secret_enc'])
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('signing_secret_enc', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const chosen = live.find((key) => key.id === keyId) ?? live[0];
  return chosen?.signing_secret_enc ? box.open(chosen.signing_secret_enc) : null;
}

export interface KeyCredentials {
  principal: Principal;
  /** Present when the key has a signing secret. */
  signingSecret: string | null;
  requireSignature: boolean;
}

const keyColumns = [
  'api_keys.id as key_id',
  'api_keys.key_hash',
  'api_keys.scopes',
  'api_keys.signing_secret_enc',
  'api_keys.require_signature',
  'api_keys.revoked_at',
  'accounts.id as account_id',
  'accounts.kind',
  'accounts.currency',
  'accounts.tier',
  'accounts.status',
  'accounts.rate_limit_per_minute',
] as const;

type KeyLookupRow = {
  key_id: string;
  key_hash: string;
  scopes: string;
  signing_secret_enc: string | null;
  require_signature: number;
  revoked_at: string | null;
  account_id: number;
  kind: Principal['accountKind'];
  currency: string;
  tier: string | null;
  status: string;
  rate_limit_per_minute: number | null;
};

function toCredentials(row: KeyLookupRow, box: SecretBox, via: Principal['via']): KeyCredentials {
  return {
    principal: {
      accountId: row.account_id,
      accountKind: row.kind,
      accountCurrency: row.currency,
      accountTier: row.tier,
      keyId: row.key_id,
      userId: null,
      scopes: JSON.parse(row.scopes) as string[],
      rateLimitPerMinute: row.rate_limit_per_minute,
      via,
    },
    signingSecret: row.signing_secret_enc ? box.open(row.signing_secret_enc) : null,
    requireSignature: row.require_signature === 1,
  };
}

// Every authenticated request looks its key up: a template, built and compiled once.
const keysByPrefix = queryTemplate(['prefix'], (db, p) =>
  db.selectFrom('api_keys').innerJoin('accounts', 'accounts.id', 'api_keys.account_id').select(keyColumns).where('api_keys.prefix', '=', p.prefix),
);

/**
 * Finds the live key matching a presented secret. Candidates are found by the visible prefix and
 * the hash is compared with timingSafeEqual, so timing reveals nothing about the secret.
 */
export async function authenticateApiKey(db: Db, box: SecretBox, presented: string): Promise<KeyCredentials | undefined> {
  if (!looksLikeApiKey(presented)) return undefined;
  const hash = sha256Hex(presented);
  const remembered = liveKeysOf(db).recall(hash);
  if (remembered) return remembered;
  const rows = (await keysByPrefix.run(db, { prefix: presented.slice(0, VISIBLE) })) as KeyLookupRow[];
  let match: KeyLookupRow | undefined;
  for (const row of rows) if (constantTimeEqual(row.key_hash, hash)) match = row;
  if (!match || match.revoked_at || match.status !== 'active') return undefined;
  const credentials = toCredentials(match, box, 'api_key');
  liveKeysOf(db).remember(hash, credentials);
  return credentials;
}

/**
 * Whether a presented secret is an unrevoked key whose account is closed (no longer exists), which
 * seed 003's GET /me answers apart from other refused keys. Asked only after authentication failed.
 */
export async function isKeyOfClosedAccount(db: Db, presented: string): Promise<boolean> {
  if (!looksLikeApiKey(presented)) return false;
  const hash = sha256Hex(presented);
  const rows = (await keysByPrefix.run(db, { prefix: presented.slice(0, VISIBLE) })) as KeyLookupRow[];
  return rows.some((row) => constantTimeEqual(row.key_hash, hash) && !row.revoked_at && row.status === 'closed');
}

/** Loads a key by id, for tokens minted from it; undefined when revoked or its account is suspended. */
export async function loadLiveKey(db: Db, box: SecretBox, keyId: string): Promise<KeyCredentials | undefined> {
  const remembered = liveKeysOf(db).recall(`token:${keyId}`);
  if (remembered) return remembered;
  const row = (await db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
    .select(keyColumns)
    .where('api_keys.id', '=', keyId)
    .executeTakeFirst()) as KeyLookupRow | undefined;
  if (!row || row.revoked_at || row.status !== 'active') return undefined;
  const credentials = toCredentials(row, box, 'token');
  liveKeysOf(db).remember(`token:${keyId}`, credentials);
  return credentials;
}

const lastTouched = new Map<string, number>();

/** Records a key's last use, at most once a minute per key per process to keep writes off the hot path. */
export async function touchApiKey(db: Db, keyId: string): Promise<void> {
  const now = Date.now();
  if ((lastTouched.get(keyId) ?? 0) > now - 60_000) return;
  lastTouched.set(keyId, now);
  await db.updateTable('api_keys').set({ last_used_at: new Date(now).toISOString() }).where('id', '=', keyId).execute();
}

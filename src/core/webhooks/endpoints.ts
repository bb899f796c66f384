// Webhook endpoints (any number per account: URL, event filter, include_items, secret shown once,
// enable/disable, rotation) and each account's callback secret, which signs deliveries to the
// callback_url of its orders. Secrets are sealed at rest; after a rotation the old one stays valid
// (deliveries carry a signature for each) for 24 hours.
import { ulid } from 'ulid';
import type { Db } from '../../db/index.js';
import { outboundUrlProblem } from '../../platform/outbound-guard.js';
import type { WebhookEndpointsTable } from '../../db/schema.js';
import type { SecretBox } from '../crypto.js';
import { nowIso } from '../clock.js';
import { NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { getAccount } from '../accounts/index.js';
import { EVENT_TYPES, isEventType, type EventType } from '../events/index.js';
import { generateWebhookSecret } from './signing.js';

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface WebhookDeps {
  db: Db;
  box: SecretBox;
  /** SOUK_WEBHOOK_ALLOW_PRIVATE: callbacks may go to private addresses (tests, local development). */
  allowPrivate: boolean;
}

export interface WebhookEndpoint {
  id: string;
  account_id: number;
  url: string;
  /** Empty: every event type. */
  events: EventType[];
  include_items: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  failure_streak: number;
  paused_until: string | null;
  created_at: string;
  updated_at: string;
}

export function toEndpoint(row: WebhookEndpointsTable): WebhookEndpoint {
  return {
    id: row.id,
    account_id: row.account_id,
    url: row.url,
    events: JSON.parse(row.events) as EventType[],
    include_items: row.include_items === 1,
    enabled: row.status === 'enabled',
    disabled_reason: row.disabled_reason,
    failure_streak: row.failure_streak,
    paused_until: row.paused_until,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export interface EndpointInput {
  url?: string;
  events?: string[];
  includeItems?: boolean;
  enabled?: boolean;
}

async function checkInput(input: EndpointInput, allowPrivate: boolean): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (input.url !== undefined) {
    const problem = await outboundUrlProblem(input.url, { allowPrivate });
    if (problem) problems.push({ field: 'url', message: problem });
  }
  for (const type of input.events ?? []) {
    if (!isEventType(type)) problems.push({ field: 'events', message: `"${type}" is not an event type; use ${EVENT_TYPES.join(', ')}` });
  }
  return problems;
}

export interface CreatedEndpoint {
  endpoint: WebhookEndpoint;
  /** Shown once. */
  secret: string;
}

/** Registers a webhook endpoint for an account; the secret is returned this once. */
export async function createWebhookEndpoint(deps: WebhookDeps, accountId: number, input: EndpointInput & { url: string }): Promise<CreatedEndpoint> {
  const problems = await checkInput(input, deps.allowPrivate);
  if (problems.length) throw new ValidationFailed('The webhook endpoint is not valid.', problems);
  await getAccount(deps.db, accountId);
  const secret = generateWebhookSecret();
  const now = nowIso();
  const row = await deps.db
    .insertInto('webhook_endpoints')
    .values({
      id: `we_${ulid()}`,
      account_id: accountId,
      url: input.url,
      events: JSON.stringify([...new Set(input.events ?? [])]),
      include_items: input.includeItems === false ? 0 : 1,
      secret_enc: deps.box.seal(secret),
      previous_secret_enc: null,
      previous_secret_until: null,
      status: input.enabled === false ? 'disabled' : 'enabled',
      disabled_reason: input.enabled === false ? 'disabled when created' : null,
      failure_streak: 0,
      paused_until: null,
      probe_until: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { endpoint: toEndpoint(row), secret };
}

export async function getWebhookEndpoint(db: Db, endpointId: string): Promise<WebhookEndpoint> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirst();
  if (!row) throw new NotFound(`No webhook endpoint ${endpointId}.`);
  return toEndpoint(row);
}

export async function listWebhookEndpoints(db: Db, accountId?: number): Promise<WebhookEndpoint[]> {
  let query = db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id');
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return (await query.execute()).map(toEndpoint);
}

/** Changes an endpoint's URL, filter, include_items, or switches it on or off (on again also closes its circuit). */
export async function updateWebhookEndpoint(deps: WebhookDeps, endpointId: string, input: EndpointInput): Promise<WebhookEndpoint> {
  const problems = await checkInput(input, deps.allowPrivate);
  if (problems.length) throw new ValidationFailed('The webhook endpoint is not valid.', problems);
  await getWebhookEndpoint(deps.db, endpointId);
  const row = await deps.db
    .updateTable('webhook_endpoints')
    .set({
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: JSON.stringify([...new Set(input.events)]) } : {}),
      ...(input.includeItems !== undefined ? { include_items: input.includeItems ? 1 : 0 } : {}),
      ...(input.enabled === true ? { status: 'enabled' as const, disabled_reason: null, failure_streak: 0, paused_until: null, probe_until: null } : {}),
      ...(input.enabled === false ? { status: 'disabled' as const, disabled_reason: 'disabled by an admin' } : {}),
      updated_at: nowIso(),
    })
    .where('id', '=', endpointId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEndpoint(row);
}

/** A new secret for an endpoint, shown once; the old one stays valid for 24 hours. */
export async function rotateWebhookSecret(deps: WebhookDeps, endpointId: string): Promise<string> {
  const current = await deps.db.selectFrom('webhook_endpoints').select(['secret_enc']).where('id', '=', endpointId).executeTakeFirst();
  if (!current) throw new NotFound(`No webhook endpoint ${endpointId}.`);
  const secret = generateWebhookSecret();
  const now = Date.now();
  await deps.db
    .updateTable('webhook_endpoints')
    .set({ secret_enc: deps.box.seal(secret), previous_secret_enc: current.secret_enc, previous_secret_until: new Date(now + ROTATION_OVERLAP_MS).toISOString(), updated_at: new Date(now).toISOString() })
    .where('id', '=', endpointId)
    .execute();
  return secret;
}

/**
 * The secret that signs deliveries to the callback_url of the account's orders, created on first
 * use. With `rotate`, a new one replaces it (the old one stays valid for 24 hours).
 */
export async function callbackSecret(deps: WebhookDeps, accountId: number, options: { rotate?: boolean } = {}): Promise<string> {
  return deps.db.transaction().execute(async (tx) => {
    await getAccount(tx, accountId);
    const existing = await tx.selectFrom('callback_secrets').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    if (existing && !options.rotate) return deps.box.open(existing.secret_enc);
    const secret = generateWebhookSecret();
    const now = Date.now();
    const at = new Date(now).toISOString();
    if (existing) {
      await tx
        .updateTable('callback_secrets')
        .set({ secret_enc: deps.box.seal(secret), previous_secret_enc: existing.secret_enc, previous_secret_until: new Date(now + ROTATION_OVERLAP_MS).toISOString(), updated_at: at })
        .where('account_id', '=', accountId)
        .execute();
    } else {
      // Two workers may create it at once: the first one written is the one.
      await tx
        .insertInto('callback_secrets')
        .values({ account_id: accountId, secret_enc: deps.box.seal(secret), previous_secret_enc: null, previous_secret_until: null, created_at: at, updated_at: at })
        .onConflict((c) => c.column('account_id').doNothing())
        .execute();
      const stored = await tx.selectFrom('callback_secrets').select('secret_enc').where('account_id', '=', accountId).executeTakeFirstOrThrow();
      return deps.box.open(stored.secret_enc);
    }
    return secret;
  });
}

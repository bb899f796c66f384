// What a delivery carries: `{"id", "type", "timestamp", "data"}`; an `order.fulfilled` event (the
// delivery callback) also carries the delivered codes when its target wants them (endpoints with
// include_items, and every order callback_url, as the documented callbacks deliver them). Codes are
// read and opened at send time: they rest sealed, never copied into events.
// An event about an order placed on /v1 speaks seed 000 instead (partnerBodies, below).
import type { Db } from '../../db/index.js';
import { webhookSigningSecret } from '../accounts/index.js';
import type { SecretBox } from '../crypto.js';
import type { CodeVault } from '../inventory/index.js';
import { wireTime } from '../clock.js';
import { eventDataOnWire } from '../events/index.js';
import { deliveredSealedCodes, loadOrderDetail, PARTNER_CHANNEL, partnerOrderView, placingKeyId, type OrderDetail } from '../orders/index.js';
import { tradeInSigner } from '../trade-ins/index.js';
import { callbackSecret } from './endpoints.js';
import type { DeliveryJob, SealedSecrets } from './deliveries.js';

export interface RenderDeps {
  db: Db;
  box: SecretBox;
  vault: CodeVault;
  allowPrivate: boolean;
}

export interface Target {
  url: string;
  /** Valid secrets, newest first. */
  secrets: string[];
  includeItems: boolean;
}

function validSecrets(box: SecretBox, row: SealedSecrets, now: string): string[] {
  const secrets = [box.open(row.secret_enc)];
  if (row.previous_secret_enc && row.previous_secret_until && row.previous_secret_until > now) secrets.push(box.open(row.previous_secret_enc));
  return secrets;
}

/** Where each job goes and with which secrets; jobs whose endpoint is gone are left out. */
export async function resolveTargets(deps: RenderDeps, jobs: readonly DeliveryJob[], now: string): Promise<Map<number, Target>> {
  const callbackSecrets = new Map<number, string[]>();
  const targets = new Map<number, Target>();
  for (const job of jobs) {
    if (job.endpoint_id) {
      const endpoint = job.endpoint;
      if (endpoint) targets.set(job.id, { url: endpoint.url, secrets: validSecrets(deps.box, endpoint, now), includeItems: endpoint.include_items });
    } else if (job.callback_url) {
      let secrets = callbackSecrets.get(job.account_id);
      if (!secrets) {
        // The account's first callback: its secret is made now (once, whichever worker gets there first).
        secrets = job.callback_secret ? validSecrets(deps.box, job.callback_secret, now) : [await callbackSecret(deps, job.account_id)];
        callbackSecrets.set(job.account_id, secrets);
      }
      targets.set(job.id, { url: job.callback_url, secrets, includeItems: true });
    }
  }
  return targets;
}

/** The delivered codes of the orders these jobs report on, opened, by order id. */
async function loadItems(deps: RenderDeps, orderIds: string[]): Promise<Map<string, Array<{ id: number; code: string }>>> {
  const sealed = await deliveredSealedCodes(deps.db, orderIds);
  return new Map([...sealed].map(([orderId, items]) => [orderId, items.map((item) => ({ id: item.id, code: deps.vault.open(item.code_enc) }))]));
}

/** What one attempt sends: the exact bytes, and the secret its seed 000 X-Signature is keyed with when it is not the target's. */
export interface RenderedBody {
  body: string;
  /** An order placed on /v1: the partner's signing secret (the one it signs its requests with). */
  signingSecret?: string;
}

/** The exact body of each job (the bytes that get signed and sent). */
export async function renderBodies(deps: RenderDeps, jobs: readonly DeliveryJob[], targets: Map<number, Target>): Promise<Map<number, RenderedBody>> {
  const partnerJobs = jobs.filter((j) => j.order_id !== null && j.order_channel === PARTNER_CHANNEL && targets.has(j.id));
  const rendered = await partnerBodies(deps, partnerJobs, targets);
  const others = jobs.filter((j) => !rendered.has(j.id));
  const parsed = new Map(others.map((j) => [j.id, JSON.parse(j.payload) as { order?: Record<string, unknown> } & Record<string, unknown>]));
  const needItems = new Set(others.filter((j) => j.type === 'order.fulfilled' && j.order_id && targets.get(j.id)?.includeItems));
  // Codes the claim read along (PostgreSQL) are opened here; the others are read now.
  const items = await loadItems(deps, [...new Set([...needItems].filter((j) => !j.sealed_items).map((j) => j.order_id!))]);
  for (const job of needItems) {
    if (job.sealed_items) items.set(job.order_id!, job.sealed_items.map((item) => ({ id: Number(item.id), code: deps.vault.open(item.code_enc) })));
  }
  for (const job of others) {
    let data = parsed.get(job.id)!;
    if (needItems.has(job) && data.order) data = { ...data, order: { ...data.order, items: items.get(job.order_id!) ?? [] } };
    const signingSecret = await payoutSigningSecret(deps, job, data);
    rendered.set(job.id, { body: envelope(job, eventDataOnWire(data)), ...(signingSecret ? { signingSecret } : {}) });
  }
  return rendered;
}

/** A payout callback (a trade-in decided) is signed like the partner's orders: X-Signature keyed with the submitting key's signing secret. */
async function payoutSigningSecret(deps: RenderDeps, job: DeliveryJob, data: Record<string, unknown>): Promise<string | undefined> {
  if (job.type !== 'payout.completed' && job.type !== 'payout.rejected') return undefined;
  const tradeIn = data.trade_in as { trade_in_id?: unknown } | undefined;
  if (typeof tradeIn?.trade_in_id !== 'string') return undefined;
  const signer = await tradeInSigner(deps.db, tradeIn.trade_in_id);
  if (!signer) return undefined;
  return (await webhookSigningSecret(deps.db, deps.box, signer.accountId, signer.keyId)) ?? undefined;
}

function envelope(job: DeliveryJob, data: unknown): string {
  return JSON.stringify({ id: job.event_id, type: job.type, timestamp: wireTime(job.created_at), data });
}

/**
 * Events about orders placed on /v1 (seed 000): `data.order` is the order as GET /v1/orders/{id}
 * answers at send time (partner_order_id, the four statuses, the codes once delivered unless the
 * endpoint turned include_items off), and X-Signature is keyed with the partner's signing secret:
 * the key that placed the order, or, once that key is revoked, the account's newest live signed
 * key. An account left with no live signed key gets X-Signature keyed like the other schemes.
 */
async function partnerBodies(deps: RenderDeps, jobs: readonly DeliveryJob[], targets: Map<number, Target>): Promise<Map<number, RenderedBody>> {
  const rendered = new Map<number, RenderedBody>();
  if (!jobs.length) return rendered;
  const orders = new Map<string, OrderDetail>();
  const secrets = new Map<string, string | null>();
  for (const job of jobs) {
    let order = orders.get(job.order_id!);
    if (!order) {
      order = await loadOrderDetail(deps.db, deps.vault, job.order_id!);
      orders.set(order.id, order);
    }
    const keyId = placingKeyId(order);
    const signer = `${order.account_id}:${keyId ?? ''}`;
    if (!secrets.has(signer)) secrets.set(signer, await webhookSigningSecret(deps.db, deps.box, order.account_id, keyId));
    const view = partnerOrderView(order);
    const shown = targets.get(job.id)!.includeItems ? view : { ...view, fulfillment: { ...view.fulfillment, delivered_items: [] } };
    const signingSecret = secrets.get(signer);
    rendered.set(job.id, { body: envelope(job, { order: shown }), ...(signingSecret ? { signingSecret } : {}) });
  }
  return rendered;
}

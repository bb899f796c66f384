// Webhook administration: endpoints (create with a secret shown once, change, switch off, rotate),
// accounts' callback secrets, deliveries with their attempts, re-sending, and test events.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { EVENT_TYPES } from '../../core/events/index.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import {
  callbackSecret,
  createWebhookEndpoint,
  DELIVERY_STATUSES,
  getWebhookEndpoint,
  listDeliveries,
  listWebhookEndpoints,
  resendDelivery,
  resendFailedDeliveries,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhookEndpoint,
  type DeliveryView,
  type WebhookEndpoint,
} from '../../core/webhooks/index.js';
import { needs, type IdempotencyPolicy } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject, ShownOnce, WireTime } from '../schema-helpers.js';
import { wireTime, withWireTimes } from '../../core/clock.js';

const ADMIN = needs('admin');
const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));

const EndpointSchema = Type.Object(
  {
    id: Type.String(),
    account_id: Type.Integer(),
    url: Type.String(),
    events: Type.Array(Type.String(), { description: 'Event types sent here; empty means all.' }),
    include_items: Type.Boolean({ description: 'Order events carry the delivered codes.' }),
    enabled: Type.Boolean(),
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    failure_streak: Type.Integer({ description: 'Failed attempts in a row; the circuit breaker pauses the endpoint at SOUK_WEBHOOK_BREAKER_THRESHOLD (default 10).' }),
    paused_until: Type.Union([WireTime(), Type.Null()]),
    created_at: WireTime(),
    updated_at: WireTime(),
  },
  { $id: 'WebhookEndpoint', title: 'WebhookEndpoint' },
);
const DeliverySchema = Type.Object(
  {
    id: Type.Integer(),
    event_id: Type.String(),
    type: Type.String(),
    account_id: Type.Integer(),
    endpoint_id: Type.Union([Type.String(), Type.Null()]),
    callback_url: Type.Union([Type.String(), Type.Null()]),
    status: Type.String({ description: 'pending, sending, delivered, acked or dead.' }),
    attempts: Type.Integer(),
    next_attempt_at: Type.Union([WireTime(), Type.Null()]),
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    created_at: WireTime(),
    closed_at: Type.Union([WireTime(), Type.Null()]),
    attempt_log: Type.Array(Type.Object({ status_code: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), duration_ms: Type.Integer(), attempted_at: WireTime() })),
  },
  { $id: 'WebhookDelivery', title: 'WebhookDelivery' },
);

const CreateBody = Type.Object({
  account_id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
  url: Type.String({ minLength: 1, maxLength: 2000 }),
  events: Type.Optional(Type.Array(EventType, { maxItems: EVENT_TYPES.length, description: 'Default: every event type.' })),
  include_items: Type.Optional(Type.Boolean({ default: true })),
});
const PatchBody = Type.Object({
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  events: Type.Optional(Type.Array(EventType, { maxItems: EVENT_TYPES.length })),
  include_items: Type.Optional(Type.Boolean()),
  enabled: Type.Optional(Type.Boolean({ description: 'true also closes the circuit breaker.' })),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });
const AccountParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const DeliveryParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const ListQuery = Type.Object({ account: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID })) });
const DeliveriesQuery = Type.Object({
  endpoint: Type.Optional(Type.String({ maxLength: 40 })),
  account: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID })),
  status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'next_before from the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
const SecretAnswer = okObject({ secret: ShownOnce('`whsec_…`. Verify with any Standard Webhooks library; seed 000 X-Signature uses the same key.') });

/** A repeat with the same Idempotency-Key gets the answer without the secret. */
const SECRET_SHOWN_ONCE: IdempotencyPolicy = { kind: 'answer', shownOnce: ['secret'] };

function endpointView(endpoint: WebhookEndpoint) {
  return withWireTimes(endpoint, 'paused_until', 'created_at', 'updated_at');
}

function deliveryView(delivery: DeliveryView) {
  const attempts = delivery.attempt_log.map((attempt) => ({ ...attempt, attempted_at: wireTime(attempt.attempted_at) }));
  return { ...withWireTimes(delivery, 'next_attempt_at', 'created_at', 'closed_at'), attempt_log: attempts };
}

export async function adminWebhookRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(EndpointSchema);
  app.addSchema(DeliverySchema);
  const deps = { db: souk.db, box: souk.box, allowPrivate: souk.config.webhookAllowPrivate };
  const endpointAnswer = okObject({ endpoint: Type.Ref('WebhookEndpoint') });
  const route = (operationId: string, summary: string) => ({ tags: ['admin'], operationId, summary, security: ADMIN_SECURITY });

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/webhooks',
    {
      config: { auth: ADMIN, idempotency: SECRET_SHOWN_ONCE },
      schema: { ...route('adminCreateWebhook', 'Register a webhook endpoint for an account; its secret is shown once'), body: CreateBody, response: { 200: okObject({ endpoint: Type.Ref('WebhookEndpoint'), secret: ShownOnce('`whsec_…`, the endpoint\'s signing secret.') }), ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await createWebhookEndpoint(deps, b.account_id, { url: b.url, events: b.events, includeItems: b.include_items });
      reply.header('cache-control', 'no-store');
      return { ok: true, endpoint: endpointView(created.endpoint), secret: created.secret };
    },
  );
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/webhooks',
    { config: { auth: ADMIN }, schema: { ...route('adminListWebhooks', 'Webhook endpoints, of one account or all'), querystring: ListQuery, response: { 200: okObject({ endpoints: Type.Array(Type.Ref('WebhookEndpoint')) }), ...errorResponses(400, 401, 403) } } },
    async (request) => ({ ok: true, endpoints: (await listWebhookEndpoints(souk.db, request.query.account)).map(endpointView) }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/webhooks/:id',
    { config: { auth: ADMIN }, schema: { ...route('adminGetWebhook', 'One webhook endpoint'), params: IdParams, response: { 200: endpointAnswer, ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, endpoint: endpointView(await getWebhookEndpoint(souk.db, request.params.id)) }),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PatchBody> }>(
    '/webhooks/:id',
    { config: { auth: ADMIN }, schema: { ...route('adminUpdateWebhook', 'Change, switch off or on a webhook endpoint'), params: IdParams, body: PatchBody, response: { 200: endpointAnswer, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const b = request.body;
      return { ok: true, endpoint: endpointView(await updateWebhookEndpoint(deps, request.params.id, { url: b.url, events: b.events, includeItems: b.include_items, enabled: b.enabled })) };
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/webhooks/:id/rotate-secret',
    { config: { auth: ADMIN, idempotency: SECRET_SHOWN_ONCE }, schema: { ...route('adminRotateWebhookSecret', 'A new secret, shown once; the old one stays valid for 24 hours'), params: IdParams, response: { 200: SecretAnswer, ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { ok: true, secret: await rotateWebhookSecret(deps, request.params.id) };
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/webhooks/:id/test',
    { config: { auth: ADMIN }, schema: { ...route('adminTestWebhook', 'Send a webhook.test event to this endpoint'), params: IdParams, response: { 200: okObject({ event_id: Type.String() }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, event_id: await sendTestEvent(souk.db, request.params.id) }),
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/webhooks/:id/resend-failed',
    { config: { auth: ADMIN }, schema: { ...route('adminResendFailedWebhooks', "Re-send every dead delivery of this endpoint, and send its waiting ones now"), params: IdParams, response: { 200: okObject({ queued: Type.Integer() }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, queued: await resendFailedDeliveries(souk.db, request.params.id) }),
  );
  app.get<{ Querystring: Static<typeof DeliveriesQuery> }>(
    '/webhook-deliveries',
    {
      config: { auth: ADMIN },
      schema: { ...route('adminListWebhookDeliveries', 'Deliveries, newest first, with their attempts, status codes and errors'), querystring: DeliveriesQuery, response: { 200: okObject({ deliveries: Type.Array(Type.Ref('WebhookDelivery')), next_before: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 401, 403) } },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listDeliveries(souk.db, { endpointId: q.endpoint, accountId: q.account, status: q.status, before: q.before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { ok: true, deliveries: page.map(deliveryView), next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );
  app.post<{ Params: Static<typeof DeliveryParams> }>(
    '/webhook-deliveries/:id/resend',
    { config: { auth: ADMIN }, schema: { ...route('adminResendWebhookDelivery', 'Send one delivery again, with a fresh retry schedule'), params: DeliveryParams, response: { 200: okObject({}), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      await resendDelivery(souk.db, request.params.id);
      return { ok: true };
    },
  );
  app.post<{ Params: Static<typeof AccountParams>; Querystring: { rotate?: boolean } }>(
    '/accounts/:id/callback-secret',
    {
      config: { auth: ADMIN, idempotency: SECRET_SHOWN_ONCE },
      schema: {
        ...route('adminCallbackSecret', "The secret that signs deliveries to the callback_url of the account's orders (created on first use)"),
        params: AccountParams,
        querystring: Type.Object({ rotate: Type.Optional(Type.Boolean({ description: 'Replace it; the old one stays valid for 24 hours.' })) }),
        response: { 200: SecretAnswer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { ok: true, secret: await callbackSecret(deps, request.params.id, { rotate: request.query.rotate }) };
    },
  );
}

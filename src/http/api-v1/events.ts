// The event feed and webhook acks on the canonical API: page through your events to catch up on
// anything a callback missed, and acknowledge an event so its deliveries stop.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { EVENT_TYPES, eventDataOnWire, listAccountEvents, type FeedEvent } from '../../core/events/index.js';
import { wireTime } from '../../core/clock.js';
import { ackEvent } from '../../core/webhooks/index.js';
import { ValidationFailed } from '../../core/errors.js';
import { needs } from '../route-policy.js';
import { CALLER_SECURITY, apiErrorResponses, oneOfFields, okObject, WireTime } from '../schema-helpers.js';

const EventsQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 20, description: 'next_cursor from the previous page; omit to start from the first event.' })),
  type: Type.Optional(Type.String({ maxLength: 400, description: `Comma-separated event types: ${EVENT_TYPES.filter((t) => t !== 'webhook.test').join(', ')}.` })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

export const FeedEventSchema = Type.Object(
  {
    id: Type.String({ description: 'The event id (`evt_…`): the `webhook-id` of its deliveries, and what an ack names.' }),
    type: Type.String(),
    created_at: WireTime(),
    cursor: Type.String({ description: 'Pass as `after` to continue after this event.' }),
    data: Type.Unknown({ description: 'As in the webhook of this type (without delivered codes: fetch the order for them).' }),
  },
  { $id: 'FeedEvent', title: 'FeedEvent' },
);

export const AckBody = Type.Object(
  {
    event_id: Type.Optional(Type.String({ maxLength: 40, description: 'The event id (`evt_…`), as sent in `webhook-id` and the body `id`.' })),
    webhook_id: Type.Optional(Type.String({ maxLength: 40, description: 'The same, by its header name.' })),
    id: Type.Optional(Type.String({ maxLength: 40, description: 'The same, by its body name.' })),
  },
  { description: 'Name the event with any one of event_id, webhook_id or id.', ...oneOfFields([['event_id'], ['webhook_id'], ['id']]) },
);
export type AckBody = Static<typeof AckBody>;

export const AckAnswer = okObject({ event_id: Type.String(), closed: Type.Integer({ description: 'Deliveries this ack closed (0 when they were already closed).' }) });

export function ackedEventId(body: AckBody | undefined): string {
  const id = body?.event_id ?? body?.webhook_id ?? body?.id;
  if (!id) throw new ValidationFailed('Say which event: event_id (the webhook-id you received).', [{ field: 'event_id', message: 'is required' }]);
  return id;
}

function feedEventView(event: FeedEvent) {
  return { ...event, created_at: wireTime(event.created_at), data: eventDataOnWire(event.data) };
}

export async function eventRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(FeedEventSchema);
  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/events',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['events'],
        operationId: 'listEvents',
        summary: 'Your events in order, to catch up without callbacks',
        description:
          'Every event the account may see (its orders and wallet, and product updates), oldest first. Keep the last `next_cursor` and ask again with ' +
          '`after=<it>`; an empty page keeps the cursor where it was. Events appear here once the worker has published them (milliseconds after commit).',
        security: CALLER_SECURITY,
        querystring: EventsQuery,
        response: { 200: okObject({ events: Type.Array(Type.Ref('FeedEvent')), next_cursor: Type.Union([Type.String(), Type.Null()]), has_more: Type.Boolean() }), ...apiErrorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const types = request.query.type?.split(',').map((t) => t.trim()).filter(Boolean);
      const limit = request.query.limit ?? 100;
      const page = await listAccountEvents(souk.db, request.principal!.accountId, { after: request.query.after, types, limit: limit + 1 });
      const events = page.events.slice(0, limit).map(feedEventView);
      return { ok: true, events, next_cursor: events.at(-1)?.cursor ?? request.query.after ?? null, has_more: page.events.length > limit };
    },
  );
  app.post<{ Body: AckBody }>(
    '/webhooks/ack',
    {
      config: { auth: needs('orders:read'), reference: { kind: 'nature' }, bodySize: 'small' },
      schema: {
        tags: ['events'],
        operationId: 'ackWebhook',
        summary: 'Acknowledge an event: its deliveries to you stop',
        description: 'For receivers that answer slowly: a 2xx answer closes a delivery too. An event you did not receive is 404.',
        security: CALLER_SECURITY,
        body: AckBody,
        response: { 200: AckAnswer, ...apiErrorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({ ok: true, ...(await ackEvent(souk.db, request.principal!.accountId, ackedEventId(request.body))) }),
  );
}

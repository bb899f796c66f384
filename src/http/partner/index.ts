// Seed 000's partner profile at /v1: products, orders, order status and the webhook ack. Every
// route takes a signed API key (X-API-Key + X-Signature + X-Timestamp; see route-policy.ts), is
// limited per key like the rest of the API, and answers errors in Souk's one envelope.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { ackEvent } from '../../core/webhooks/index.js';
import { AckAnswer, AckBody, ackedEventId } from '../api-v1/events.js';
import { needsSigned } from '../route-policy.js';
import { errorResponses } from '../schema-helpers.js';
import { partnerOrderRoutes } from './orders.js';
import { partnerProductRoutes } from './products.js';
import { PARTNER_SECURITY } from './security.js';
import { PartnerOrderSchema, PartnerProductSchema } from './views.js';

export async function partnerRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.addSchema(PartnerProductSchema);
  app.addSchema(PartnerOrderSchema);
  await app.register(partnerProductRoutes, { souk });
  await app.register(partnerOrderRoutes, { souk });

  app.post<{ Body: AckBody }>(
    '/webhooks/ack',
    {
      config: { auth: needsSigned('orders:read'), reference: { kind: 'nature' }, bodySize: 'small' },
      schema: {
        tags: ['partner'],
        operationId: 'partnerAckWebhook',
        summary: 'Confirm a webhook delivery and close its retry cycle',
        description: 'Name the event by the `webhook-id` you received. An event that was not sent to you is 404.',
        security: PARTNER_SECURITY,
        body: AckBody,
        response: { 200: AckAnswer, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({ ok: true, ...(await ackEvent(souk.db, request.principal!.accountId, ackedEventId(request.body))) }),
  );
}

// Seed 000's partner profile at /v1 (X-API-Key + X-Signature + X-Timestamp). So far it holds the
// webhook ack; the rest of the profile mounts here too.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { ackEvent } from '../../core/webhooks/index.js';
import { AckAnswer, AckBody, ackedEventId } from '../api-v1/events.js';
import { needs } from '../route-policy.js';
import { errorResponses } from '../schema-helpers.js';

export async function partnerRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Body: AckBody }>(
    '/webhooks/ack',
    {
      config: { auth: needs('orders:read') },
      schema: {
        tags: ['events'],
        operationId: 'partnerAckWebhook',
        summary: 'Seed 000: confirm a webhook delivery and close its retry cycle',
        security: [{ apiKeyHeader: [] }],
        body: AckBody,
        response: { 200: AckAnswer, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({ ok: true, ...(await ackEvent(souk.db, request.principal!.accountId, ackedEventId(request.body))) }),
  );
}

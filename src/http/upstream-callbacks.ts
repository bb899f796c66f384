// POST /upstream/callbacks/{provider}: where providers post an order's status and product updates.
// The dialect verifies the signature with the provider's credentials; what a callback says is never
// taken on trust: it only hurries the order's next look at the provider, or a sync.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../app.js';
import { Unauthorized } from '../core/errors.js';
import { MAX_ROW_ID } from '../core/ids.js';
import { UpstreamFailure } from '../core/upstream/index.js';
import { PUBLIC } from './route-policy.js';
import { apiErrorResponses, okObject, PUBLIC_SECURITY } from './schema-helpers.js';

const Params = Type.Object({ provider: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });

export async function upstreamCallbackRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Params: Static<typeof Params> }>(
    '/upstream/callbacks/:provider',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['upstream'],
        operationId: 'receiveUpstreamCallback',
        summary: "A provider's signed callback (order status or product update)",
        security: PUBLIC_SECURITY,
        params: Params,
        body: Type.Object({}, { additionalProperties: true, description: "The provider's own callback body, signed as its API signs them." }),
        response: { 200: okObject({ kind: Type.String({ description: 'order or product' }) }), ...apiErrorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
      try {
        const notice = await souk.upstream.receiveCallback(request.params.provider, { headers, body: request.rawBody });
        return { ok: true, kind: notice.kind };
      } catch (error) {
        if (error instanceof UpstreamFailure) throw new Unauthorized('The callback does not verify with this provider’s credentials.');
        throw error;
      }
    },
  );
}

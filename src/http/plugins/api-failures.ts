// Records every failed request of the routes in the scope it is registered in (the order routes)
// to the API failures log, after the answer has gone out.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { recordApiFailure } from '../../core/orders/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the error handler: what the client was told. */
    failure: { code: string; message: string } | null;
  }
}

export function recordApiFailures(scope: FastifyInstance, souk: Souk) {
  scope.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode < 400 || !request.failure) return;
    await recordApiFailure(souk.db, {
      accountId: request.principal?.accountId ?? null,
      keyId: request.principal?.keyId ?? null,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      status: reply.statusCode,
      errorCode: request.failure.code,
      message: request.failure.message,
      body: request.body,
      requestId: request.id,
    }).catch((error: unknown) => request.log.error({ err: error }, 'could not record an API failure'));
  });
}

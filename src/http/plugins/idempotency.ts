// `Idempotency-Key` on authenticated POSTs: runs after authentication and validation, answers a
// repeat from the stored first answer, and stores each answer as it is sent.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Souk } from '../../app.js';
import { claimIdempotencyKey, completeIdempotencyKey } from '../../core/idempotency/index.js';
import { ValidationFailed } from '../../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

const KEY = /^[\x21-\x7e]{1,200}$/;

export const idempotencyPlugin = fp(async function idempotencyPlugin(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.decorateRequest('idempotencyKey', null);

  async function claim(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['idempotency-key'];
    if (header === undefined || !request.principal) return;
    const key = (Array.isArray(header) ? header[0] : header)?.trim().replace(/^"(.*)"$/, '$1') ?? '';
    if (!KEY.test(key)) throw new ValidationFailed('Idempotency-Key must be 1 to 200 printable ASCII characters.', [{ field: 'header Idempotency-Key', message: 'not a valid key' }]);
    const hash = createHash('sha256').update(`${request.method} ${request.url}\n${request.rawBody}`).digest('hex');
    const claimed = await claimIdempotencyKey(souk.db, request.principal.accountId, key, hash);
    if (claimed.kind === 'replay') {
      return reply.code(claimed.statusCode).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(claimed.body);
    }
    request.idempotencyKey = key;
  }

  async function remember(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (!request.idempotencyKey || !request.principal) return payload;
    const key = request.idempotencyKey;
    request.idempotencyKey = null;
    await completeIdempotencyKey(souk.db, request.principal.accountId, key, reply.statusCode, typeof payload === 'string' ? payload : '');
    return payload;
  }

  // Only POST routes get the hooks: every other request pays nothing for them.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    route.preHandler = [...toList(route.preHandler), claim];
    route.onSend = [...toList(route.onSend), remember];
  });
});

function toList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

// `Idempotency-Key` on authenticated POSTs: runs after authentication and validation, answers a
// repeat from the stored first answer, and stores each answer (sealed) as it is sent. A key belongs
// to the account the request acts for: the API key's, or the shop customer's (whose route resolves
// the customer in a preHandler of its own, which runs before this one). The route's
// `config.idempotency` says what a key does there (route-policy.ts).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Souk } from '../../app.js';
import { claimIdempotencyKey, completeIdempotencyKey } from '../../core/idempotency/index.js';
import { ValidationFailed } from '../../core/errors.js';
import type { Customer } from '../../core/customers/index.js';
import type { IdempotencyPolicy } from '../route-policy.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key this request claimed, and the account it belongs to, until the answer is stored. */
    idempotency: { accountId: number; key: string; shownOnce: readonly string[] } | null;
    /** On `order` routes: the request's Idempotency-Key, for the order to keep. */
    idempotencyKey: string | null;
    /** The shop customer behind the request's token, on shop routes that read it. */
    customer: Customer | null;
  }
}

const KEY = /^[\x21-\x7e]{1,200}$/;
const ANSWER: IdempotencyPolicy = { kind: 'answer' };

/** The request's Idempotency-Key (quotes and spaces around it dropped), or undefined; 400 if malformed. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = (Array.isArray(header) ? header[0] : header)?.trim().replace(/^"(.*)"$/, '$1') ?? '';
  if (!KEY.test(key)) throw new ValidationFailed('Idempotency-Key must be 1 to 200 printable ASCII characters.', [{ field: 'header Idempotency-Key', message: 'not a valid key' }]);
  return key;
}

/**
 * The claimed key as work can record it (`<account id>:<key>`), so work that must happen once
 * (moving money) can refuse to happen twice even if its first answer was lost with its process.
 */
export function claimedRequestKey(request: FastifyRequest): string | undefined {
  return request.idempotency ? `${request.idempotency.accountId}:${request.idempotency.key}` : undefined;
}

export const idempotencyPlugin = fp(async function idempotencyPlugin(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.decorateRequest('idempotency', null);
  app.decorateRequest('idempotencyKey', null);
  app.decorateRequest('customer', null);
  const store = { db: souk.db, box: souk.box };

  async function claim(request: FastifyRequest, reply: FastifyReply) {
    const key = idempotencyKeyOf(request);
    const accountId = request.principal?.accountId ?? request.customer?.accountId;
    if (key === undefined || accountId === undefined) return;
    const policy = request.routeOptions.config.idempotency ?? ANSWER;
    if (policy.kind === 'rerun') return;
    if (policy.kind === 'order') {
      request.idempotencyKey = key;
      return;
    }
    const hash = createHash('sha256').update(`${request.method} ${request.url}\n${request.rawBody}`).digest('hex');
    const claimed = await claimIdempotencyKey(store, accountId, key, hash);
    if (claimed.kind === 'replay') {
      return reply.code(claimed.statusCode).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(claimed.body);
    }
    request.idempotency = { accountId, key, shownOnce: policy.shownOnce ?? [] };
  }

  async function remember(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const claimed = request.idempotency;
    if (!claimed) return payload;
    request.idempotency = null;
    await completeIdempotencyKey(store, claimed.accountId, claimed.key, reply.statusCode, typeof payload === 'string' ? payload : '', claimed.shownOnce);
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

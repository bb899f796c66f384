// The canonical API at /api/v1: a superset of seed 003 with seed 001's operations.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { API_V1_CODES } from '../envelope.js';
import { sendError, sendNotFound } from '../plugins/errors.js';
import { OPEN } from '../route-policy.js';
import { WireTime } from '../schema-helpers.js';
import { nowIso, wireTime } from '../../core/clock.js';
import { accountRoutes } from './account.js';
import { authRoutes } from './auth.js';
import { catalogRoutes } from './catalog.js';
import { eventRoutes } from './events.js';
import { orderRoutes } from './orders.js';
import { topUpRoutes } from './topups.js';
import { tradeInRoutes } from './trade-ins.js';

export async function apiV1Routes(app: FastifyInstance, { souk }: { souk: Souk }) {
  // Every error of this surface, the auth plugin's and the body parser's included, in seed 003's words.
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, undefined, API_V1_CODES));
  // Its own, or the shop's at /api (which adds seed 004's `success: false`) would answer here too.
  app.setNotFoundHandler((request, reply) => sendNotFound(request, reply));
  app.get(
    '/health',
    {
      config: { auth: OPEN },
      schema: {
        tags: ['system'],
        operationId: 'health',
        summary: 'Is Souk up',
        security: [],
        response: { 200: Type.Object({ ok: Type.Literal(true), version: Type.Literal(1), database: Type.String(), time: WireTime() }) },
      },
    },
    async () => ({ ok: true, version: 1, database: souk.dialect, time: wireTime(nowIso()) }),
  );

  await app.register(catalogRoutes, { souk });
  await app.register(authRoutes, { souk });
  await app.register(accountRoutes, { souk });
  await app.register(orderRoutes, { souk });
  await app.register(eventRoutes, { souk });
  await app.register(topUpRoutes, { souk });
  await app.register(tradeInRoutes, { souk });
}

// Builds the HTTP server: cross-cutting plugins first (ids, errors, auth, limits, metrics, docs),
// then each API surface. Routes only translate; the rules live in src/core.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Souk } from './app.js';
import { ShuttingDown } from './core/errors.js';
import { applyBodySize, standardBodyLimit } from './http/body-limits.js';
import { parseJsonBody } from './http/json-body.js';
import { RouteMethods } from './http/route-methods.js';
import { addImpliedResponses } from './http/implied-responses.js';
import cookie from '@fastify/cookie';
import { authPlugin } from './http/plugins/auth.js';
import { errorsPlugin, sendError } from './http/plugins/errors.js';
import { inputPlugin } from './http/plugins/input.js';
import { metricsPlugin } from './http/plugins/metrics.js';
import { idempotencyPlugin } from './http/plugins/idempotency.js';
import { upstreamCallbackRoutes } from './http/upstream-callbacks.js';
import { zidRoutes } from './http/zid.js';
import { paymentHookRoutes } from './http/payment-hooks.js';
import { registerOpenApi } from './http/plugins/openapi.js';
import { apiV1Routes } from './http/api-v1/index.js';
import { adminRoutes } from './http/admin/index.js';
import { partnerRoutes } from './http/partner/index.js';
import { isShopPath, SHOP_ERROR_FIELDS, shopRoutes } from './http/shop/index.js';
import { CategorySchema, CategoryTypeSchema, ProductSchema } from './http/api-v1/catalog-views.js';
import { TradeInSchema } from './http/trade-in-views.js';
import { buildValidator } from './http/validators.js';
import { registerWebApps } from './http/web.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Log paths that may carry secrets; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  // Souk logs no request headers or bodies; these guard against a serializer or a debug line that
  // one day does. Explicit paths only: wildcard paths cost ~30 µs on every log line.
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-signature"]',
];

export interface ServerOptions {
  /** Where log lines go; defaults to stdout. Tests pass a stream to read them back. */
  logStream?: NodeJS.WritableStream;
  /** More metrics for /metrics (the webhook worker's, when it runs in this process). */
  metricsRegistries?: Registry[];
  /** Where the built web apps are (default dist/web); a folder without them serves a page saying to build. */
  webDir?: string;
}

/** The path a request line logs: never its query, nor the secret in a Zid store's hook URL. */
function loggedPath(url: string): string {
  return url.split('?')[0]!.replace(/^\/hooks\/zid\/[^/]+/, '/hooks/zid/…');
}

export async function buildServer(souk: Souk, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: souk.config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // One line per request, written on response by the hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: souk.config.trustProxy,
    // Per route (config.bodySize, see body-limits.ts); SOUK_BODY_LIMIT is the ceiling.
    bodyLimit: standardBodyLimit(souk.config.bodyLimitBytes),
    // Answered by the hook below instead, in the envelope every other error uses.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    // Bodies are validated without type coercion, path and query with it (validators.ts).
    schemaController: { compilersFactory: { buildValidator } },
    // Bad percent-encoding and over-long path parameters are found by the router, before any
    // route or error handler; answer them with the same envelope (the shop's, under /api).
    frameworkErrors: (error, request, reply) => sendError(request, reply, error, isShopPath(request.url) ? SHOP_ERROR_FIELDS : undefined),
  });

  // JSON bodies are parsed here so the raw text is kept for request signatures. Only JSON is
  // accepted; anything else is 415. Fastify matches the normalized header, parameters included
  // (`application/json; charset="utf-8"`); a charset, if given, must be UTF-8 (RFC 8259).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([a-z.+-]*\+)?json(; (charset="utf-8"|(?!charset=)[^=;]+="[^"]*"))*$/i, { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    request.rawBody = text;
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRoute', applyBodySize(souk.config.bodyLimitBytes));
  const routeMethods = new RouteMethods();
  app.decorate('routeMethods', routeMethods);
  app.addHook('onRoute', routeMethods.onRoute);
  app.addHook('onRoute', addImpliedResponses);

  // From the moment close() starts, a request that still arrives (on a kept-alive connection) is
  // 503 and its connection closed, while the ones in flight finish.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      throw new ShuttingDown();
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, path: loggedPath(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  // The storefront's and console's page paths: set once their folder is read, below.
  let pages: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false;
  await app.register(errorsPlugin, { pages: (request, reply) => pages(request, reply) });
  await app.register(inputPlugin);
  await app.register(metricsPlugin, { token: souk.config.metricsToken, registries: options.metricsRegistries ?? [] });
  await registerOpenApi(app, souk.config);
  for (const schema of [ProductSchema, CategorySchema, CategoryTypeSchema, TradeInSchema]) app.addSchema(schema);
  await app.register(cookie);
  await app.register(authPlugin, { souk });
  await app.register(idempotencyPlugin, { souk });
  await app.register(apiV1Routes, { prefix: '/api/v1', souk });
  await app.register(adminRoutes, { prefix: '/admin/api', souk });
  await app.register(partnerRoutes, { prefix: '/v1', souk });
  await app.register(shopRoutes, { prefix: '/api', souk });
  await app.register(upstreamCallbackRoutes, { souk });
  await app.register(zidRoutes, { souk });
  await app.register(paymentHookRoutes, { souk });
  // `/` is the storefront and `/admin` the console (web.ts); the API reference stays at /docs.
  pages = await registerWebApps(app, options.webDir);
  return app;
}

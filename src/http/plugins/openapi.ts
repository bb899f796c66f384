// The OpenAPI 3.1 document, generated from the route schemas, and an interactive reference at
// /docs whose assets are served from this process (no CDN), so it works offline. Its `servers` is
// where this Souk is reached: SOUK_PUBLIC_URL, or the address it listens on, read when the
// document is asked for (the port is known only then). A request's Host header is never used: any
// client can send any Host, and a document that repeated it would send generated clients there.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import swagger, { type SwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ApiErrorSchema, ErrorSchema } from '../envelope.js';
import { OPEN } from '../route-policy.js';
import { webhooksSection } from '../webhook-docs.js';
import { PARTNER_SECURITY_SCHEMES } from '../partner/security.js';
import type { Config } from '../../config.js';

type OpenApiDocument = NonNullable<Extract<SwaggerOptions, { openapi?: unknown }>['openapi']>;
type OpenApiWebhooks = Extract<OpenApiDocument, { webhooks?: unknown }>['webhooks'];

type Server = { url: string; description: string };

/** `http://host:port`, with an IPv6 address in brackets. */
function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where clients reach this server: the configured public URL, else the address it listens on. */
export function serverUrls(app: FastifyInstance, config: Pick<Config, 'publicUrl' | 'host' | 'port'>): Server[] {
  if (config.publicUrl) return [{ url: config.publicUrl, description: 'This Souk (SOUK_PUBLIC_URL)' }];
  const address = app.server.address() as AddressInfo | string | null;
  // Not listening (requests injected in-process): the configured address is the best there is.
  if (!address || typeof address === 'string') return [{ url: httpUrl(config.host, config.port), description: 'This Souk (HOST and PORT)' }];
  if (address.address === '0.0.0.0' || address.address === '::') {
    // Bound to every interface: loopback reaches it from this machine; only the operator knows the name others use.
    const loopback = address.family === 'IPv6' ? '::1' : '127.0.0.1';
    return [{ url: httpUrl(loopback, address.port), description: 'This Souk, from its own machine (listening on every interface; set SOUK_PUBLIC_URL to publish the address clients use)' }];
  }
  return [{ url: httpUrl(address.address, address.port), description: 'This Souk (the address it listens on)' }];
}

export async function registerOpenApi(app: FastifyInstance, config: Pick<Config, 'publicUrl' | 'host' | 'port'>) {
  app.addSchema(ErrorSchema);
  app.addSchema(ApiErrorSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Souk API',
        version: '1.0.0',
        description:
          'Souk sells digital goods (gift cards, vouchers, top-ups, license keys) to resellers over an API. ' +
          'Money is a decimal number in the stated currency; times are UTC to the second, `yyyy-MM-ddTHH:mm:ssZ`. Every error answers ' +
          '`{"ok": false, "error", "errorCode", "message", "request_id"}` with the right HTTP status.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: [
        { name: 'system', description: 'Health and status' },
        { name: 'catalog', description: 'Categories, types and products (public)' },
        { name: 'auth', description: 'Tokens for the API' },
        { name: 'account', description: 'The calling account' },
        { name: 'orders', description: 'Placing and following orders, paid from your wallet' },
        { name: 'events', description: 'The event feed and webhook acks; the webhooks themselves are under `webhooks`' },
        { name: 'admin', description: 'Shop administration (admin key or admin login)' },
        { name: 'shop', description: 'The public shop API at /api (seed 004): products, customers and their balances, orders, order lookup. Errors add `"success": false`. See docs/shop-api.md' },
        { name: 'partner', description: 'Seed 000 partner profile at /v1: every request carries X-API-Key, X-Signature (hex HMAC-SHA256 of the raw body) and X-Timestamp; see docs/partner-api.md' },
        { name: 'webhooks', description: 'What Souk POSTs to your endpoints: signed twice (Standard Webhooks and seed 000 X-Signature), retried until 2xx or ack' },
      ],
      // The section is plain JSON built from TypeBox schemas, which the swagger types cannot see through.
      webhooks: webhooksSection() as OpenApiWebhooks,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer sk_live_…`' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key in `X-API-Key`' },
          token: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from POST /api/v1/auth/token; the `Bearer` prefix is optional' },
          consoleSession: { type: 'apiKey', in: 'cookie', name: 'souk_session', description: 'A console log-in (POST /admin/api/session); a call that changes anything also sends the session\'s `X-CSRF-Token`' },
          customerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A shop customer token from POST /api/auth/login or /api/auth/register; good only on the shop API at /api' },
          ...PARTNER_SECURITY_SCHEMES,
        },
      },
    },
    refResolver: {
      buildLocalReference(json, _baseUri, _fragment, i) {
        return typeof json.$id === 'string' ? json.$id : `def-${i}`;
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: true, docExpansion: 'list' },
    staticCSP: true,
    // Nothing is fetched from elsewhere (validatorUrl is null), and plain http on a LAN address must
    // keep working, so drop the default policy's remote validator and upgrade-insecure-requests.
    transformStaticCSP: (header: string) => header.replace(' validator.swagger.io', '').replace(/\s*upgrade-insecure-requests;/, ''),
    logLevel: 'warn',
    // /docs/json and /docs/yaml: the same document as /api/v1/openapi.json.
    transformSpecification: (document) => ({ ...document, servers: serverUrls(app, config) }),
  });
  app.get('/api/v1/openapi.json', { config: { auth: OPEN }, schema: { hide: true } }, async () => ({ ...app.swagger(), servers: serverUrls(app, config) }));
}

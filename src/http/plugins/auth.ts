// Authentication, rate limits and request signatures for every route, driven by the route's
// `config.auth` policy. Credentials: `Authorization: Bearer sk_live_…`, `X-API-Key: sk_live_…`,
// or a JWT from the token endpoint, with or without the `Bearer` prefix (seed 001 sends it bare).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import '@fastify/cookie';
import type { Souk } from '../../app.js';
import {
  authenticateApiKey,
  consoleSessionOf,
  isCsrfTokenOf,
  roleAllows,
  hasScope,
  isKeyOfClosedAccount,
  looksLikeApiKey,
  principalForAccessToken,
  touchApiKey,
  verifyRequestSignature,
  type Principal,
  guardSignedRequest,
  type RequestReference,
  type VerifiedSignature,
  type ConsoleSession,
} from '../../core/accounts/index.js';
import { Forbidden, Unauthorized, UserNotFound } from '../../core/errors.js';
import { spendRateLimit } from '../rate-limit.js';
import type { RoutePolicy } from '../route-policy.js';
import { idempotencyKeyOf } from './idempotency.js';
import { adminActionOf } from '../admin/roles.js';

/** The cookie a console session lives in (http/admin/session.ts sets it). */
export const SESSION_COOKIE = 'souk_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The signing material of the key behind the request, for the signature check. */
    signing: { keyId: string; signingSecret: string | null; requireSignature: boolean } | null;
    /** The request's checked signature, until its replay check (after validation). */
    signed: VerifiedSignature | null;
    rawBody: string;
    /** The console session behind the request, when it came with the session cookie. */
    consoleSession: ConsoleSession | null;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;

type Presented = { kind: 'key'; value: string } | { kind: 'jwt'; value: string } | { kind: 'none' } | { kind: 'malformed' };

function presentedCredentials(request: FastifyRequest): Presented {
  const authorization = request.headers.authorization?.trim();
  const apiKeyHeader = request.headers['x-api-key'];
  const raw = authorization ?? (typeof apiKeyHeader === 'string' ? apiKeyHeader.trim() : undefined);
  if (raw === undefined || raw === '') return { kind: 'none' };
  const value = /^bearer\s+/i.test(raw) ? raw.replace(/^bearer\s+/i, '') : raw;
  if (looksLikeApiKey(value)) return { kind: 'key', value };
  if (authorization !== undefined && JWT_SHAPE.test(value)) return { kind: 'jwt', value };
  return { kind: 'malformed' };
}

/** What makes a request idempotent, for the signature check: see RequestReference (route-policy.ts). */
function referenceOf(request: FastifyRequest): RequestReference {
  const declared = request.routeOptions.config.reference;
  if (declared?.kind === 'nature') return { kind: 'signed' };
  if (declared?.kind === 'body') {
    const body: unknown = request.body;
    const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[declared.field] : undefined;
    if (typeof value === 'string' && value !== '') return { kind: 'signed' };
  }
  const key = idempotencyKeyOf(request);
  return key === undefined ? { kind: 'none' } : { kind: 'header', key };
}

export const authPlugin = fp(async function authPlugin(app: FastifyInstance, options: { souk: Souk }) {
  const { souk } = options;
  app.decorateRequest('principal', null);
  app.decorateRequest('signing', null);
  app.decorateRequest('signed', null);
  app.decorateRequest('rawBody', '');
  app.decorateRequest('consoleSession', null);

  const limit = (reply: FastifyReply, bucket: string, id: string, points: number) => spendRateLimit(souk.limits, reply, { bucket, id, limit: points });

  async function authenticate(presented: Presented, policy: RoutePolicy) {
    if (presented.kind === 'key') {
      const credentials = await authenticateApiKey(souk.db, souk.box, presented.value);
      if (!credentials && policy.kind === 'key' && policy.closedAccount404 && (await isKeyOfClosedAccount(souk.db, presented.value))) throw new UserNotFound();
      if (!credentials) throw new Unauthorized('The API key is not valid or has been revoked.');
      return credentials;
    }
    if (presented.kind === 'jwt') {
      return principalForAccessToken(souk, presented.value);
    }
    throw new Unauthorized('Send an API key (Authorization: Bearer sk_live_… or X-API-Key) or a token from POST /api/v1/auth/token.');
  }

  /** A login with a role (the admin account's) may only take the actions its role allows, on any route. */
  function requireRole(request: FastifyRequest): void {
    const role = request.principal?.role;
    if (!role) return;
    const action = adminActionOf(request.method, request.routeOptions.url ?? '');
    if (!roleAllows(role, action)) {
      throw new Forbidden(action === 'own' ? `Only an owner may do this; this login is ${role === 'viewer' ? 'a viewer' : 'an operator'}.` : 'This login is a viewer: it may look, not change anything.');
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    const policy: RoutePolicy = request.routeOptions.config.auth ?? { kind: 'open' };
    if (policy.kind === 'open') return;
    const presented = presentedCredentials(request);
    if (policy.kind === 'login' || policy.kind === 'shop' || (policy.kind === 'public' && presented.kind === 'none')) {
      await limit(reply, 'ip', request.ip, souk.config.ipRateLimitPerMinute);
      return;
    }
    // A console session (its cookie) opens the admin API only, and only with its CSRF token on
    // anything that changes state: a page elsewhere can make the browser send the cookie, not the token.
    const sessionToken = request.cookies[SESSION_COOKIE];
    if (presented.kind === 'none' && sessionToken && policy.kind === 'key' && policy.scope === 'admin') {
      const opened = await consoleSessionOf(souk.db, sessionToken);
      if (!opened) {
        await limit(reply, 'ip', request.ip, souk.config.ipRateLimitPerMinute);
        throw new Unauthorized('The console session has ended: log in again.');
      }
      if (!SAFE_METHODS.has(request.method) && !isCsrfTokenOf(sessionToken, header(request, 'x-csrf-token'))) {
        throw new Forbidden('Send the session\'s CSRF token in X-CSRF-Token (GET /admin/api/session gives it).');
      }
      request.principal = opened.principal;
      request.consoleSession = opened.session;
      await limit(reply, 'key', `user:${opened.principal.userId}`, opened.principal.rateLimitPerMinute ?? souk.limits.defaultKeyLimit());
      requireRole(request);
      return;
    }
    if (presented.kind === 'none' || presented.kind === 'malformed') {
      // Failed attempts spend the IP's budget, so guessing keys is throttled like anything else.
      await limit(reply, 'ip', request.ip, souk.config.ipRateLimitPerMinute);
      throw new Unauthorized(
        presented.kind === 'none'
          ? 'Send an API key (Authorization: Bearer sk_live_… or X-API-Key) or a token from POST /api/v1/auth/token.'
          : 'The credentials are not an API key (sk_live_…) or a token.',
      );
    }
    let credentials;
    try {
      credentials = await authenticate(presented, policy);
    } catch (error) {
      await limit(reply, 'ip', request.ip, souk.config.ipRateLimitPerMinute);
      throw error;
    }
    const { principal } = credentials;
    request.principal = principal;
    const budgetId = principal.keyId ?? `user:${principal.userId}`;
    await limit(reply, 'key', budgetId, principal.rateLimitPerMinute ?? souk.limits.defaultKeyLimit());
    if (policy.kind === 'key' && !hasScope(principal, policy.scope)) {
      throw new Forbidden(`This key lacks the ${policy.scope} scope.`);
    }
    requireRole(request);
    const signedOnly = policy.kind === 'key' && policy.signed === true;
    if (signedOnly && (!principal.keyId || !credentials.signingSecret)) {
      throw new Unauthorized('This API signs every request: use an API key created with a signing secret (souk key create --signed) in X-API-Key, with X-Signature and X-Timestamp.');
    }
    if (principal.keyId) {
      request.signing = { keyId: principal.keyId, signingSecret: credentials.signingSecret, requireSignature: credentials.requireSignature || signedOnly };
      touchApiKey(souk.db, principal.keyId).catch((error: unknown) => request.log.warn({ err: error }, 'could not record key use'));
    }
  });

  // After the body is read (the signature covers its raw bytes), before it is validated.
  app.addHook('preValidation', async (request) => {
    if (!request.signing) return;
    request.signed = verifyRequestSignature(
      { method: request.method, path: request.url, rawBody: request.rawBody, signature: header(request, 'x-signature'), timestamp: header(request, 'x-timestamp') },
      request.signing,
      souk.config.signatureWindowSeconds,
    );
  });

  // After validation, so a seed 000 client that left out a required field hears which (400);
  // before any route's own preHandler (the Idempotency-Key claim) and the handler.
  app.addHook('preHandler', async (request) => {
    if (request.signed) await guardSignedRequest(request.signed, referenceOf(request), souk.replayGuard);
  });
});

// Console log-in at /admin/api/session: a login of the admin account trades its username and
// password for an HttpOnly cookie session; the answer carries the CSRF token the console sends on
// every state-changing call. Repeated attempts from one address for one login are throttled.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { endConsoleSession, openConsoleSession, type ConsoleSession } from '../../core/accounts/index.js';
import { NotFound } from '../../core/errors.js';
import { wireTime } from '../../core/clock.js';
import { spendRateLimit } from '../rate-limit.js';
import { LOGIN, needs } from '../route-policy.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { ADMIN_SECURITY, errorResponses, NO_SECURITY, okObject, WireTime } from '../schema-helpers.js';

const LogIn = Type.Object({ username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
const SessionView = {
  user: Type.Object({ id: Type.Integer(), username: Type.String(), role: Type.Union([Type.Literal('owner'), Type.Literal('operator'), Type.Literal('viewer')]) }),
  csrf_token: Type.String({ description: 'Send it in `X-CSRF-Token` on every call that changes anything.' }),
  expires_at: WireTime(),
};
const view = (session: ConsoleSession) => ({ ok: true as const, user: session.user, csrf_token: session.csrfToken, expires_at: wireTime(session.expiresAt) });

function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  // Secure whenever the browser reached Souk over TLS (directly, or through a trusted proxy).
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https', maxAge: maxAgeSeconds };
}

/** The console's session routes. */
export async function adminSessionRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Body: Static<typeof LogIn> }>(
    '/session',
    {
      config: { auth: LOGIN, bodySize: 'small' },
      schema: {
        tags: ['admin'],
        operationId: 'adminLogIn',
        summary: 'Log in to the console',
        description: 'Sets the `souk_session` cookie (HttpOnly, SameSite=Strict, Secure over TLS). Only logins of the admin account may; repeated failures from one address for one login are throttled (429).',
        security: NO_SECURITY,
        body: LogIn,
        response: { 200: okObject(SessionView), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      await spendRateLimit(souk.limits, reply, { bucket: 'login', id: `${request.ip}|console:${request.body.username.trim().toLowerCase()}`, limit: souk.config.loginRateLimitPerMinute, headers: 'refused' });
      const { token, session } = await openConsoleSession(souk.db, { ...request.body, ip: request.ip, ttlSeconds: souk.config.consoleSessionTtlSeconds });
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(request, souk.config.consoleSessionTtlSeconds));
      return view(session);
    },
  );
  app.get(
    '/session',
    { config: { auth: needs('admin') }, schema: { tags: ['admin'], operationId: 'adminSession', summary: 'The console session: who is logged in, their role and the CSRF token', security: ADMIN_SECURITY, response: { 200: okObject(SessionView), ...errorResponses(401, 403, 404, 429) } } },
    async (request) => view(sessionOf(request)),
  );
  app.delete(
    '/session',
    { config: { auth: needs('admin') }, schema: { tags: ['admin'], operationId: 'adminLogOut', summary: 'Log out: the session ends and its cookie is cleared', security: ADMIN_SECURITY, response: { 200: okObject({}), ...errorResponses(401, 403, 404, 429) } } },
    async (request, reply: FastifyReply) => {
      sessionOf(request);
      await endConsoleSession(souk.db, request.cookies[SESSION_COOKIE]!);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request, 0));
      return { ok: true as const };
    },
  );
}

function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw new NotFound('There is no console session: this call was made with a key or token.');
  return request.consoleSession;
}

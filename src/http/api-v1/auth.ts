// Tokens: POST /auth/token with a username + password or a key id + the API key itself;
// POST /auth/refresh trades a refresh token for a new pair, once (core/accounts/token-families.ts).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { NO_SECURITY, apiErrorResponses, oneOfFields, WireTime } from '../schema-helpers.js';
import { issueTokensFor, refreshTokens, tokenLoginOf } from '../../core/accounts/index.js';
import { LOGIN } from '../route-policy.js';
import { spendRateLimit } from '../rate-limit.js';

const TokenRequest = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    key_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'The API key (sk_live_…) whose id is key_id.' })),
  },
  { description: 'Either username + password, or key_id + secret.', ...oneOfFields([['username', 'password'], ['key_id', 'secret']], { only: true }) },
);

const TokenResponse = Type.Object({
  ok: Type.Literal(true),
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>` or bare `Authorization: <token>`.' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
  expires_at: WireTime(),
  refresh_token: Type.String(),
  refresh_expires_in: Type.Integer(),
});


export async function authRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.post<{ Body: Static<typeof TokenRequest> }>(
    '/auth/token',
    {
      config: { auth: LOGIN, bodySize: 'small' },
      schema: {
        tags: ['auth'],
        operationId: 'createToken',
        summary: 'Generate a token',
        description: 'A short-lived JWT for the API. Repeated failures from one address for one login are throttled.',
        security: NO_SECURITY,
        body: TokenRequest,
        response: { 200: TokenResponse, ...apiErrorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { username, password, key_id: keyId, secret } = request.body;
      const login = tokenLoginOf({ username, password, keyId, secret });
      // A refusal is the login guard's, so its policy is what the headers then describe.
      await spendRateLimit(souk.limits, reply, { bucket: 'login', id: `${request.ip}|${login.name}`, limit: souk.config.loginRateLimitPerMinute, headers: 'refused' });
      return { ok: true, ...(await issueTokensFor(souk, login)) };
    },
  );

  const RefreshRequest = Type.Object({ refresh_token: Type.String({ minLength: 10, maxLength: 2000 }) });
  app.post<{ Body: Static<typeof RefreshRequest> }>(
    '/auth/refresh',
    {
      config: { auth: LOGIN, bodySize: 'small' },
      schema: {
        tags: ['auth'],
        operationId: 'refreshToken',
        summary: 'Refresh a token',
        description:
          'A new token pair for a refresh token, while the key or login behind it is still live. Each refresh token works once: ' +
          'use the new one from the answer. A used one sent again is 401 and revokes every token of its login (log in again).',
        security: NO_SECURITY,
        body: RefreshRequest,
        response: { 200: TokenResponse, ...apiErrorResponses(400, 401, 429) },
      },
    },
    async (request) => ({ ok: true, ...(await refreshTokens(souk, request.body.refresh_token)) }),
  );
}

// Seed 004's users: register and log in with an e-mail and password for a customer token, and
// see the two balances. Logins are throttled per (IP, e-mail), registrations per IP.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { customerBalances, EMAIL_PATTERN, logInCustomer, MIN_PASSWORD_LENGTH, registerAndLogIn } from '../../core/customers/index.js';
import { minorToDecimal } from '../../core/money.js';
import { spendRateLimit } from '../rate-limit.js';
import { SHOP } from '../route-policy.js';
import { requiredCustomer } from './customer-token.js';
import { shopErrors, successObject } from './views.js';

const Credentials = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320, description: 'The e-mail to log in with (compared case-insensitively).' }),
  password: Type.String({ minLength: 1, maxLength: 1000, description: 'At least 10 characters when registering.' }),
});
type Credentials = Static<typeof Credentials>;

/** What registration checks (core/customers), stated for clients: an e-mail address and a password of MIN_PASSWORD_LENGTH or more. */
const Registration = Type.Object({
  email: Type.String({ maxLength: 320, pattern: EMAIL_PATTERN, description: 'An e-mail address (spaces around it are dropped; compared case-insensitively).' }),
  password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000, description: `At least ${MIN_PASSWORD_LENGTH} characters.` }),
});

const TokenAnswer = successObject({
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>` for balance payments and GET /api/auth/me. Good only on this shop API.' }),
  expires_in: Type.Integer({ description: 'Seconds until the token expires; then log in again.' }),
});

const CUSTOMER_SECURITY = [{ customerToken: [] }];

export async function customerRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  // Beside the route's own (per address) limit, whose headers describe the answers this lets through.
  const guard = (reply: FastifyReply, bucket: string, id: string) =>
    spendRateLimit(souk.limits, reply, { bucket, id, limit: souk.config.loginRateLimitPerMinute, headers: 'refused' });
  const tokenDeps = { db: souk.db, tokens: souk.tokens, ttlSeconds: souk.config.customerTokenTtlSeconds };
  const answer = (issued: { token: string; expires_in: number }) => ({ success: true as const, token: issued.token, expires_in: issued.expires_in });

  app.post<{ Body: Credentials }>(
    '/auth/register',
    {
      config: { auth: SHOP, bodySize: 'small' },
      // Per address only, so before the body is read: a throttled address costs no parsing.
      onRequest: async (request, reply) => guard(reply, 'register', request.ip),
      schema: {
        tags: ['shop'],
        operationId: 'shopRegister',
        summary: 'Register a customer and get a token',
        description:
          'Creates the customer with a balance in the shop\'s currency (CNY unless SOUK_SHOP_CURRENCY says otherwise) and a USD balance (balance_crypto), both empty; the shop tops them up. ' +
          'An e-mail already registered is 409 email_taken. Registrations from one address are throttled like logins.',
        security: [],
        body: Registration,
        response: { 200: TokenAnswer, ...shopErrors(400, 409, 429) },
      },
    },
    async (request) => answer(await registerAndLogIn(tokenDeps, request.body, souk.config.shopCurrency)),
  );

  app.post<{ Body: Credentials }>(
    '/auth/login',
    {
      config: { auth: SHOP, bodySize: 'small' },
      schema: {
        tags: ['shop'],
        operationId: 'shopLogin',
        summary: 'Log in and get a customer token',
        description: 'A wrong e-mail or password is 401. Repeated attempts from one address for one e-mail are throttled (429).',
        security: [],
        body: Credentials,
        response: { 200: TokenAnswer, ...shopErrors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await guard(reply, 'login', `${request.ip}|customer:${request.body.email.trim().toLowerCase()}`);
      return answer(await logInCustomer(tokenDeps, request.body));
    },
  );

  app.get(
    '/auth/me',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopMe',
        summary: "The logged-in customer and both balances",
        security: CUSTOMER_SECURITY,
        response: {
          200: successObject({
            user: Type.Object({
              email: Type.String(),
              balance: Type.Number({ description: "Balance in the shop's currency, CNY by default (balance_cny payments)." }),
              balance_crypto: Type.Number({ description: 'USD balance (balance_crypto payments).' }),
            }),
          }),
          ...shopErrors(401, 429),
        },
      },
    },
    async (request) => {
      const balances = await customerBalances(souk.db, await requiredCustomer(souk, request), souk.config.shopCurrency);
      return {
        success: true,
        user: {
          email: balances.email,
          balance: minorToDecimal(balances.balanceMinor, balances.balanceCurrency),
          balance_crypto: minorToDecimal(balances.balanceCryptoMinor, balances.balanceCryptoCurrency),
        },
      };
    },
  );
}

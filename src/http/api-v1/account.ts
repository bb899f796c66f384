// GET /me: the calling account, as seed 003 and seed 001 describe it.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { CALLER_SECURITY, errorResponses } from '../schema-helpers.js';
import { getAccount } from '../../core/accounts/index.js';
import { minorToDecimal } from '../../core/money.js';
import { needs } from '../route-policy.js';


export async function accountRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get(
    '/me',
    {
      config: { auth: needs('account:read') },
      schema: {
        tags: ['account'],
        operationId: 'getMe',
        summary: 'Account details',
        security: CALLER_SECURITY,
        response: {
          200: Type.Object({
            ok: Type.Literal(true),
            account_id: Type.Integer(),
            name: Type.String(),
            kind: Type.String(),
            currency: Type.String({ description: "The account's currency." }),
            api_key_id: Type.Union([Type.String(), Type.Null()], { description: 'The key used for this request, if any.' }),
            scopes: Type.Array(Type.String()),
            credit_limit: Type.Number({ description: 'How far the wallet may go below zero, a decimal in `currency`.' }),
            rate_limit_per_minute: Type.Integer(),
          }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const account = await getAccount(souk.db, principal.accountId);
      return {
        ok: true,
        account_id: account.id,
        name: account.name,
        kind: account.kind,
        currency: account.currency,
        api_key_id: principal.keyId,
        scopes: [...principal.scopes],
        credit_limit: minorToDecimal(account.credit_limit_minor, account.currency),
        rate_limit_per_minute: account.rate_limit_per_minute ?? souk.config.keyRateLimitPerMinute,
      };
    },
  );
}

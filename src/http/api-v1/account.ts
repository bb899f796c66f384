// GET /me: the calling account, as seed 003 and seed 001 describe it. A key of a closed account
// (one that no longer exists) is seed 003's 404 user_not_found here, 401 everywhere else.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { CALLER_SECURITY, apiErrorResponses } from '../schema-helpers.js';
import { getAccount } from '../../core/accounts/index.js';
import { formatMinor, minorToDecimal } from '../../core/money.js';
import { heldForOrders } from '../../core/orders/index.js';
import { accountBalances, valueIn } from '../../core/wallets/index.js';
import { needs } from '../route-policy.js';

/** Seed 003's "internal" currency: `user.balance` is always in it, whatever the account's. */
const INTERNAL_CURRENCY = 'USD';

export async function accountRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get(
    '/me',
    {
      config: { auth: { ...needs('account:read'), closedAccount404: true } },
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
            balance: Type.Number({ description: 'Balance of the wallet in `currency`.' }),
            balance_display: Type.String({ description: 'The balance formatted for people, e.g. "12.50 USD".' }),
            credit_limit: Type.Number({ description: 'How far that wallet may go below zero.' }),
            available: Type.Number({ description: 'balance + credit_limit: what orders can spend now.' }),
            held: Type.Number({ description: 'Taken from the balance for orders still being bought from a provider: kept when they are delivered, given back when they are not.' }),
            balances: Type.Array(
              Type.Object({ currency: Type.String(), balance: Type.Number(), credit_limit: Type.Number(), available: Type.Number(), held: Type.Number(), balance_display: Type.String() }),
              { description: 'Every wallet of the account, one per currency.' },
            ),
            user: Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              balance: Type.Union([Type.String(), Type.Null()], {
                description:
                  "Seed 003's internal balance: the main wallet's balance in USD as a decimal string (\"12.50\"), whatever the account's currency, " +
                  "converted at the shop's rate (rounded down); null when the shop has set no rate between the account's currency and USD.",
              }),
              balance_display: Type.String({ description: 'The same as the top-level `balance_display`, in the account currency.' }),
            }),
            api_key_id: Type.Union([Type.String(), Type.Null()], { description: 'The key used for this request, if any.' }),
            scopes: Type.Array(Type.String()),
            rate_limit_per_minute: Type.Integer(),
          }),
          ...apiErrorResponses(401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const account = await getAccount(souk.db, principal.accountId);
      const [{ main, wallets }, held] = await Promise.all([accountBalances(souk.db, account), heldForOrders(souk.db, account.id)]);
      const display = (minor: number, currency: string) => `${formatMinor(minor, currency)} ${currency}`;
      const internalMinor = await valueIn(souk.db, main.balance_minor, main.currency, INTERNAL_CURRENCY);
      return {
        ok: true,
        account_id: account.id,
        name: account.name,
        kind: account.kind,
        currency: account.currency,
        balance: minorToDecimal(main.balance_minor, main.currency),
        balance_display: display(main.balance_minor, main.currency),
        credit_limit: minorToDecimal(main.credit_limit_minor, main.currency),
        available: minorToDecimal(main.balance_minor + main.credit_limit_minor, main.currency),
        held: minorToDecimal(held.get(main.currency) ?? 0, main.currency),
        balances: wallets.map((w) => ({
          currency: w.currency,
          balance: minorToDecimal(w.balance_minor, w.currency),
          credit_limit: minorToDecimal(w.credit_limit_minor, w.currency),
          available: minorToDecimal(w.balance_minor + w.credit_limit_minor, w.currency),
          held: minorToDecimal(held.get(w.currency) ?? 0, w.currency),
          balance_display: display(w.balance_minor, w.currency),
        })),
        user: {
          id: account.id,
          name: account.name,
          balance: internalMinor === undefined ? null : formatMinor(internalMinor, INTERNAL_CURRENCY),
          balance_display: display(main.balance_minor, main.currency),
        },
        api_key_id: principal.keyId,
        scopes: [...principal.scopes],
        rate_limit_per_minute: account.rate_limit_per_minute ?? souk.config.keyRateLimitPerMinute,
      };
    },
  );
}

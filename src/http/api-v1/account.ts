// GET /me: the calling account, as seed 003 and seed 001 describe it.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { CALLER_SECURITY, errorResponses } from '../schema-helpers.js';
import { getAccount } from '../../core/accounts/index.js';
import { formatMinor, minorToDecimal } from '../../core/money.js';
import { ensureWallet, listWallets } from '../../core/wallets/index.js';
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
            balance: Type.Number({ description: 'Balance of the wallet in `currency`.' }),
            balance_display: Type.String({ description: 'The balance formatted for people, e.g. "12.50 USD".' }),
            credit_limit: Type.Number({ description: 'How far that wallet may go below zero.' }),
            available: Type.Number({ description: 'balance + credit_limit: what orders can spend now.' }),
            balances: Type.Array(
              Type.Object({ currency: Type.String(), balance: Type.Number(), credit_limit: Type.Number(), available: Type.Number(), balance_display: Type.String() }),
              { description: 'Every wallet of the account, one per currency.' },
            ),
            user: Type.Object({ id: Type.Integer(), name: Type.String(), balance: Type.String({ description: 'Seed 003: the balance as a decimal string.' }), balance_display: Type.String() }),
            api_key_id: Type.Union([Type.String(), Type.Null()], { description: 'The key used for this request, if any.' }),
            scopes: Type.Array(Type.String()),
            rate_limit_per_minute: Type.Integer(),
          }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const account = await getAccount(souk.db, principal.accountId);
      let wallets = await listWallets(souk.db, account.id);
      let main = wallets.find((w) => w.currency === account.currency);
      if (!main) {
        // First look at a new account: its main wallet is created empty.
        main = await ensureWallet(souk.db, account.id, account.currency);
        wallets = [main, ...wallets];
      }
      const display = (minor: number, currency: string) => `${formatMinor(minor, currency)} ${currency}`;
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
        balances: wallets.map((w) => ({
          currency: w.currency,
          balance: minorToDecimal(w.balance_minor, w.currency),
          credit_limit: minorToDecimal(w.credit_limit_minor, w.currency),
          available: minorToDecimal(w.balance_minor + w.credit_limit_minor, w.currency),
          balance_display: display(w.balance_minor, w.currency),
        })),
        user: { id: account.id, name: account.name, balance: formatMinor(main.balance_minor, main.currency), balance_display: display(main.balance_minor, main.currency) },
        api_key_id: principal.keyId,
        scopes: [...principal.scopes],
        rate_limit_per_minute: account.rate_limit_per_minute ?? souk.config.keyRateLimitPerMinute,
      };
    },
  );
}

// The settings Souk was started with that the console shows but cannot change: the shop's currency
// (prices, wallets and past orders are in it, so it is fixed at start by SOUK_SHOP_CURRENCY) and
// how mail leaves (SOUK_SMTP_URL's host and port, never its credentials; SOUK_MAIL_FROM).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { mailSettingsView } from '../../core/mail/index.js';
import { needs } from '../route-policy.js';
import { ADMIN_SECURITY, errorResponses, okObject } from '../schema-helpers.js';

const ADMIN = needs('admin');
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const SettingsAnswer = okObject({
  shop_currency: Type.Object({
    currency: Type.String({ description: "The shop profile's currency at /api: its prices and the balance balance_cny pays from." }),
    setting: Type.Literal('SOUK_SHOP_CURRENCY', { description: 'Where it is set: the environment Souk starts with (changing it while running would reprice wallets and orders).' }),
  }),
  mail: Type.Object({
    transport: Type.Union([Type.Literal('smtp'), Type.Literal('smtps'), Type.Literal('files')], { description: 'files: no SMTP server set, mails are written as .eml files under <data dir>/mail/.' }),
    host: Nullable(Type.String()),
    port: Nullable(Type.Integer()),
    from: Type.String(),
    settings: Type.Array(Type.String(), { description: 'Where these are set (environment settings; the SMTP user and password are never shown).' }),
  }),
});

export async function adminSettingsRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get(
    '/settings',
    {
      config: { auth: ADMIN },
      schema: { tags: ['admin'], operationId: 'adminGetSettings', summary: 'The shop currency and mail settings Souk runs with (set in its environment)', security: ADMIN_SECURITY, response: { 200: SettingsAnswer, ...errorResponses(401, 403) } },
    },
    async () => ({
      ok: true as const,
      shop_currency: { currency: souk.config.shopCurrency, setting: 'SOUK_SHOP_CURRENCY' as const },
      mail: { ...mailSettingsView(souk.config), settings: ['SOUK_SMTP_URL', 'SOUK_MAIL_FROM'] },
    }),
  );
}

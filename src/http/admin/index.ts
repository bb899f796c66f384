// The admin API at /admin/api, for the console and for scripts holding an admin key.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { adminAccountRoutes } from './accounts.js';
import { adminCatalogRoutes } from './catalog.js';
import { adminCouponRoutes } from './coupons.js';
import { adminMailRoutes } from './mails.js';
import { adminOrderRoutes } from './orders.js';
import { adminPaymentRoutes } from './payments.js';
import { adminProviderRoutes } from './providers.js';
import { adminReviewRoutes } from './reviews.js';
import { adminStockRoutes } from './stock.js';
import { adminWalletRoutes } from './wallets.js';
import { adminWebhookRoutes } from './webhooks.js';
import { adminZidRoutes } from './zid.js';
import { adminSessionRoutes } from './session.js';
import { adminSettingsRoutes } from './settings.js';
import { adminLoginRoutes } from './logins.js';
import { adminTradeInRoutes } from './trade-ins.js';
import { adminDashboardRoutes } from './dashboard.js';

export async function adminRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  await app.register(adminSessionRoutes, { souk });
  await app.register(adminCatalogRoutes, { souk });
  await app.register(adminAccountRoutes, { souk });
  await app.register(adminLoginRoutes, { souk });
  await app.register(adminStockRoutes, { souk });
  await app.register(adminWalletRoutes, { souk });
  await app.register(adminOrderRoutes, { souk });
  await app.register(adminWebhookRoutes, { souk });
  await app.register(adminCouponRoutes, { souk });
  await app.register(adminMailRoutes, { souk });
  await app.register(adminProviderRoutes, { souk });
  await app.register(adminZidRoutes, { souk });
  await app.register(adminPaymentRoutes, { souk });
  await app.register(adminReviewRoutes, { souk });
  await app.register(adminTradeInRoutes, { souk });
  await app.register(adminSettingsRoutes, { souk });
  await app.register(adminDashboardRoutes, { souk });
}

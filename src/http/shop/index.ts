// Seed 004's public shop API at /api: products (and, a Souk extension, their categories), customers
// (register, login, balances), orders paid from a customer's balance, order lookup and status, and
// payment configuration. Every error body adds seed 004's `"success": false` to the shared envelope.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { sendError, sendNotFound } from '../plugins/errors.js';
import { catalogRoutes } from './catalog.js';
import { categoryRoutes, ShopCategorySchema } from './categories.js';
import { customerRoutes } from './customers.js';
import { orderRoutes } from './orders.js';
import { shopTopUpRoutes, ShopTopUpSchema } from './topups.js';
import { ShopErrorSchema, ShopOrderSchema, ShopOrderStatusSchema, ShopPaymentSchema, ShopProductSchema } from './views.js';

/** What seed 004 adds to every error body. */
export const SHOP_ERROR_FIELDS = { success: false } as const;

/** Whether a request path is the shop profile's (/api, but not the canonical API at /api/v1). */
export function isShopPath(url: string): boolean {
  return /^\/api(?:[/?#]|$)/.test(url) && !/^\/api\/v1(?:[/?#]|$)/.test(url);
}

export async function shopRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  for (const schema of [ShopErrorSchema, ShopProductSchema, ShopPaymentSchema, ShopOrderSchema, ShopOrderStatusSchema, ShopTopUpSchema, ShopCategorySchema]) app.addSchema(schema);
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, SHOP_ERROR_FIELDS));
  // Unknown paths under /api too: a seed 004 client tests `success` on every answer.
  app.setNotFoundHandler((request, reply) => sendNotFound(request, reply, SHOP_ERROR_FIELDS));
  await app.register(catalogRoutes, { souk });
  await app.register(categoryRoutes, { souk });
  await app.register(customerRoutes, { souk });
  await app.register(orderRoutes, { souk });
  await app.register(shopTopUpRoutes, { souk });
}

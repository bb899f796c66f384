// Seed 004's public shop API at /api: products, customers (register, login, balances), orders
// paid from a customer's balance, order lookup and status, and payment configuration. Every error
// body adds seed 004's `"success": false` to the shared envelope.
import type { FastifyInstance } from 'fastify';
import type { Souk } from '../../app.js';
import { sendError } from '../plugins/errors.js';
import { catalogRoutes } from './catalog.js';
import { customerRoutes } from './customers.js';
import { orderRoutes } from './orders.js';
import { ShopErrorSchema, ShopOrderSchema, ShopOrderStatusSchema, ShopProductSchema } from './views.js';

export async function shopRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  for (const schema of [ShopErrorSchema, ShopProductSchema, ShopOrderSchema, ShopOrderStatusSchema]) app.addSchema(schema);
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error, { success: false }));
  await app.register(catalogRoutes, { souk });
  await app.register(customerRoutes, { souk });
  await app.register(orderRoutes, { souk });
}

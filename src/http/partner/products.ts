// Seed 000: GET /v1/products, the active catalog for a partner's storefront, from the in-memory
// catalog snapshot (the same reader as the canonical API).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { queryCatalog } from '../../core/catalog/index.js';
import { needsSigned } from '../route-policy.js';
import { errorResponses, okObject } from '../schema-helpers.js';
import { PARTNER_SECURITY } from './security.js';
import { partnerProductView } from './views.js';

export const PARTNER_PAGE_SIZE = 50;
export const PARTNER_MAX_PAGE_SIZE = 200;

const ProductsQuery = Type.Object({
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'Category slug (e.g. `ff-id`); includes its subcategories. An unknown slug lists nothing.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PARTNER_MAX_PAGE_SIZE, default: PARTNER_PAGE_SIZE, description: `Products per page, 1 to ${PARTNER_MAX_PAGE_SIZE}.` })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: '`next_cursor` of the previous page.' })),
});

export async function partnerProductRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get<{ Querystring: Static<typeof ProductsQuery> }>(
    '/products',
    {
      config: { auth: needsSigned('catalog:read') },
      schema: {
        tags: ['partner'],
        operationId: 'partnerListProducts',
        summary: 'Active products for your storefront',
        description: 'Ordered by product id, a page at a time. `limit` outside 1..200 is 400.',
        security: PARTNER_SECURITY,
        querystring: ProductsQuery,
        response: {
          200: okObject({ products: Type.Array(Type.Ref('PartnerProduct')), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const { category, limit, cursor } = request.query;
      const page = queryCatalog(await souk.catalog.snapshot(), { category, limit, cursor });
      return { ok: true, products: page.entries.map(partnerProductView), next_cursor: page.nextCursor };
    },
  );
}

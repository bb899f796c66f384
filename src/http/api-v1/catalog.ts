// Public catalog reads: seed 003's GET /products, seed 001's categories, types and product detail.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { PUBLIC_SECURITY, apiErrorResponses } from '../schema-helpers.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, findCatalogEntry, type CatalogSnapshot } from '../../core/catalog/index.js';
import { buyerUnitPrice, type BuyerPricing } from '../../core/orders/index.js';
import { ItemNotFound, NotFound } from '../../core/errors.js';
import { PUBLIC } from '../route-policy.js';
import { categoryTypeView, categoryView, productView } from './catalog-views.js';
import { matchesEtag, productPage } from './product-pages.js';


const Lang = Type.Optional(Type.String({ pattern: '^[a-z]{2}$', description: 'Language for `name` and `description` (en, ar, zh); English when missing.' }));

const ProductListQuery = Type.Object(
  {
    category: Type.Optional(Type.String({ maxLength: 120, description: 'Category id or slug; includes its subcategories.' })),
    type: Type.Optional(Type.String({ maxLength: 120, description: 'Category type id or slug.' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Text to find in code, slug or any name.' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: '`next_cursor` of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    lang: Lang,
  },
  { additionalProperties: false },
);

const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 160, description: 'Id, code or slug.' }) });

/** Product answers depend on who asks: anonymous callers see list prices, a key or token its own. */
const PRICED_BY = 'Authorization, X-API-Key';

export async function catalogRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  /** The caller's pricing basis (its account's currency and tier), or undefined for the public view. */
  const pricingOf = (request: FastifyRequest, snapshot: CatalogSnapshot): Promise<BuyerPricing | undefined> =>
    request.principal ? souk.prices.forBuyer(snapshot, request.principal.accountCurrency, request.principal.accountTier) : Promise.resolve(undefined);

  app.get<{ Querystring: Static<typeof ProductListQuery> }>(
    '/products',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['catalog'],
        operationId: 'listProducts',
        summary: 'List active products',
        description:
          'The active catalog, ordered by id, a page at a time. Anonymous callers see list prices in each product\'s currency; a caller with a key or token ' +
          "sees the price one unit costs it, in its account's currency (its tier's discount, converted at the rate its order is charged with), " +
          'and only the products it can be priced for: one without an exchange rate from its currency to the account\'s is left out (an order for it is 409 currency_unavailable). ' +
          'Answers 304 to a matching `If-None-Match`; each view has its own ETag.',
        security: PUBLIC_SECURITY,
        querystring: ProductListQuery,
        response: {
          200: Type.Object({ ok: Type.Literal(true), products: Type.Array(Type.Ref('Product')), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          304: Type.Null({ description: 'Not modified since the ETag you sent.' }),
          ...apiErrorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const snapshot = await souk.catalog.snapshot();
      const pricing = await pricingOf(request, snapshot);
      const page = productPage(snapshot, request.query, pricing);
      reply.header('etag', page.etag).header('cache-control', pricing ? 'private, no-cache' : 'no-cache').header('vary', PRICED_BY);
      if (matchesEtag(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(page.body);
    },
  );

  app.get<{ Params: Static<typeof RefParams>; Querystring: { lang?: string } }>(
    '/products/:ref',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['catalog'],
        operationId: 'getProduct',
        summary: 'One active product by id, code or slug',
        description:
          "Priced as in the list: the list price for anonymous callers, the caller's own price in its account's currency with a key or token; " +
          'a product the caller cannot be priced for (no exchange rate to its currency) is 404 item_not_found for it.',
        security: PUBLIC_SECURITY,
        params: RefParams,
        querystring: Type.Object({ lang: Lang }),
        response: { 200: Type.Object({ ok: Type.Literal(true), product: Type.Ref('Product') }), ...apiErrorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const snapshot = await souk.catalog.snapshot();
      const entry = findCatalogEntry(snapshot, request.params.ref);
      if (!entry) throw new ItemNotFound(request.params.ref);
      const pricing = await pricingOf(request, snapshot);
      reply.header('vary', PRICED_BY);
      if (!pricing) return { ok: true, product: productView(entry, request.query.lang) };
      // A product this caller cannot be priced for is not offered to it: its order would be refused (409 currency_unavailable).
      const price = buyerUnitPrice(entry.product, pricing);
      if (price === undefined) throw new ItemNotFound(request.params.ref);
      reply.header('cache-control', 'private, no-cache');
      return { ok: true, product: productView(entry, request.query.lang, price) };
    },
  );

  app.get<{ Querystring: { lang?: string } }>(
    '/categories',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['catalog'],
        operationId: 'listCategories',
        summary: 'All categories (a tree by parent_id)',
        security: PUBLIC_SECURITY,
        querystring: Type.Object({ lang: Lang }),
        response: { 200: Type.Object({ ok: Type.Literal(true), categories: Type.Array(Type.Ref('Category')) }), ...apiErrorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const snapshot = await souk.catalog.snapshot();
      return { ok: true, categories: snapshot.categories.map((c) => categoryView(c, request.query.lang)) };
    },
  );

  app.get<{ Params: Static<typeof RefParams>; Querystring: { lang?: string } }>(
    '/categories/:ref/types',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['catalog'],
        operationId: 'listCategoryTypes',
        summary: "A category's types",
        security: PUBLIC_SECURITY,
        params: RefParams,
        querystring: Type.Object({ lang: Lang }),
        response: { 200: Type.Object({ ok: Type.Literal(true), types: Type.Array(Type.Ref('CategoryType')) }), ...apiErrorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const snapshot = await souk.catalog.snapshot();
      const ref = request.params.ref;
      const category = snapshot.categories.find((c) => String(c.id) === ref || c.slug === ref);
      if (!category) throw new NotFound(`No category "${ref}".`);
      return { ok: true, types: snapshot.types.filter((t) => t.category_id === category.id).map((t) => categoryTypeView(t, request.query.lang)) };
    },
  );
}

// Public catalog reads: seed 003's GET /products, seed 001's categories, types and product detail.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { PUBLIC_SECURITY, apiErrorResponses } from '../schema-helpers.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, findCatalogEntry } from '../../core/catalog/index.js';
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

export async function catalogRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get<{ Querystring: Static<typeof ProductListQuery> }>(
    '/products',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['catalog'],
        operationId: 'listProducts',
        summary: 'List active products',
        description: 'The active catalog, ordered by id, a page at a time. Answers 304 to a matching `If-None-Match`.',
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
      const page = productPage(await souk.catalog.snapshot(), request.query);
      reply.header('etag', page.etag).header('cache-control', 'no-cache');
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
        security: PUBLIC_SECURITY,
        params: RefParams,
        querystring: Type.Object({ lang: Lang }),
        response: { 200: Type.Object({ ok: Type.Literal(true), product: Type.Ref('Product') }), ...apiErrorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const entry = findCatalogEntry(await souk.catalog.snapshot(), request.params.ref);
      if (!entry) throw new ItemNotFound(request.params.ref);
      return { ok: true, product: productView(entry, request.query.lang) };
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

// Catalog administration: categories, their types, and products (any status).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { ADMIN_SECURITY, CurrencyCode, DecimalAmount, errorResponses, okObject, ProductCode, Slug } from '../schema-helpers.js';
import {
  archiveProduct,
  createCategory,
  createCategoryType,
  createProduct,
  deleteCategory,
  deleteCategoryType,
  findProduct,
  listCategories,
  listEveryCategoryType,
  listProducts,
  updateCategory,
  updateCategoryType,
  updateProduct,
  type Product,
} from '../../core/catalog/index.js';
import { needs } from '../route-policy.js';
import { MAX_ROW_ID } from '../../core/ids.js';
import { categoryTypeView, categoryView, CheckoutFieldSchema, productView } from '../api-v1/catalog-views.js';

const ADMIN = needs('admin');
/** Writes that carry names and descriptions in every language, which can pass the usual 64 KB. */
const TEXTS = { auth: ADMIN, bodySize: 'bulk' } as const;
const Localized = Type.Union([Type.String({ maxLength: 10000 }), Type.Record(Type.String(), Type.String())], { description: 'Text, or {en, ar, zh, …}.' });

const CategoryBody = Type.Object({
  slug: Slug(120),
  name: Localized,
  parent: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Integer(), Type.Null()], { description: 'Parent category id or slug.' })),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});
const CategoryPatch = Type.Partial(CategoryBody);
const TypeBody = Type.Object({ slug: Slug(120), name: Localized, position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) });
const TypePatch = Type.Partial(TypeBody);

const ProductBody = Type.Object({
  code: ProductCode(),
  slug: Type.Optional(Slug(160)),
  name: Localized,
  description: Type.Optional(Localized),
  price: DecimalAmount('Unit price in `currency`.'),
  buyback_price: Type.Optional(Type.Union([DecimalAmount('What the shop pays per code in a trade-in, in `currency`.'), Type.Null()], { description: 'Buy-back price per code (trade-ins); null stops buying the product back.' })),
  currency: Type.Optional(CurrencyCode()),
  min_quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  max_quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('archived')])),
  fulfillment: Type.Optional(Type.Union([Type.Literal('stock'), Type.Literal('upstream'), Type.Literal('manual')])),
  stock_mode: Type.Optional(Type.Union([Type.Literal('unique'), Type.Literal('shared')], { description: 'unique: each code sold once (default); shared: one code delivered to every buyer.' })),
  fields: Type.Optional(Type.Array(Type.Union([Type.String({ maxLength: 64 }), Type.Partial(CheckoutFieldSchema)]), { maxItems: 50 })),
  category: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Integer(), Type.Null()])),
  type: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Integer(), Type.Null()])),
});
const ProductPatch = Type.Partial(ProductBody);
const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 160 }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });


export async function adminCatalogRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  const deps = { db: souk.db, bus: souk.bus };

  async function view(product: Product) {
    const snapshot = await souk.catalog.snapshot();
    const category = snapshot.categories.find((c) => c.id === product.category_id) ?? null;
    const type = snapshot.types.find((t) => t.id === product.type_id) ?? null;
    return productView({ product, category, type, searchText: '' });
  }

  app.get(
    '/categories',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListCategories',
        summary: 'Every category (a tree by parent_id) and every category type, names in all languages',
        security: ADMIN_SECURITY,
        response: { 200: okObject({ categories: Type.Array(Type.Ref('Category')), types: Type.Array(Type.Ref('CategoryType')) }), ...errorResponses(401, 403) },
      },
    },
    async () => {
      const [categories, types] = await Promise.all([listCategories(souk.db), listEveryCategoryType(souk.db)]);
      return { ok: true, categories: categories.map((c) => categoryView(c)), types: types.map((t) => categoryTypeView(t)) };
    },
  );
  app.post<{ Body: Static<typeof CategoryBody> }>(
    '/categories',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminCreateCategory', summary: 'Create a category', security: ADMIN_SECURITY, body: CategoryBody, response: { 201: okObject({ category: Type.Ref('Category') }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => reply.code(201).send({ ok: true, category: categoryView(await createCategory(deps, request.body)) }),
  );
  app.patch<{ Params: Static<typeof RefParams>; Body: Static<typeof CategoryPatch> }>(
    '/categories/:ref',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminUpdateCategory', summary: 'Change a category', security: ADMIN_SECURITY, params: RefParams, body: CategoryPatch, response: { 200: okObject({ category: Type.Ref('Category') }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => ({ ok: true, category: categoryView(await updateCategory(deps, request.params.ref, request.body)) }),
  );
  app.delete<{ Params: Static<typeof RefParams> }>(
    '/categories/:ref',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminDeleteCategory', summary: 'Delete an empty category', security: ADMIN_SECURITY, params: RefParams, response: { 200: okObject({}), ...errorResponses(401, 403, 404, 409) } } },
    async (request) => {
      await deleteCategory(deps, request.params.ref);
      return { ok: true };
    },
  );
  app.post<{ Params: Static<typeof RefParams>; Body: Static<typeof TypeBody> }>(
    '/categories/:ref/types',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminCreateCategoryType', summary: 'Add a type to a category', security: ADMIN_SECURITY, params: RefParams, body: TypeBody, response: { 201: okObject({ type: Type.Ref('CategoryType') }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => reply.code(201).send({ ok: true, type: categoryTypeView(await createCategoryType(deps, request.params.ref, request.body)) }),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof TypePatch> }>(
    '/category-types/:id',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminUpdateCategoryType', summary: 'Rename a category type, or change its slug or position', security: ADMIN_SECURITY, params: IdParams, body: TypePatch, response: { 200: okObject({ type: Type.Ref('CategoryType') }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => ({ ok: true, type: categoryTypeView(await updateCategoryType(deps, request.params.id, request.body)) }),
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    '/category-types/:id',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminDeleteCategoryType', summary: 'Delete an unused category type', security: ADMIN_SECURITY, params: IdParams, response: { 200: okObject({}), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      await deleteCategoryType(deps, request.params.id);
      return { ok: true };
    },
  );

  app.get<{ Querystring: { status?: string } }>(
    '/products',
    {
      config: { auth: ADMIN },
      schema: {
        tags: ['admin'],
        operationId: 'adminListProducts',
        summary: 'All products, any status',
        security: ADMIN_SECURITY,
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('archived')])) }),
        response: { 200: okObject({ products: Type.Array(Type.Ref('Product')) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const products = await listProducts(souk.db, { status: request.query.status as Product['status'] | undefined });
      return { ok: true, products: await Promise.all(products.map(view)) };
    },
  );
  app.post<{ Body: Static<typeof ProductBody> }>(
    '/products',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminCreateProduct', summary: 'Create a product', security: ADMIN_SECURITY, body: ProductBody, response: { 201: okObject({ product: Type.Ref('Product') }), ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => reply.code(201).send({ ok: true, product: await view(await createProduct(deps, request.body)) }),
  );
  app.get<{ Params: Static<typeof RefParams> }>(
    '/products/:ref',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminGetProduct', summary: 'A product by id, code or slug', security: ADMIN_SECURITY, params: RefParams, response: { 200: okObject({ product: Type.Ref('Product') }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, product: await view(await findProduct(souk.db, request.params.ref)) }),
  );
  app.patch<{ Params: Static<typeof RefParams>; Body: Static<typeof ProductPatch> }>(
    '/products/:ref',
    { config: TEXTS, schema: { tags: ['admin'], operationId: 'adminUpdateProduct', summary: 'Change a product', security: ADMIN_SECURITY, params: RefParams, body: ProductPatch, response: { 200: okObject({ product: Type.Ref('Product') }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => ({ ok: true, product: await view(await updateProduct(deps, request.params.ref, request.body)) }),
  );
  app.delete<{ Params: Static<typeof RefParams> }>(
    '/products/:ref',
    { config: { auth: ADMIN }, schema: { tags: ['admin'], operationId: 'adminArchiveProduct', summary: 'Archive a product (it stays for its orders)', security: ADMIN_SECURITY, params: RefParams, response: { 200: okObject({ product: Type.Ref('Product') }), ...errorResponses(401, 403, 404) } } },
    async (request) => ({ ok: true, product: await view(await archiveProduct(deps, request.params.ref)) }),
  );
}

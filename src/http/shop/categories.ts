// A Souk extension to seed 004: the catalog's categories, so a storefront can group the product
// grid. Seed 004's product answers stay as they are (no category field is added to them); each
// category names the ids of its products instead, the same ids GET /api/products lists.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Souk } from '../../app.js';
import { localizedText } from '../../core/catalog/index.js';
import { shopCategories, type ShopCategory } from '../../core/customers/index.js';
import { SHOP } from '../route-policy.js';
import { shopErrors, successObject } from './views.js';

export const ShopCategorySchema = Type.Object(
  {
    id: Type.String({ description: "The category's id." }),
    slug: Type.String(),
    parentId: Type.Union([Type.String(), Type.Null()], { description: 'The parent category (categories form a tree), or null at the top.' }),
    name_en: Type.String(),
    name_zh: Type.String({ description: 'Chinese name (the English one when there is none).' }),
    name_ar: Type.String({ description: 'Arabic name (the English one when there is none).' }),
    position: Type.Integer({ description: 'Sort order among its siblings (then by id).' }),
    productIds: Type.Array(Type.String(), { description: 'The products in this very category (not its subcategories), as GET /api/products lists them.' }),
  },
  { $id: 'ShopCategory', title: 'ShopCategory' },
);

/** One category as the storefront reads it, with the ids of its listed products. */
function categoryView({ category, productIds }: ShopCategory): Static<typeof ShopCategorySchema> {
  return {
    id: String(category.id),
    slug: category.slug,
    parentId: category.parent_id === null ? null : String(category.parent_id),
    name_en: localizedText(category.name, 'en'),
    name_zh: localizedText(category.name, 'zh'),
    name_ar: localizedText(category.name, 'ar'),
    position: category.position,
    productIds: productIds.map(String),
  };
}

export async function categoryRoutes(app: FastifyInstance, { souk }: { souk: Souk }) {
  app.get(
    '/categories',
    {
      config: { auth: SHOP },
      schema: {
        tags: ['shop'],
        operationId: 'shopListCategories',
        summary: 'List categories (Souk extension)',
        description:
          'A Souk extension, not in seed 004: every category of the catalog in order (position, then id), each with the ids of the products ' +
          'in it that GET /api/products lists (active and priced in the shop\'s currency). A product in no category is in none of the lists. ' +
          "With them, the shop's currency, which seed 004's product answers do not name. Seed 004's own answers are unchanged.",
        security: [],
        response: {
          200: successObject({ currency: Type.String({ description: "The shop's currency (SOUK_SHOP_CURRENCY), in which GET /api/products gives its prices." }), categories: Type.Array(Type.Ref('ShopCategory')) }),
          ...shopErrors(429),
        },
      },
    },
    async () => {
      const categories = await shopCategories(souk.db, await souk.catalog.snapshot(), souk.config.shopCurrency);
      return { success: true, currency: souk.config.shopCurrency, categories: categories.map(categoryView) };
    },
  );
}

// GET /api/categories, the Souk extension that lets a storefront group seed 004's products: every
// category in order with the ids of its listed products (active and priced in the shop's currency),
// while seed 004's product answers keep their shape. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { stockDeps, stockedProduct } from '../helpers/orders.js';
import { createCategory } from '../../src/core/catalog/index.js';

interface ShopCategory {
  id: string;
  slug: string;
  parentId: string | null;
  name_en: string;
  name_zh: string;
  name_ar: string;
  position: number;
  productIds: string[];
}

for (const kind of DATABASE_KINDS) {
  describe(`shop categories, a Souk extension (${kind})`, () => {
    let t: TestSouk;
    const ids: Record<string, string> = {};

    before(async () => {
      t = await startTestSouk(kind);
      const deps = stockDeps(t.souk);
      const cards = await createCategory(deps, { slug: 'gift-cards', name: { en: 'Gift cards', zh: '礼品卡', ar: 'بطاقات الهدايا' }, position: 2 });
      await createCategory(deps, { slug: 'games', name: { en: 'Games' }, position: 1 });
      await createCategory(deps, { slug: 'steam', name: { en: 'Steam' }, parent: cards.id, position: 0 });
      ids.steam = String(await stockedProduct(t.souk, { code: 'STEAM-20', name: 'Steam 20', price: '140.00', currency: 'CNY', category: 'steam' }, 2));
      ids.itunes = String(await stockedProduct(t.souk, { code: 'ITUNES-10', name: 'iTunes 10', price: '70.00', currency: 'CNY', category: 'gift-cards' }, 1));
      ids.loose = String(await stockedProduct(t.souk, { code: 'LOOSE-1', name: 'No category', price: '5.00', currency: 'CNY' }, 1));
      // Not listed by GET /api/products, so in no category's list: inactive, and priced in USD without a rate to CNY.
      await stockedProduct(t.souk, { code: 'OFF-1', name: 'Inactive', price: '1.00', currency: 'CNY', category: 'gift-cards', status: 'inactive' }, 1);
      await stockedProduct(t.souk, { code: 'USD-1', name: 'Unpriced', price: '1.00', currency: 'USD', category: 'gift-cards' }, 1);
    });
    after(async () => {
      await t?.close();
    });

    test('lists every category in order with the ids of its listed products and its names in each language', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/categories' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{ success: true; currency: string; categories: ShopCategory[] }>();
      // The shop's currency (CNY unless SOUK_SHOP_CURRENCY says otherwise), which seed 004's product answers leave unnamed.
      assert.equal(body.currency, t.souk.config.shopCurrency);
      assert.equal(body.currency, 'CNY');
      assert.equal(body.success, true);
      assert.deepEqual(
        body.categories.map((c) => c.slug),
        ['steam', 'games', 'gift-cards'],
      );
      const [steam, games, cards] = body.categories as [ShopCategory, ShopCategory, ShopCategory];
      assert.deepEqual(cards, { id: cards.id, slug: 'gift-cards', parentId: null, name_en: 'Gift cards', name_zh: '礼品卡', name_ar: 'بطاقات الهدايا', position: 2, productIds: [ids.itunes] });
      assert.equal(steam.parentId, cards.id);
      assert.deepEqual(steam.productIds, [ids.steam]);
      // A name missing in a language falls back to English.
      assert.deepEqual([games.name_zh, games.name_ar, games.productIds], ['Games', 'Games', []]);

      // Every id named is one GET /api/products lists, and its answer has seed 004's fields only.
      const products = (await t.app.inject({ method: 'GET', url: '/api/products' })).json<{ products: Array<Record<string, unknown>> }>().products;
      const listed = new Set(products.map((p) => p.id));
      for (const id of body.categories.flatMap((c) => c.productIds)) assert.ok(listed.has(id), `product ${id} is not listed`);
      assert.ok(listed.has(ids.loose));
      for (const product of products) assert.deepEqual(Object.keys(product).sort(), ['id', 'min_quantity', 'name_en', 'name_zh', 'price', 'slug', 'stock']);
    });

    test('follows a change of the catalog and answers an empty list without categories', async () => {
      await createCategory(stockDeps(t.souk), { slug: 'new-one', name: 'New one', position: 9 });
      const res = await t.app.inject({ method: 'GET', url: '/api/categories' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<{ categories: ShopCategory[] }>().categories.at(-1)?.slug, 'new-one');

      const bare = await startTestSouk(kind);
      try {
        const empty = await bare.app.inject({ method: 'GET', url: '/api/categories' });
        assert.equal(empty.statusCode, 200, empty.body);
        assert.deepEqual(empty.json(), { success: true, currency: 'CNY', categories: [] });
      } finally {
        await bare.close();
      }
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

for (const kind of DATABASE_KINDS) {
  describe(`catalog (${kind})`, () => {
    let t: TestSouk;
    const admin = () => ({ ...bearer(t.adminKey) });
    const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: admin(), payload: payload as object });

    before(async () => {
      t = await startTestSouk(kind);
      assert.equal((await post('/admin/api/categories', { slug: 'gift-cards', name: { en: 'Gift cards', ar: 'بطاقات الهدايا', zh: '礼品卡' } })).statusCode, 201);
      assert.equal((await post('/admin/api/categories', { slug: 'app-stores', name: 'App stores', parent: 'gift-cards' })).statusCode, 201);
      assert.equal((await post('/admin/api/categories', { slug: 'software', name: 'Software' })).statusCode, 201);
      assert.equal((await post('/admin/api/categories/app-stores/types', { slug: 'us', name: 'United States' })).statusCode, 201);
      const products = [
        { code: 'APP-10', name: { en: 'App card 10', ar: 'بطاقة 10', zh: '卡 10' }, price: '10.00', category: 'app-stores', type: 'us' },
        { code: 'GIFT-25', name: 'Gift 25', price: 25, category: 'gift-cards' },
        { code: 'WIN-PRO', name: 'Windows Pro key', price: '139.5', category: 'software', fields: ['player_id'] },
        { code: 'HIDDEN', name: 'Hidden', price: '1', status: 'inactive' },
        { code: 'JPY-CARD', name: 'Yen card', price: '1500', currency: 'JPY' },
      ];
      for (const p of products) {
        const res = await post('/admin/api/products', p);
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(() => t.close());

    test('lists only active products with seed 003 fields and decimal prices', async () => {
      const res = await t.app.inject({ url: '/api/v1/products' });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /application\/json/);
      const body = res.json();
      assert.equal(body.ok, true);
      assert.deepEqual(body.products.map((p: { code: string }) => p.code), ['APP-10', 'GIFT-25', 'WIN-PRO', 'JPY-CARD']);
      const app10 = body.products[0];
      for (const field of ['item_id', 'price', 'currency', 'slug', 'name', 'description', 'code', 'stock', 'min_quantity', 'max_quantity', 'category', 'type']) {
        assert.ok(field in app10, `missing ${field}`);
      }
      assert.equal(app10.price, 10);
      assert.equal(app10.currency, 'USD');
      assert.equal(app10.max_quantity, 200);
      assert.equal(app10.names.ar, 'بطاقة 10');
      assert.equal(app10.name_zh, '卡 10');
      assert.deepEqual(app10.category, { id: app10.category_id, slug: 'app-stores', name: 'App stores' });
      assert.equal(app10.type.slug, 'us');
      assert.equal(body.products[2].price, 139.5);
      assert.equal(body.products[3].price, 1500);
      assert.equal(body.products[2].fields[0].name, 'player_id');
      assert.match(app10.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    test('filters by category (with subcategories), type and text', async () => {
      const codes = async (query: string) => (await t.app.inject({ url: `/api/v1/products?${query}` })).json().products.map((p: { code: string }) => p.code);
      assert.deepEqual(await codes('category=gift-cards'), ['APP-10', 'GIFT-25']);
      assert.deepEqual(await codes('category=app-stores'), ['APP-10']);
      assert.deepEqual(await codes('type=us'), ['APP-10']);
      assert.deepEqual(await codes('q=windows'), ['WIN-PRO']);
      assert.deepEqual(await codes('q=%E5%8D%A1'), ['APP-10']);
      assert.deepEqual(await codes('category=nope'), []);
    });

    test('pages with a cursor until next_cursor is null', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/products?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await t.app.inject({ url })).json() as { products: Array<{ code: string }>; next_cursor: string | null };
        seen.push(...body.products.map((p: { code: string }) => p.code));
        cursor = body.next_cursor;
      } while (cursor);
      assert.deepEqual(seen, ['APP-10', 'GIFT-25', 'WIN-PRO', 'JPY-CARD']);
      const bad = await t.app.inject({ url: '/api/v1/products?cursor=garbage' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error, 'validation');
    });

    test('answers 304 to a matching ETag and a new ETag after a catalog change', async () => {
      const first = await t.app.inject({ url: '/api/v1/products' });
      const etag = first.headers.etag as string;
      assert.ok(etag);
      const again = await t.app.inject({ url: '/api/v1/products', headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      const patch = await t.app.inject({ method: 'PATCH', url: '/admin/api/products/GIFT-25', headers: admin(), payload: { price: '24.99' } });
      assert.equal(patch.statusCode, 200, patch.body);
      const changed = await t.app.inject({ url: '/api/v1/products', headers: { 'if-none-match': etag } });
      assert.equal(changed.statusCode, 200);
      assert.notEqual(changed.headers.etag, etag);
      assert.equal(changed.json().products.find((p: { code: string }) => p.code === 'GIFT-25').price, 24.99);
    });

    test('finds one product by id, code or slug; inactive and unknown are item_not_found', async () => {
      const list = (await t.app.inject({ url: '/api/v1/products' })).json().products;
      const id = list[0].item_id;
      for (const ref of [String(id), 'APP-10', 'app-10']) {
        const res = await t.app.inject({ url: `/api/v1/products/${ref}` });
        assert.equal(res.statusCode, 200, ref);
        assert.equal(res.json().product.code, 'APP-10');
      }
      for (const ref of ['HIDDEN', 'nothing-here', '999999']) {
        const res = await t.app.inject({ url: `/api/v1/products/${ref}` });
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error, 'item_not_found');
        assert.equal(res.json().errorCode, 'item_not_found');
      }
    });

    test('names follow the lang parameter with English as fallback', async () => {
      const ar = (await t.app.inject({ url: '/api/v1/products/APP-10?lang=ar' })).json().product;
      assert.equal(ar.name, 'بطاقة 10');
      const zhFallback = (await t.app.inject({ url: '/api/v1/products/GIFT-25?lang=zh' })).json().product;
      assert.equal(zhFallback.name, 'Gift 25');
    });

    test('lists categories as a tree and a category’s types', async () => {
      const categories = (await t.app.inject({ url: '/api/v1/categories' })).json().categories;
      const gift = categories.find((c: { slug: string }) => c.slug === 'gift-cards');
      const apps = categories.find((c: { slug: string }) => c.slug === 'app-stores');
      assert.equal(apps.parent_id, gift.id);
      assert.equal(gift.names.zh, '礼品卡');
      const types = await t.app.inject({ url: `/api/v1/categories/${apps.id}/types` });
      assert.deepEqual(types.json().types.map((x: { slug: string }) => x.slug), ['us']);
      const bySlug = await t.app.inject({ url: '/api/v1/categories/app-stores/types' });
      assert.equal(bySlug.json().types.length, 1);
      const missing = await t.app.inject({ url: '/api/v1/categories/404404/types' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error, 'not_found');
    });

    test('admin catalog changes are validated and conflicts are named', async () => {
      const dup = await post('/admin/api/products', { code: 'APP-10', name: 'Again', price: '1' });
      assert.equal(dup.statusCode, 409);
      assert.match(dup.json().message, /code "APP-10"/);
      // The schema's patterns (code, currency) are checked first; the core's rules (decimals the currency allows, an English name) then.
      const bad = await post('/admin/api/products', { code: 'BAD PRICE', name: { ar: 'x' }, price: '1.234', currency: 'US1' });
      assert.equal(bad.statusCode, 400);
      const fields = bad.json().fields.map((f: { field: string }) => f.field);
      for (const field of ['code', 'currency']) assert.ok(fields.includes(field), `${field} not named in ${JSON.stringify(fields)}`);
      const worse = await post('/admin/api/products', { code: 'BAD-PRICE', name: { ar: 'x' }, price: '1.234', currency: 'USD' });
      assert.equal(worse.statusCode, 400);
      const more = worse.json().fields.map((f: { field: string }) => f.field);
      for (const field of ['price', 'name.en']) assert.ok(more.includes(field), `${field} not named in ${JSON.stringify(more)}`);
      const loop = await t.app.inject({ method: 'PATCH', url: '/admin/api/categories/gift-cards', headers: admin(), payload: { parent: 'app-stores' } });
      assert.equal(loop.statusCode, 400);
      const nonEmpty = await t.app.inject({ method: 'DELETE', url: '/admin/api/categories/gift-cards', headers: admin() });
      assert.equal(nonEmpty.statusCode, 409);
    });

    test('archiving removes a product from the public catalog but keeps it for the admin', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/admin/api/products/JPY-CARD', headers: admin() });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().product.status, 'archived');
      const codes = (await t.app.inject({ url: '/api/v1/products' })).json().products.map((p: { code: string }) => p.code);
      assert.ok(!codes.includes('JPY-CARD'));
      const adminView = await t.app.inject({ url: '/admin/api/products/JPY-CARD', headers: admin() });
      assert.equal(adminView.json().product.status, 'archived');
    });

    test('the admin catalog refuses anonymous callers (401) and reseller keys (403)', async () => {
      const anonymous = await t.app.inject({ method: 'POST', url: '/admin/api/products', payload: { code: 'X', name: 'X', price: 1 } });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().error, 'unauthorized');
      const { createReseller } = await import('../helpers/souk.js');
      const reseller = await createReseller(t.souk);
      const forbidden = await t.app.inject({ method: 'POST', url: '/admin/api/products', headers: bearer(reseller.apiKey), payload: { code: 'X', name: 'X', price: 1 } });
      assert.equal(forbidden.statusCode, 403);
      assert.equal(forbidden.json().error, 'forbidden');
    });
  });
}

// What the console's catalog area needs from the admin API (issue 20): every category and type in
// one call with names in all languages, a stock upload that leaves out lines that are not codes and
// says which (so one long line does not lose a whole paste), duplicates counted and stored once,
// and a viewer refused every catalog, stock and coupon write. On SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser } from '../../src/core/accounts/index.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, startTestSouk, type TestSouk } from '../helpers/souk.js';

const PASSWORD = 'correct horse battery';

interface UploadAnswer {
  imported: number;
  duplicates: number;
  blank: number;
  rejected?: { count: number; lines: Array<{ line: number; reason: string }> };
}

for (const kind of DATABASE_KINDS) {
  describe(`the console's catalog, stock and coupons through the admin API (${kind})`, () => {
    let t: TestSouk;
    const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload ? { payload } : {}) });

    before(async () => {
      t = await startTestSouk(kind);
      const created = await admin('POST', '/products', { code: 'CONSOLE-10', name: { en: 'Console card', ar: 'بطاقة' }, price: '10.00', currency: 'USD' });
      assert.equal(created.statusCode, 201, created.body);
    });
    after(async () => t.close());

    test('GET /categories lists every category and every type with their names in each language', async () => {
      const category = await admin('POST', '/categories', { slug: 'console-cards', name: { en: 'Cards', ar: 'بطاقات', zh: '卡' } });
      assert.equal(category.statusCode, 201, category.body);
      const type = await admin('POST', '/categories/console-cards/types', { slug: 'us', name: { en: 'United States', zh: '美国' } });
      assert.equal(type.statusCode, 201, type.body);
      const listed = await admin('GET', '/categories');
      assert.equal(listed.statusCode, 200, listed.body);
      const body = listed.json<{ categories: Array<{ id: number; slug: string; names: Record<string, string> }>; types: Array<{ category_id: number; slug: string; names: Record<string, string> }> }>();
      const mine = body.categories.find((c) => c.slug === 'console-cards');
      assert.deepEqual(mine?.names, { en: 'Cards', ar: 'بطاقات', zh: '卡' });
      assert.deepEqual(
        body.types.filter((t) => t.category_id === mine!.id).map((t) => [t.slug, t.names]),
        [['us', { en: 'United States', zh: '美国' }]],
      );
      const typeId = type.json<{ type: { id: number } }>().type.id;
      const renamedType = await admin('PATCH', `/category-types/${typeId}`, { name: { en: 'USA', ar: 'الولايات المتحدة' } });
      assert.equal(renamedType.statusCode, 200, renamedType.body);
      assert.deepEqual(renamedType.json<{ type: { slug: string; names: Record<string, string> } }>().type, { ...renamedType.json<{ type: object }>().type, slug: 'us', names: { en: 'USA', ar: 'الولايات المتحدة' } });
      const other = await admin('POST', '/categories/console-cards/types', { slug: 'eu', name: 'Europe' });
      assert.equal(other.statusCode, 201, other.body);
      const clash = await admin('PATCH', `/category-types/${other.json<{ type: { id: number } }>().type.id}`, { slug: 'us' });
      assert.equal(clash.statusCode, 409, clash.body);
      assert.equal((await admin('PATCH', '/category-types/999999', { name: 'Nothing' })).statusCode, 404);
      assert.equal((await admin('PATCH', `/category-types/${typeId}`, { name: { ar: 'بلا إنجليزية' } })).statusCode, 400, 'an English name is required');
      const renamed = await admin('PATCH', '/categories/console-cards', { name: { en: 'Gift cards', ar: 'بطاقات هدايا' } });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const again = (await admin('GET', '/categories')).json<{ categories: Array<{ slug: string; name: string }> }>();
      assert.equal(again.categories.find((c) => c.slug === 'console-cards')?.name, 'Gift cards');
    });

    test('an upload with skip_invalid leaves out a line that is not a code and names it; without it the upload is refused whole', async () => {
      const long = 'X'.repeat(501);
      const res = await admin('POST', '/products/CONSOLE-10/stock', { codes: ['SKIP-1', '', long, 'SKIP-2', 'SKIP-1'], skip_invalid: true });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json<UploadAnswer>(), { ok: true, imported: 2, duplicates: 1, blank: 1, rejected: { count: 1, lines: [{ line: 3, reason: 'too_long' }] } });
      const refused = await admin('POST', '/products/CONSOLE-10/stock', { codes: ['SKIP-3', long] });
      assert.equal(refused.statusCode, 400, refused.body);
      const stock = (await admin('GET', '/products/CONSOLE-10/stock')).json<{ counts: { available: number } }>();
      assert.equal(stock.counts.available, 2, 'the refused upload added nothing');
    });

    test('the same code uploaded twice, in one upload or in two, is reported as a duplicate and stored once', async () => {
      const first = await admin('POST', '/products/CONSOLE-10/stock', { codes: ['TWICE-1', 'TWICE-1'], skip_invalid: true });
      assert.deepEqual(first.json<UploadAnswer>(), { ok: true, imported: 1, duplicates: 1, blank: 0, rejected: { count: 0, lines: [] } });
      const second = await admin('POST', '/products/CONSOLE-10/stock', { codes: ['TWICE-1'], skip_invalid: true });
      assert.deepEqual(second.json<UploadAnswer>(), { ok: true, imported: 0, duplicates: 1, blank: 0, rejected: { count: 0, lines: [] } });
      const product = (await t.souk.db.selectFrom('products').select('id').where('code', '=', 'CONSOLE-10').executeTakeFirstOrThrow()).id;
      const rows = await t.souk.db.selectFrom('stock_items').select('id').where('product_id', '=', product).execute();
      const counts = (await admin('GET', '/products/CONSOLE-10/stock')).json<{ counts: { available: number } }>().counts;
      assert.equal(rows.length, 3, 'SKIP-1, SKIP-2 and TWICE-1, each once');
      assert.equal(counts.available, 3);
    });

    test('a viewer reads the catalog, stock and coupons but is refused every write with 403, and nothing changes', async () => {
      const adminAccount = (await t.souk.db.selectFrom('accounts').select('id').where('kind', '=', 'admin').executeTakeFirstOrThrow()).id;
      await createUser(t.souk.db, { accountId: adminAccount, username: 'catalog-viewer', password: PASSWORD, role: 'viewer' });
      const token = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username: 'catalog-viewer', password: PASSWORD }, remoteAddress: '10.31.0.1' });
      assert.equal(token.statusCode, 200, token.body);
      const headers = bearer(token.json<{ token: string }>().token);
      for (const url of ['/categories', '/products', '/products/CONSOLE-10/stock', '/coupons', '/price-tiers']) {
        const res = await t.app.inject({ method: 'GET', url: `/admin/api${url}`, headers });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      }
      const writes: Array<['POST' | 'PATCH' | 'DELETE', string, object?]> = [
        ['POST', '/categories', { slug: 'viewer-cat', name: { en: 'No' } }],
        ['PATCH', '/categories/console-cards', { name: { en: 'No' } }],
        ['DELETE', '/categories/console-cards'],
        ['PATCH', '/category-types/1', { name: { en: 'No' } }],
        ['POST', '/products', { code: 'VIEWER-1', name: { en: 'No' }, price: '1.00', currency: 'USD' }],
        ['PATCH', '/products/CONSOLE-10', { price: '0.01' }],
        ['POST', '/products/CONSOLE-10/stock', { codes: ['VIEWER-CODE'], skip_invalid: true }],
        ['POST', '/coupons', { code: 'VIEWER10', percent: '10' }],
      ];
      for (const [method, url, payload] of writes) {
        const res = await t.app.inject({ method, url: `/admin/api${url}`, headers, ...(payload ? { payload } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      }
      const product = (await admin('GET', '/products/CONSOLE-10')).json<{ product: { price: number } }>().product;
      assert.equal(product.price, 10);
      assert.equal((await admin('GET', '/products/CONSOLE-10/stock')).json<{ counts: { available: number } }>().counts.available, 3);
      assert.equal((await admin('GET', '/coupons/VIEWER10')).statusCode, 404);
      assert.equal((await admin('GET', '/products/VIEWER-1')).statusCode, 404);
    });
  });
}

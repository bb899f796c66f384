// The console's catalog, stock and coupons in a real browser (Debian's chromium, driven by
// playwright-core) against a real `souk serve`: an owner creates a category with a type and a product named in
// English and Arabic, pastes 10 codes and sees the import report and the stock count say 10, uploads
// a file large enough to go in several batches and sees one report for all of them, voids a code,
// edits the product, and creates and disables a coupon for it; the database then holds what the pages said.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser } from 'playwright-core';
import type { Env } from '../../src/config.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import type { ServerProcess } from '../helpers/processes.js';
import { withSouk } from '../helpers/souk.js';
import { logInToConsole, startBrowsedShop, WAIT_MS, type BrowsedShop } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';

for (const kind of DATABASE_KINDS) {
  describe(`the console's catalog in a browser (${kind})`, () => {
    let shop: BrowsedShop | undefined;
    let env: Env;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;

    before(async () => {
      shop = await startBrowsedShop(kind, { password: PASSWORD, logins: [{ username: 'ann', role: 'owner' }] });
      ({ env, server, browser } = shop);
    });
    after(() => shop?.close());

    test('an owner creates a category with a type and a product in English and Arabic, uploads 10 pasted codes and a file in batches, voids a code, edits the product, and creates and disables a coupon', async () => {
      const context = await browser!.newContext({ locale: 'en-US' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        await logInToConsole(page, server!.url, 'ann', PASSWORD);
        await page.getByTestId('signed-in').filter({ hasText: 'ann (owner)' }).waitFor();

        await page.getByRole('link', { name: 'Catalog', exact: true }).click();
        await page.getByRole('heading', { name: 'Catalog' }).waitFor();
        await page.getByRole('link', { name: 'Categories', exact: true }).click();
        const newCategory = page.getByRole('form', { name: 'New category' });
        await newCategory.getByLabel('Name (English)').fill('Gift cards');
        await newCategory.getByLabel('Name (Arabic)').fill('بطاقات هدايا');
        await newCategory.getByRole('button', { name: 'Create category' }).click();
        await page.getByRole('heading', { name: 'Gift cards (gift-cards)' }).waitFor();
        await page.getByText('Add a type to Gift cards').click();
        const newType = page.getByRole('form', { name: 'Add a type to Gift cards' });
        await newType.getByLabel('Name (English)').fill('United States');
        await newType.getByRole('button', { name: 'Add type' }).click();
        await page.getByRole('button', { name: 'Rename type United States' }).click();
        const renameType = page.getByRole('form', { name: 'Rename type United States' });
        await renameType.getByLabel('Name (English)').fill('USA');
        await renameType.getByLabel('Name (Chinese)').fill('美国');
        await renameType.getByRole('button', { name: 'Save names' }).click();
        await page.getByRole('button', { name: 'Rename type USA' }).waitFor();

        await page.getByRole('link', { name: 'Products', exact: true }).click();
        await page.getByRole('link', { name: 'New product' }).click();
        await page.getByLabel('Code', { exact: true }).fill('PLAY-50');
        await page.getByLabel('Name (English)').fill('Play card 50');
        await page.getByLabel('Name (Arabic)').fill('بطاقة بلاي 50');
        await page.getByLabel('Price', { exact: true }).fill('50.00');
        await page.getByLabel('Currency', { exact: true }).fill('USD');
        await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Gift cards' });
        await page.getByLabel('Type', { exact: true }).selectOption({ label: 'USA' });
        await page.getByRole('button', { name: 'Add a checkout field' }).click();
        await page.getByLabel('Field name').fill('player_id');
        await page.getByLabel('Label (English)').fill('Player ID');
        await page.getByLabel('Label (Arabic)').fill('معرّف اللاعب');
        await page.getByRole('button', { name: 'Create product' }).click();
        await page.getByRole('heading', { name: 'Play card 50 (PLAY-50)' }).waitFor();
        assert.match(page.url(), /\/admin\/catalog\/products\/PLAY-50$/);

        const codes = Array.from({ length: 10 }, (_, i) => `PLAY50-CODE-${String(i).padStart(4, '0')}`);
        await page.getByLabel('Codes, one per line').fill(codes.join('\n'));
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const report = page.getByRole('region', { name: 'Import report' });
        await report.getByText('Added: 10').waitFor();
        await report.getByText('Duplicates skipped: 0').waitFor();
        await report.getByText('Rejected lines: 0').waitFor();
        await page.getByRole('list', { name: 'Stock counts' }).getByText('Available: 10').waitFor();
        // The list of codes shows them masked, never in full.
        await page.getByRole('button', { name: /^Void code / }).first().waitFor();
        assert.equal(await page.getByText(codes[0]!, { exact: true }).count(), 0);

        // A file of 10,001 lines goes up in three batches; the report sums them and numbers lines
        // from the top of the file: a duplicate of line 2 in the second batch, a blank line and a
        // line too long to be a code in the second.
        const lines = Array.from({ length: 10_001 }, (_, i) => `PLAY50-FILE-${String(i).padStart(6, '0')}`);
        lines[5_002] = lines[1]!;
        lines[7_000] = 'X'.repeat(501);
        lines[8_999] = '';
        await page.getByLabel('Or a file of codes').setInputFiles({ name: 'play50.txt', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\r\n')}\r\n`) });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.getByText('Sent 10001 of 10001 lines').waitFor();
        await report.getByText('Added: 9998').waitFor();
        await report.getByText('Duplicates skipped: 1').waitFor();
        await report.getByText('Blank lines: 1').waitFor();
        await report.getByText('Rejected lines: 1').waitFor();
        await report.getByText('Line 7001: longer than 500 characters').waitFor();
        await page.getByRole('list', { name: 'Stock counts' }).getByText('Available: 10008').waitFor();

        // Voiding a code asks first, then takes it out of the available count.
        page.once('dialog', (dialog) => void dialog.accept());
        await page.getByRole('button', { name: /^Void code / }).first().click();
        await page.getByRole('list', { name: 'Stock counts' }).getByText('Voided: 1').waitFor();
        await page.getByRole('list', { name: 'Stock counts' }).getByText('Available: 10007').waitFor();

        // Editing sends only what changed.
        await page.getByLabel('Name (Chinese)').fill('游戏卡 50');
        await page.getByLabel('Minimum quantity').fill('2');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

        await page.getByRole('link', { name: 'Coupons', exact: true }).click();
        const newCoupon = page.getByRole('form', { name: 'New coupon' });
        await newCoupon.getByLabel('Coupon code').fill('PLAY10');
        await newCoupon.getByLabel('Percent off').fill('10');
        await newCoupon.getByLabel('Product').selectOption({ label: 'PLAY-50 — Play card 50' });
        await newCoupon.getByLabel('Uses in all').fill('5');
        await newCoupon.getByRole('button', { name: 'Create coupon' }).click();
        await newCoupon.getByRole('status').filter({ hasText: 'Coupon PLAY10 created.' }).waitFor();
        await page.getByRole('row').filter({ hasText: 'PLAY10' }).filter({ hasText: '0 / 5' }).waitFor();
        await page.getByRole('button', { name: 'Disable PLAY10' }).click();
        await page.getByRole('row').filter({ hasText: 'PLAY10' }).filter({ hasText: 'Disabled' }).waitFor();
        await page.getByRole('button', { name: 'Enable PLAY10' }).waitFor();
      } finally {
        await context.close();
      }

      await withSouk(env, async (souk) => {
        const product = await souk.db.selectFrom('products').selectAll().where('code', '=', 'PLAY-50').executeTakeFirstOrThrow();
        assert.deepEqual(JSON.parse(product.name), { en: 'Play card 50', ar: 'بطاقة بلاي 50', zh: '游戏卡 50' });
        assert.equal(product.min_quantity, 2);
        assert.deepEqual(JSON.parse(product.fields), [{ name: 'player_id', label: { en: 'Player ID', ar: 'معرّف اللاعب' }, required: true, max_length: 200 }]);
        assert.deepEqual([product.price_minor, product.currency, product.stock_available], [5000, 'USD', 10_007]);
        const type = await souk.db.selectFrom('category_types').selectAll().where('id', '=', product.type_id!).executeTakeFirstOrThrow();
        assert.deepEqual([type.slug, JSON.parse(type.name)], ['united-states', { en: 'USA', zh: '美国' }]);
        const category = await souk.db.selectFrom('categories').selectAll().where('id', '=', product.category_id!).executeTakeFirstOrThrow();
        assert.deepEqual(JSON.parse(category.name), { en: 'Gift cards', ar: 'بطاقات هدايا' });
        const stored = await souk.db.selectFrom('stock_items').select('id').where('product_id', '=', product.id).where('status', '=', 'available').execute();
        assert.equal(stored.length, 10_007);
        const fromFile = await souk.db.selectFrom('stock_items').select('id').where('product_id', '=', product.id).where('batch', '=', 'play50.txt').execute();
        assert.equal(fromFile.length, 9_998, 'codes from the file carry its name as their batch');
        const voided = await souk.db.selectFrom('stock_items').select('id').where('product_id', '=', product.id).where('status', '=', 'void').execute();
        assert.equal(voided.length, 1);
        const coupon = await souk.db.selectFrom('coupons').selectAll().where('product_id', '=', product.id).executeTakeFirstOrThrow();
        assert.deepEqual([coupon.code, coupon.kind, coupon.percent_bp, coupon.usage_limit, coupon.status], ['PLAY10', 'percent', 1000, 5, 'disabled']);
      });
    });
  });
}

// The console and the storefront in a real browser (Debian's chromium, driven by playwright-core)
// against a real `souk serve`: logging in with a wrong, then the right password, and out; the storefront in
// Arabic laid out right to left with its product grid, search and product page, and the language
// switcher's choice kept across a reload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser } from 'playwright-core';
import { DATABASE_KINDS } from '../helpers/databases.js';
import type { ServerProcess } from '../helpers/processes.js';
import { stockedProduct } from '../helpers/orders.js';
import { startBrowsedShop, WAIT_MS, type BrowsedShop } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';

for (const kind of DATABASE_KINDS) {
  describe(`the web apps in a browser (${kind})`, () => {
    let shop: BrowsedShop | undefined;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;

    before(async () => {
      shop = await startBrowsedShop(kind, {
        password: PASSWORD,
        logins: [{ username: 'ann', role: 'owner' }],
        seed: async (souk) => {
          await stockedProduct(souk, { code: 'STEAM-20', slug: 'steam-20', name: { en: 'Steam card 20', zh: 'Steam 充值卡 20' }, price: '140.00', currency: 'CNY' }, 3);
        },
      });
      ({ server, browser } = shop);
    });
    after(() => shop?.close());

    test('the console refuses a wrong password, logs in with the right one, and logs out', async () => {
      const context = await browser!.newContext({ locale: 'en-US' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        await page.goto(`${server!.url}/admin`);
        await page.getByLabel('Username').fill('ann');
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByRole('alert').filter({ hasText: 'Log-in failed' }).waitFor();
        assert.equal(await page.getByTestId('signed-in').count(), 0);

        // The right password by keyboard alone: Tab from the username reaches the password, Enter submits.
        await page.getByLabel('Username').focus();
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate<string>("document.activeElement?.getAttribute('name') ?? ''"), 'password');
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type(PASSWORD);
        await page.keyboard.press('Enter');
        await page.getByTestId('signed-in').filter({ hasText: 'ann (owner)' }).waitFor();
        // The console opens on the dashboard.
        await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
        assert.match(page.url(), /\/admin\/dashboard$/);

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('heading', { name: 'Log in' }).waitFor();
        assert.equal(await page.getByTestId('signed-in').count(), 0);
        // The session ended at the server: a fresh load asks GET /admin/api/session and gets 401.
        await page.reload();
        await page.getByRole('heading', { name: 'Log in' }).waitFor();
        assert.equal(await page.getByTestId('signed-in').count(), 0);
      } finally {
        await context.close();
      }
    });

    test('the storefront follows an Arabic browser right to left, searches and opens a product, and the switcher is remembered', async () => {
      const context = await browser!.newContext({ locale: 'ar' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        await page.goto(`${server!.url}/`);
        await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
        await page.getByRole('heading', { name: 'المنتجات' }).waitFor();
        await page.getByRole('link', { name: 'Steam card 20' }).waitFor();
        await page.getByLabel('ابحث في المنتجات').fill('no such thing');
        await page.getByText('لا توجد منتجات مطابقة.').waitFor();
        await page.getByLabel('ابحث في المنتجات').fill('steam');
        await page.getByRole('link', { name: 'Steam card 20' }).click();
        await page.getByRole('heading', { name: 'Steam card 20' }).waitFor();
        assert.match(page.url(), /\/products\/steam-20$/);

        await page.getByLabel('اللغة').selectOption('en');
        await page.locator('html[lang="en"][dir="ltr"]').waitFor({ state: 'attached' });
        await page.reload();
        await page.getByRole('link', { name: 'Find my order' }).waitFor();
        assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
      } finally {
        await context.close();
      }
    });
  });
}

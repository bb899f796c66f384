// The whole shop run from a browser (issue 20's walk), against one real `souk serve` and Debian's
// chromium: the owner logs in, creates a product, uploads its 10 codes, creates a reseller and its
// key, sets a receiving address and an exchange rate; a customer signs up on the storefront, is
// topped up from the console and buys with the wallet; the order lookup shows the codes; the owner
// finds the order and its timeline. Then a guest pays by crypto and the owner confirms it by hand,
// the storefront in Arabic lays out right to left, and a viewer's write is refused by the API.
// Nothing is arranged behind the browser but the two console logins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/core/accounts/index.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import type { ServerProcess } from '../helpers/processes.js';
import { logInToConsole, startBrowsedShop, WAIT_MS, type BrowsedShop } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';
const TRON_ADDRESS = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';
const CODES = Array.from({ length: 10 }, (_, i) => `WALK-10-${String(i + 1).padStart(4, '0')}`);
const CUSTOMER = 'walker@example.com';

for (const kind of DATABASE_KINDS) {
  describe(`the shop run from a browser, end to end (${kind})`, () => {
    let shop: BrowsedShop | undefined;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;
    let ownerKey: string;
    const contexts: BrowserContext[] = [];

    before(async () => {
      shop = await startBrowsedShop(kind, {
        password: PASSWORD,
        logins: [
          { username: 'ann', role: 'owner' },
          { username: 'vic', role: 'viewer' },
        ],
        seed: async (souk, adminId) => {
          // Only for this test's own checks of what the browser did; the browser never sees it.
          ownerKey = (await createApiKey(souk.db, souk.box, { accountId: adminId })).apiKey;
        },
      });
      ({ server, browser } = shop);
    });
    after(async () => {
      for (const context of contexts) await context.close();
      await shop?.close();
    });

    async function newPage(locale: string, viewport?: { width: number; height: number }): Promise<Page> {
      const context = await browser!.newContext({ locale, ...(viewport ? { viewport } : {}) });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      return page;
    }

    const logIn = (page: Page, username: string) => logInToConsole(page, server!.url, username, PASSWORD);

    async function asOwner(path: string): Promise<Record<string, unknown>> {
      const res = await fetch(`${server!.url}${path}`, { headers: { authorization: `Bearer ${ownerKey}` } });
      const text = await res.text();
      assert.equal(res.status, 200, `${path}: ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    }

    let owner: Page;
    let customer: Page;
    let walletOrder: { id: string; orderNo: string };
    let apiKey: string;

    test('the owner logs in, creates a product, uploads 10 codes, creates a reseller with a key, and sets an address and a rate', async () => {
      owner = await newPage('en-US');
      await logIn(owner, 'ann');

      await owner.getByRole('link', { name: 'Catalog', exact: true }).click();
      await owner.getByRole('link', { name: 'New product' }).click();
      await owner.getByLabel('Code', { exact: true }).fill('WALK-10');
      await owner.getByLabel('Name (English)').fill('Walk card 10');
      await owner.getByLabel('Name (Arabic)').fill('بطاقة المشي 10');
      await owner.getByLabel('Name (Chinese)').fill('步行卡 10');
      await owner.getByLabel('Price', { exact: true }).fill('10.00');
      await owner.getByLabel('Currency', { exact: true }).fill('CNY');
      await owner.getByRole('button', { name: 'Create product' }).click();
      await owner.getByRole('heading', { name: 'Walk card 10 (WALK-10)' }).waitFor();

      await owner.getByLabel('Codes, one per line').fill(CODES.join('\n'));
      await owner.getByRole('button', { name: 'Upload', exact: true }).click();
      await owner.getByRole('region', { name: 'Import report' }).getByText('Added: 10').waitFor();
      await owner.getByRole('list', { name: 'Stock counts' }).getByText('Available: 10').waitFor();

      await owner.getByRole('link', { name: 'Accounts', exact: true }).click();
      await owner.getByLabel('Account name').fill('Walk reseller');
      await owner.getByLabel('Kind', { exact: true }).selectOption('reseller');
      await owner.getByRole('button', { name: 'Create account' }).click();
      await owner.getByRole('heading', { name: 'Walk reseller (Reseller)' }).waitFor();
      await owner.getByRole('navigation', { name: 'Account pages' }).getByRole('link', { name: 'API keys' }).click();
      await owner.getByRole('button', { name: 'Create key' }).click();
      apiKey = await owner.getByLabel('API key', { exact: true }).inputValue();
      assert.match(apiKey, /^sk_live_/);

      await owner.getByRole('link', { name: 'Payments', exact: true }).click();
      await owner.getByRole('link', { name: 'Receiving addresses' }).click();
      await owner.getByLabel('Coin', { exact: true }).selectOption('trc20_usdt');
      await owner.getByLabel('Address', { exact: true }).fill(TRON_ADDRESS);
      await owner.getByRole('button', { name: 'Save' }).click();
      await owner.getByTestId('address-trc20_usdt').filter({ hasText: TRON_ADDRESS }).waitFor();

      await owner.getByRole('link', { name: 'Settings', exact: true }).click();
      await owner.getByRole('link', { name: 'Exchange rates' }).click();
      await owner.getByLabel('Base currency').fill('CNY');
      await owner.getByLabel('Quote currency').fill('USD');
      await owner.getByLabel('Rate (quote per 1 base)').fill('0.14');
      await owner.getByRole('button', { name: 'Save' }).click();
      await owner.getByTestId('fx-CNY-USD').filter({ hasText: '0.14' }).waitFor();

      // The key the console showed works, and its reseller (who pays in USD) sees the product the
      // owner made in CNY, priced through the rate just set.
      const products = await fetch(`${server!.url}/api/v1/products`, { headers: { authorization: `Bearer ${apiKey}` } });
      assert.equal(products.status, 200);
      const listed = (await products.json()) as { products: Array<{ code: string }> };
      assert.ok(listed.products.some((p) => p.code === 'WALK-10'), JSON.stringify(listed));
    });

    test('a customer signs up, is topped up from the console, buys with the wallet, and finds the order again with its codes', async () => {
      customer = await newPage('en-US');
      await customer.goto(`${server!.url}/account/signup`);
      await customer.getByLabel('E-mail').fill(CUSTOMER);
      await customer.getByLabel('Password').fill(PASSWORD);
      await customer.getByRole('button', { name: 'Sign up' }).click();
      await customer.getByRole('heading', { name: 'My account' }).waitFor();

      await owner.goto(`${server!.url}/admin/accounts?kind=customer`);
      await owner.getByRole('link', { name: CUSTOMER }).click();
      await owner.getByRole('navigation', { name: 'Account pages' }).getByRole('link', { name: 'Wallets' }).click();
      const topUp = owner.getByRole('form', { name: 'Top up' });
      await topUp.getByLabel('Amount').fill('100.00');
      await topUp.getByLabel('Note').fill('Paid at the counter');
      await topUp.getByRole('button', { name: 'Top up' }).click();
      await owner.getByRole('table', { name: 'Ledger' }).getByRole('row').filter({ hasText: 'Paid at the counter' }).waitFor();

      await customer.getByRole('button', { name: 'Refresh balances' }).click();
      await customer.getByTestId('balance').filter({ hasText: /^100$/ }).waitFor();
      await customer.goto(`${server!.url}/`);
      await customer.getByRole('link', { name: 'Walk card 10' }).click();
      await customer.getByRole('heading', { name: 'Walk card 10' }).waitFor();
      await customer.getByLabel('Quantity').fill('2');
      await customer.getByLabel('Payment method').selectOption('balance_cny');
      await customer.getByRole('button', { name: 'Buy' }).click();
      await customer.waitForURL(/\/orders\/[^/]+$/);
      await customer.getByTestId('order-status').filter({ hasText: 'Delivered' }).waitFor();
      const delivered = customer.getByRole('list', { name: 'Your codes' }).getByRole('listitem');
      await delivered.first().waitFor();
      const bought = (await delivered.allTextContents()).map((code) => code.trim());
      assert.equal(bought.length, 2);
      for (const code of bought) assert.ok(CODES.includes(code), `${code} is one of the uploaded codes`);

      const id = decodeURIComponent(new URL(customer.url()).pathname.split('/').pop()!);
      const status = (await (await fetch(`${server!.url}/api/orders/${encodeURIComponent(id)}/status`)).json()) as { order: { orderNo: string } };
      walletOrder = { id, orderNo: status.order.orderNo };

      await customer.getByRole('link', { name: 'Find my order' }).click();
      await customer.getByLabel('Order number').fill(walletOrder.orderNo);
      await customer.getByLabel('E-mail').fill(CUSTOMER);
      await customer.getByRole('button', { name: 'Find order' }).click();
      const found = customer.locator('.card ul.codes li');
      await found.first().waitFor();
      assert.deepEqual((await found.allTextContents()).map((code) => code.trim()).sort(), [...bought].sort());
      await customer.getByRole('link', { name: 'My account' }).click();
      await customer.getByTestId('balance').filter({ hasText: /^80$/ }).waitFor();
    });

    test('the owner finds the order, sees its timeline, and its codes stay masked', async () => {
      await owner.getByRole('navigation').getByRole('link', { name: 'Orders', exact: true }).click();
      await owner.getByLabel('Order number or e-mail').fill(walletOrder.orderNo);
      await owner.getByRole('link', { name: walletOrder.orderNo }).click();
      await owner.getByRole('heading', { name: `Order ${walletOrder.orderNo}` }).waitFor();
      await owner.getByTestId('order-status').filter({ hasText: 'Fulfilled' }).waitFor();
      const timeline = owner.getByRole('region', { name: 'Timeline' });
      await timeline.getByText(/Fulfilled/).first().waitFor();
      const page = await owner.content();
      const codes = ((await asOwner(`/admin/api/orders/${encodeURIComponent(walletOrder.id)}`)).order as { items: Array<{ code: string }> }).items;
      assert.equal(codes.length, 2);
      for (const code of CODES) assert.ok(!page.includes(code), `${code} is not shown before it is revealed`);
    });

    test('a guest pays by crypto, the owner confirms the payment by hand, and the order page delivers the code', async () => {
      const guest = await newPage('en-US');
      await guest.goto(`${server!.url}/`);
      await guest.getByRole('link', { name: 'Walk card 10' }).click();
      await guest.getByLabel('Quantity').fill('1');
      await guest.getByLabel('E-mail').fill('guest@example.com');
      await guest.getByLabel('Payment method').selectOption('crypto');
      await guest.getByLabel('Coin').selectOption('trc20_usdt');
      await guest.getByRole('button', { name: 'Buy' }).click();
      await guest.waitForURL(/\/orders\/[^/]+$/);
      await guest.getByTestId('pay-address').filter({ hasText: TRON_ADDRESS }).waitFor();
      await guest.getByRole('img', { name: 'Payment QR code' }).waitFor();
      const amount = (await guest.getByTestId('pay-amount').textContent())!.trim();
      // 10.00 CNY at 0.14 is 1.40 USDT, made unique by a few extra digits.
      assert.match(amount, /^1\.40\d+$/);
      const id = decodeURIComponent(new URL(guest.url()).pathname.split('/').pop()!);

      await owner.getByRole('link', { name: 'Payments', exact: true }).click();
      await owner.getByRole('link', { name: 'Invoices and payments' }).click();
      const row = owner.getByTestId('payment-row').filter({ hasText: id });
      await row.getByRole('button', { name: 'Confirm by hand…' }).click();
      assert.equal(await owner.getByLabel('Amount received').inputValue(), amount);
      await owner.getByLabel('Transaction id').fill(randomBytes(32).toString('hex'));
      await owner.getByRole('button', { name: 'Confirm payment' }).click();
      await owner.getByRole('button', { name: 'Yes, credit the payment' }).click();
      await owner.getByRole('status').filter({ hasText: 'Payment credited' }).waitFor();

      // The guest's page follows the status by itself until the code arrives.
      await guest.getByTestId('order-status').filter({ hasText: 'Delivered' }).waitFor();
      const code = guest.getByRole('list', { name: 'Your codes' }).getByRole('listitem');
      await code.first().waitFor();
      assert.ok(CODES.includes((await code.first().textContent())!.trim()));
      const order = (await asOwner(`/admin/api/orders/${encodeURIComponent(id)}`)).order as { status: string };
      assert.equal(order.status, 'fulfilled');
    });

    test('the storefront in Arabic on a phone lays out right to left', async () => {
      const page = await newPage('ar', { width: 390, height: 844 });
      await page.goto(`${server!.url}/`);
      await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
      await page.getByRole('link', { name: 'ابحث عن طلبي' }).waitFor();
      assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('main')).direction"), 'rtl');
      assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 390, 'the page does not scroll sideways');
    });

    test('a viewer may look but the API refuses the viewer a new product', async () => {
      const viewer = await newPage('en-US');
      await logIn(viewer, 'vic');
      await viewer.getByRole('link', { name: 'Catalog', exact: true }).click();
      await viewer.getByRole('link', { name: 'WALK-10', exact: true }).waitFor();
      await viewer.getByRole('link', { name: 'New product' }).click();
      await viewer.getByLabel('Code', { exact: true }).fill('VIEWER-1');
      await viewer.getByLabel('Name (English)').fill('Made by a viewer');
      await viewer.getByLabel('Price', { exact: true }).fill('1.00');
      await viewer.getByRole('button', { name: 'Create product' }).click();
      await viewer.getByRole('alert').filter({ hasText: /viewer/ }).waitFor();
      const missing = await fetch(`${server!.url}/admin/api/products/VIEWER-1`, { headers: { authorization: `Bearer ${ownerKey}` } });
      assert.equal(missing.status, 404);
    });
  });
}

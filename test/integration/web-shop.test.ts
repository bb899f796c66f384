// The storefront in a real browser (Debian's chromium, driven by playwright-core) against a real
// `souk serve`: a guest crypto checkout reaching the payment step (address, exact amount, QR code,
// countdown); a customer who signs up, is credited by the shop (admin API), buys with the balance
// and sees the order delivered with its codes; a guest paying with WeChat Pay (a fake written from
// its documents) shown the QR code to scan, and one paying with Alipay likewise; and a product page at phone width in Arabic, right
// to left without sideways scrolling.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContextOptions } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { createAccount, createApiKey } from '../../src/core/accounts/index.js';
import { createCategory } from '../../src/core/catalog/index.js';
import { setFxRate } from '../../src/core/wallets/index.js';
import { setReceivingAddress } from '../../src/core/payments/index.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { testEnv } from '../helpers/souk.js';
import { stockDeps, stockedProduct } from '../helpers/orders.js';
import { launchBrowser, WAIT_MS } from '../helpers/browser.js';
import { startFakeWechatPay, wechatEnv, type FakeWechatPay } from '../fakes/wechat.js';
import { startFakeAlipay, type FakeAlipay } from '../fakes/alipay.js';

const TRON_ADDRESS = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';
const PASSWORD = 'correct horse battery';

for (const kind of DATABASE_KINDS) {
  describe(`the storefront in a browser (${kind})`, () => {
    let database: TestDatabase;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;
    let adminKey: string;
    let wechat: FakeWechatPay | undefined;
    let alipay: FakeAlipay | undefined;

    before(async () => {
      database = await createTestDatabase(kind);
      // WeChat Pay and Alipay (QR mode) are configured against fakes written from their documents (test/fakes/).
      wechat = await startFakeWechatPay();
      alipay = await startFakeAlipay();
      const env = testEnv(database, alipay.env({ ...wechatEnv(wechat.keys, wechat.url), SOUK_PUBLIC_URL: 'https://shop.example.com' }));
      const souk = await openSouk(loadConfig(env));
      try {
        const admin = await createAccount(souk.db, { name: 'Shop owner', kind: 'admin' });
        adminKey = (await createApiKey(souk.db, souk.box, { accountId: admin.id })).apiKey;
        await createCategory(stockDeps(souk), { slug: 'gift-cards', name: { en: 'Gift cards', ar: 'بطاقات الهدايا', zh: '礼品卡' } });
        await stockedProduct(souk, { code: 'STEAM-20', slug: 'steam-20', name: { en: 'Steam card 20', zh: 'Steam 充值卡 20' }, price: '140.00', currency: 'CNY', category: 'gift-cards' }, 10);
        // Crypto is offered once a coin has an address; USDT is priced through the CNY → USD rate.
        await setFxRate(souk, 'CNY', 'USD', '0.14');
        await setReceivingAddress(souk.db, 'trc20_usdt', TRON_ADDRESS, 'test');
      } finally {
        await souk.close();
      }
      server = await spawnServer(env, ['--host', '127.0.0.1']);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await database?.drop();
      await wechat?.close();
      await alipay?.close();
    });

    async function newPage(options: BrowserContextOptions) {
      const context = await browser!.newContext(options);
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      return { context, page };
    }

    /** The shop's admin API, as the owner's key. */
    async function admin(method: string, path: string, body?: object) {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    }

    test('a guest pays by crypto: the payment step shows the address, the exact amount, a QR code and the time left', async () => {
      const { context, page } = await newPage({ locale: 'en-US' });
      try {
        await page.goto(`${server!.url}/`);
        await page.getByRole('heading', { name: 'Gift cards' }).waitFor();
        await page.getByRole('link', { name: 'Steam card 20' }).click();
        await page.getByRole('heading', { name: 'Steam card 20' }).waitFor();
        await page.getByLabel('Quantity').fill('1');
        await page.getByLabel('E-mail').fill('guest@example.com');
        await page.getByLabel('Payment method').selectOption('crypto');
        await page.getByLabel('Coin').selectOption('trc20_usdt');
        await page.getByLabel('Coupon').fill('');
        await page.getByRole('button', { name: 'Buy' }).click();

        await page.waitForURL(/\/orders\/[^/]+$/);
        await page.getByTestId('pay-address').filter({ hasText: TRON_ADDRESS }).waitFor();
        const orderId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
        const status = (await (await fetch(`${server!.url}/api/orders/${encodeURIComponent(orderId)}/status`)).json()) as {
          order: { status: string; payment: { address: string; amount: string; expiresAt: string } };
        };
        assert.equal(status.order.status, 'pending');
        // The exact amount the API asks, to the last unit (its last digits identify the order).
        assert.equal((await page.getByTestId('pay-amount').textContent())?.trim(), status.order.payment.amount);
        // 140 CNY at 0.14 is 19.60 USD, plus a few smallest units of the coin that are the order's own.
        assert.match(status.order.payment.amount, /^19\.60\d+$/);
        assert.notEqual(status.order.payment.amount.replace(/0+$/, ''), '19.6');
        await page.getByRole('img', { name: 'Payment QR code' }).waitFor();
        assert.ok((await page.getByRole('img', { name: 'Payment QR code' }).locator('path').count()) > 0, 'the QR code is drawn');
        assert.match((await page.getByRole('timer').textContent()) ?? '', /^(\d+:)?\d{2}:\d{2}$/);
        assert.equal(await page.getByTestId('order-status').textContent(), 'Waiting for payment');
      } finally {
        await context.close();
      }
    });

    test('a guest pays with Alipay: the payment step shows the QR code of the trade Alipay precreated', async () => {
      const { context, page } = await newPage({ locale: 'en-US' });
      try {
        await page.goto(`${server!.url}/products/steam-20`);
        await page.getByLabel('Quantity').fill('1');
        await page.getByLabel('E-mail').fill('alipay-guest@example.com');
        await page.getByLabel('Payment method').selectOption('alipay');
        await page.getByRole('button', { name: 'Buy' }).click();
        await page.waitForURL(/\/orders\/[^/]+$/);
        await page.getByRole('img', { name: 'Payment QR code' }).waitFor();
        assert.ok((await page.getByRole('img', { name: 'Payment QR code' }).locator('path').count()) > 0, 'the QR code is drawn');
        assert.equal(await page.getByTestId('order-status').textContent(), 'Waiting for payment');
        const trades = [...alipay!.trades.values()];
        assert.deepEqual(trades.map((trade) => [trade.via, trade.totalAmount]), [['precreate', '140.00']]);
        assert.deepEqual(alipay!.problems, []);
      } finally {
        await context.close();
      }
    });

    test('a guest pays with WeChat Pay: the payment step shows the QR code of the Native pay order WeChat Pay opened', async () => {
      const { context, page } = await newPage({ locale: 'en-US' });
      try {
        await page.goto(`${server!.url}/products/steam-20`);
        await page.getByLabel('Quantity').fill('1');
        await page.getByLabel('E-mail').fill('wechat-guest@example.com');
        await page.getByLabel('Payment method').selectOption('wechat');
        await page.getByRole('button', { name: 'Buy' }).click();
        await page.waitForURL(/\/orders\/[^/]+$/);
        await page.getByRole('img', { name: 'Payment QR code' }).waitFor();
        assert.ok((await page.getByRole('img', { name: 'Payment QR code' }).locator('path').count()) > 0, 'the QR code is drawn');
        assert.equal(await page.getByTestId('order-status').textContent(), 'Waiting for payment');
        // WeChat Pay holds exactly one order for it, for the order's amount in fen.
        const opened = [...wechat!.orders.values()];
        assert.equal(opened.length, 1);
        assert.equal(opened[0]!.total, 14000);
      } finally {
        await context.close();
      }
    });

    test('a customer signs up, is credited, buys with the balance and the order page shows the codes', async () => {
      const email = `buyer-${kind}@example.com`;
      const { context, page } = await newPage({ locale: 'en-US' });
      try {
        await page.goto(`${server!.url}/account/signup`);
        await page.getByLabel('E-mail').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page.getByRole('heading', { name: 'My account' }).waitFor();
        await page.getByText(email).waitFor();
        assert.equal(await page.getByTestId('balance').textContent(), '0');

        // With an empty balance the API refuses the order (402 insufficient_balance), shown in the buyer's words.
        await page.goto(`${server!.url}/products/steam-20`);
        await page.getByLabel('Payment method').selectOption('balance_cny');
        await page.getByRole('button', { name: 'Buy' }).click();
        await page.getByRole('alert').filter({ hasText: 'Your balance is too low for this order; top it up first.' }).waitFor();
        await page.getByRole('link', { name: 'My account' }).click();

        // The shop credits the customer's balance (the admin API's wallet top-up).
        const accounts = (await admin('GET', '/admin/api/accounts')).accounts as Array<{ id: number; name: string }>;
        const account = accounts.find((a) => a.name === email);
        assert.ok(account, `no account for ${email}`);
        await admin('POST', `/admin/api/accounts/${account.id}/wallets/topup`, { amount: '500.00', currency: 'CNY' });
        await page.getByRole('button', { name: 'Refresh balances' }).click();
        await page.getByTestId('balance').filter({ hasText: /^500$/ }).waitFor();

        await page.goto(`${server!.url}/products/steam-20`);
        await page.getByLabel('Quantity').fill('2');
        await page.getByLabel('Payment method').selectOption('balance_cny');
        assert.equal(await page.getByLabel('E-mail').inputValue(), email);
        await page.getByRole('button', { name: 'Buy' }).click();

        await page.waitForURL(/\/orders\/[^/]+$/);
        await page.getByTestId('order-status').filter({ hasText: 'Delivered' }).waitFor();
        const codes = page.getByRole('list', { name: 'Your codes' }).getByRole('listitem');
        await codes.first().waitFor();
        const shown = await codes.allTextContents();
        assert.equal(shown.length, 2);
        for (const code of shown) assert.match(code, /^STEAM-20-000\d$/);

        await page.getByRole('link', { name: 'My account' }).click();
        await page.getByTestId('balance').filter({ hasText: /^220$/ }).waitFor();
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('link', { name: 'Log in' }).waitFor();
        await page.goto(`${server!.url}/account`);
        await page.getByRole('button', { name: 'Log in' }).waitFor();
      } finally {
        await context.close();
      }
    });

    test('at phone width in Arabic the product page reads right to left and fits the screen', async () => {
      const { context, page } = await newPage({ locale: 'ar', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      try {
        await page.goto(`${server!.url}/products/steam-20`);
        await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
        await page.getByRole('heading', { name: 'اشترِ الآن' }).waitFor();
        await page.getByLabel('طريقة الدفع').waitFor();
        // Expressions as text: this file is compiled for Node, without the DOM's types.
        assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('main')).direction"), 'rtl');
        // Right to left: the "back" link starts at the right-hand side of the screen.
        const back = await page.getByRole('link', { name: 'رجوع' }).boundingBox();
        assert.ok(back && back.x > 390 / 2, `the back link sits at x=${back?.x}`);
        // Nothing wider than the phone: no sideways scrolling.
        assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 390, 'the page scrolls sideways');
      } finally {
        await context.close();
      }
    });
  });
}

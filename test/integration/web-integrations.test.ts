// The console's payments, settings and providers areas in a real browser (Debian's chromium, driven
// by playwright-core) against a real `souk serve`, on SQLite and PostgreSQL: the owner sets a
// receiving address, a crypto order placed through the shop API shows under payments and is
// confirmed by hand (with the confirmation step), after which the order is delivered; an FX rate is
// set; a provider on 127.0.0.1 (a fake SMM panel) is added and its balance seen; a Zid store is
// connected through the Zid simulator's OAuth and shown, then marked for reconnection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { createAccount, createUser } from '../../src/core/accounts/index.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { testEnv } from '../helpers/souk.js';
import { stockedProduct } from '../helpers/orders.js';
import { startFakeSmm, type FakeSmm } from '../helpers/fake-smm.js';
import { freePort, zidEnv } from '../helpers/zid.js';
import { startZidSimulator, type ZidSimulator } from '../fakes/zid/index.js';
import type { Env } from '../../src/config.js';
import { launchBrowser, WAIT_MS } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';
const TRON_ADDRESS = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

for (const kind of DATABASE_KINDS) {
  describe(`the console's payments, settings and providers in a browser (${kind})`, () => {
    let database: TestDatabase;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;
    let panel: FakeSmm | undefined;
    let zid: ZidSimulator | undefined;
    let env: Env;
    let productId: number;

    before(async () => {
      database = await createTestDatabase(kind);
      // USD: the trc20_usdt coin is priced 1:1 and needs no rate. Providers on this machine are allowed.
      // Zid must know where to send the merchant back, so the port is chosen before Souk starts.
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      zid = await startZidSimulator({ redirectUri: `${publicUrl}/connect/zid/callback`, limit: 10_000 });
      env = testEnv(database, { SOUK_SHOP_CURRENCY: 'USD', SOUK_UPSTREAM_ALLOW_PRIVATE: '1', ...zidEnv(zid, publicUrl) });
      const souk = await openSouk(loadConfig(env));
      try {
        const admin = await createAccount(souk.db, { name: 'Shop owner', kind: 'admin' });
        await createUser(souk.db, { accountId: admin.id, username: 'ann', password: PASSWORD, role: 'owner' });
        productId = await stockedProduct(souk, { code: 'GIFT-10', slug: 'gift-10', name: { en: 'Gift card 10' }, price: '10.00', currency: 'USD' }, 3);
      } finally {
        await souk.close();
      }
      panel = await startFakeSmm({ balance: '250.50000', currency: 'USD' });
      server = await spawnServer(env, ['--host', '127.0.0.1', '--port', String(port)]);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await panel?.close();
      await zid?.close();
      await database?.drop();
    });

    async function loggedIn(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser!.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      await page.goto(`${server!.url}/admin`);
      await page.getByLabel('Username').fill('ann');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('signed-in').filter({ hasText: 'ann (owner)' }).waitFor();
      return { context, page };
    }

    test('the owner sets a receiving address, and a crypto order from the shop API is confirmed by hand and delivered', async () => {
      const { context, page } = await loggedIn();
      try {
        await page.getByRole('link', { name: 'Payments', exact: true }).click();
        await page.getByRole('link', { name: 'Receiving addresses' }).click();
        await page.getByLabel('Coin', { exact: true }).selectOption('trc20_usdt');
        await page.getByLabel('Address', { exact: true }).fill(TRON_ADDRESS);
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByRole('status').filter({ hasText: 'Address for trc20_usdt saved.' }).waitFor();
        await page.getByTestId('address-trc20_usdt').filter({ hasText: TRON_ADDRESS }).waitFor();

        // A buyer orders through the shop API, to pay in USDT on TRON.
        const placed = await fetch(`${server!.url}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ productId: String(productId), quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin: 'trc20_usdt' }),
        });
        assert.equal(placed.status, 200, await placed.clone().text());
        const order = ((await placed.json()) as { order: { id: string; orderNo: string; status: string; payment: { address: string; amount: string } } }).order;
        assert.equal(order.payment.address, TRON_ADDRESS);

        await page.getByRole('link', { name: 'Invoices and payments' }).click();
        const row = page.getByTestId('payment-row').filter({ hasText: order.id });
        await row.getByText('Open').waitFor();
        await row.getByRole('button', { name: 'Confirm by hand…' }).click();
        assert.equal(await page.getByLabel('Order number or id').inputValue(), order.id);
        assert.equal(await page.getByLabel('Amount received').inputValue(), order.payment.amount);
        await page.getByLabel('Transaction id').fill(randomBytes(32).toString('hex'));
        await page.getByRole('button', { name: 'Confirm payment' }).click();
        // The confirmation step: nothing is credited until the owner says yes.
        await page.getByRole('group').filter({ hasText: `Credit ${order.payment.amount} to order ${order.id}?` }).waitFor();
        const stillOpen = await context.request.get(`${server!.url}/admin/api/orders/${order.id}`);
        assert.equal(((await stillOpen.json()) as { order: { status: string } }).order.status, 'awaiting_payment');
        await page.getByRole('button', { name: 'Yes, credit the payment' }).click();
        await page.getByRole('status').filter({ hasText: 'Payment credited. The order is now fulfilled' }).waitFor();
        await row.getByText('Paid').waitFor();

        // Delivered: the admin API says fulfilled and the buyer's lookup shows the code.
        const fulfilled = await context.request.get(`${server!.url}/admin/api/orders/${order.id}`);
        assert.equal(((await fulfilled.json()) as { order: { status: string } }).order.status, 'fulfilled');
        const lookup = await fetch(`${server!.url}/api/orders/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderNo: order.orderNo, email: 'buyer@example.com' }) });
        const found = ((await lookup.json()) as { order: { items?: string[] } }).order;
        assert.equal(found.items?.length, 1);
        assert.match(found.items![0]!, /^GIFT-10-\d{4}$/);
      } finally {
        await context.close();
      }
    });

    test('the owner sets an FX rate and sees it listed', async () => {
      const { context, page } = await loggedIn();
      try {
        await page.getByRole('link', { name: 'Settings', exact: true }).click();
        await page.getByTestId('shop-currency').filter({ hasText: 'USD' }).waitFor();
        await page.getByRole('link', { name: 'Exchange rates' }).click();
        await page.getByLabel('Base currency').fill('usd');
        await page.getByLabel('Quote currency').fill('CNY');
        await page.getByLabel('Rate (quote per 1 base)').fill('7.1234');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByRole('status').filter({ hasText: 'Rate USD/CNY set to 7.1234.' }).waitFor();
        await page.getByTestId('fx-USD-CNY').filter({ hasText: '7.1234' }).waitFor();
        const rates = await context.request.get(`${server!.url}/admin/api/fx-rates`);
        const listed = ((await rates.json()) as { rates: Array<{ base: string; quote: string; rate: string }> }).rates;
        assert.ok(listed.some((r) => r.base === 'USD' && r.quote === 'CNY' && Number(r.rate) === 7.1234), JSON.stringify(listed));
      } finally {
        await context.close();
      }
    });

    test('the owner adds a provider on 127.0.0.1 and sees its balance', async () => {
      const { context, page } = await loggedIn();
      try {
        await page.getByRole('link', { name: 'Providers', exact: true }).click();
        await page.getByText('No providers yet.').waitFor();
        await page.getByLabel('Provider name').fill('Local panel');
        await page.getByLabel('API base URL').fill(panel!.url);
        await page.getByLabel('Dialect').selectOption('smm');
        await page.getByLabel('API key').fill(panel!.key);
        await page.getByLabel('Provider currency').fill('USD');
        await page.getByLabel('Markup percent').fill('10');
        await page.getByRole('button', { name: 'Add provider' }).click();
        await page.getByRole('heading', { name: 'Local panel' }).waitFor();
        // The key went in and never comes out.
        assert.equal(await page.getByText(panel!.key).count(), 0);
        await page.getByRole('button', { name: 'Check now' }).click();
        await page.getByRole('status').filter({ hasText: 'balance 250.5' }).waitFor();
        await page.getByTestId('provider-balance').filter({ hasText: /250\.5\d* USD/ }).waitFor();
        assert.ok(panel!.count('balance') >= 1, 'the panel was asked');
      } finally {
        await context.close();
      }
    });

    test('the owner connects a Zid store through its OAuth, sees it, and a store Zid refused is highlighted for reconnection', async () => {
      const { context, page } = await loggedIn();
      try {
        await page.getByRole('link', { name: 'Zid', exact: true }).click();
        await page.getByText('No Zid stores connected.').waitFor();
        await page.getByRole('button', { name: 'Connect a Zid store' }).click();
        // The merchant follows the link to Zid, approves, and Zid sends them back to Souk's callback.
        await page.getByRole('link', { name: 'Continue to Zid' }).click();
        await page.getByText(/is connected to Souk/).waitFor();
        assert.ok(page.url().startsWith(`${server!.url}/connect/zid/callback`), page.url());

        await page.goto(`${server!.url}/admin/zid`);
        const row = page.getByRole('row').filter({ hasText: 'Souk Simulator Store' });
        await row.getByText('Connected', { exact: true }).waitFor();
        await row.getByRole('link', { name: 'Souk Simulator Store' }).click();
        await page.getByRole('heading', { name: 'Souk Simulator Store' }).waitFor();
        await page.getByRole('heading', { name: 'Recent fulfilments' }).waitFor();
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByRole('status').filter({ hasText: /A sync (was|is already) queued/ }).waitFor();

        // What a refused token refresh leaves behind (core/zid's keeper marks the store so).
        const souk = await openSouk(loadConfig(env));
        try {
          await souk.db.updateTable('zid_stores').set({ status: 'needs_reconnect', last_error: 'Zid refused the refresh token' }).execute();
        } finally {
          await souk.close();
        }
        await page.goto(`${server!.url}/admin/zid`);
        await page.getByRole('alert').filter({ hasText: '1 store(s) need reconnection' }).waitFor();
        await row.getByText('Needs reconnection').waitFor();
        assert.match((await row.getAttribute('class')) ?? '', /attention/);
        await row.getByRole('link', { name: 'Souk Simulator Store' }).click();
        await page.getByRole('button', { name: 'Reconnect this store' }).waitFor();
      } finally {
        await context.close();
      }
    });
  });
}

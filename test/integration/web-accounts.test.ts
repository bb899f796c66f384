// The console's accounts area in a real browser (Debian's chromium, driven by playwright-core)
// against a real `souk serve` with its worker: an owner creates a reseller, issues it an API key
// whose secret is shown once (and not after a reload) and works against /api/v1, tops up and adjusts
// its wallet and sees the ledger, adds a webhook endpoint whose test event is delivered, signed
// with the secret shown once, and listed in the delivery log, then suspends the account, which
// stops the key. A viewer is refused a change by the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type Page } from 'playwright-core';
import { DATABASE_KINDS } from '../helpers/databases.js';
import type { ServerProcess } from '../helpers/processes.js';
import { startReceiver, verifyReceipt, type Receiver } from '../helpers/receiver.js';
import { logInToConsole, startBrowsedShop, WAIT_MS, type BrowsedShop } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';

const logIn = (page: Page, url: string, username: string) => logInToConsole(page, url, username, PASSWORD);

for (const kind of DATABASE_KINDS) {
  describe(`the console's accounts area in a browser (${kind})`, () => {
    let shop: BrowsedShop | undefined;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;
    let receiver: Receiver | undefined;

    before(async () => {
      receiver = await startReceiver();
      shop = await startBrowsedShop(kind, {
        password: PASSWORD,
        logins: [
          { username: 'ann', role: 'owner' },
          { username: 'vic', role: 'viewer' },
        ],
        // The test's webhook receiver listens on 127.0.0.1, a private address.
        env: { SOUK_WEBHOOK_ALLOW_PRIVATE: '1' },
        serveArgs: ['--worker'],
      });
      ({ server, browser } = shop);
    });
    after(async () => {
      await shop?.close();
      await receiver?.close();
    });

    test('an owner creates a reseller, its key (shown once, working), tops up its wallet and adds a webhook endpoint whose test is delivered', async () => {
      const context = await browser!.newContext({ locale: 'en-US' });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server!.url });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        await logIn(page, server!.url, 'ann');

        await page.getByRole('link', { name: 'Accounts' }).click();
        await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
        await page.getByLabel('Account name').fill('Acme Resale');
        await page.getByLabel('Kind', { exact: true }).selectOption('reseller');
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('heading', { name: 'Acme Resale (Reseller)' }).waitFor();
        const accountId = /\/admin\/accounts\/(\d+)$/.exec(page.url())?.[1];
        assert.ok(accountId, page.url());
        const tabs = page.getByRole('navigation', { name: 'Account pages' });

        // The key: its secret is on the page once, with a copy button that copies it.
        await tabs.getByRole('link', { name: 'API keys' }).click();
        await page.getByLabel('Label').fill('Storefront');
        await page.getByRole('button', { name: 'Create key' }).click();
        const shown = page.getByLabel('API key', { exact: true });
        await shown.waitFor();
        const apiKey = await shown.inputValue();
        assert.match(apiKey, /^sk_live_/);
        await page.getByText('This is the only time it is shown.').waitFor();
        await page.getByRole('button', { name: 'Copy API key' }).click();
        await page.getByText('API key copied.').waitFor();
        assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), apiKey);
        await page.getByRole('row').filter({ hasText: 'Storefront' }).waitFor();

        await page.reload();
        await page.getByRole('row').filter({ hasText: 'Storefront' }).waitFor();
        assert.equal(await page.getByLabel('API key', { exact: true }).count(), 0);
        assert.ok(!(await page.content()).includes(apiKey), 'the secret is not on the page after a reload');

        const me = await fetch(`${server!.url}/api/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } });
        assert.equal(me.status, 200);
        const body = (await me.json()) as { name: string; kind: string; account_id: number };
        assert.deepEqual({ name: body.name, kind: body.kind, account_id: body.account_id }, { name: 'Acme Resale', kind: 'reseller', account_id: Number(accountId) });

        // The wallet: a top-up, then an adjustment with its reason, both in the ledger.
        await tabs.getByRole('link', { name: 'Wallets' }).click();
        await page.getByText('No wallets yet: the first top-up opens one.').waitFor();
        const topUp = page.getByRole('form', { name: 'Top up' });
        await topUp.getByLabel('Amount').fill('100.00');
        await topUp.getByLabel('Note').fill('Bank transfer 42');
        await topUp.getByRole('button', { name: 'Top up' }).click();
        const ledger = page.getByRole('table', { name: 'Ledger' });
        await ledger.getByRole('row').filter({ hasText: 'Bank transfer 42' }).filter({ hasText: '100.00 USD' }).waitFor();
        await page.getByTestId('balance-USD').filter({ hasText: '100.00 USD' }).waitFor();
        const adjust = page.getByRole('form', { name: 'Adjustment' });
        await adjust.getByLabel('Amount').fill('-2.50');
        await adjust.getByLabel('Reason').fill('Fee correction');
        await adjust.getByRole('button', { name: 'Adjust' }).click();
        await ledger.getByRole('row').filter({ hasText: 'Fee correction' }).filter({ hasText: '-2.50 USD' }).filter({ hasText: '97.50 USD' }).waitFor();
        await page.getByTestId('balance-USD').filter({ hasText: '97.50 USD' }).waitFor();

        // A webhook endpoint: its secret shown once, a test event delivered and in the log.
        await tabs.getByRole('link', { name: 'Webhooks' }).click();
        await page.getByLabel('Endpoint URL').fill(receiver!.url);
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        const secretField = page.getByLabel('Webhook signing secret');
        await secretField.waitFor();
        const secret = await secretField.inputValue();
        assert.match(secret, /^whsec_/);
        await page.getByRole('button', { name: 'I have saved it' }).click();
        await page.getByRole('link', { name: receiver!.url }).click();
        await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
        await page.getByRole('button', { name: 'Send test event' }).click();
        const log = page.getByRole('table', { name: 'Delivery log' });
        await log.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'Delivered' }).waitFor();
        await receiver!.waitFor((receipts) => receipts.some((r) => r.event.type === 'webhook.test'), WAIT_MS, 'the test event');
        verifyReceipt(receiver!.receipts.find((r) => r.event.type === 'webhook.test')!, secret);

        // Settings: a credit limit and a suspension, which the API then enforces on the key.
        await page.getByRole('link', { name: 'Back' }).click();
        await tabs.getByRole('link', { name: 'Settings' }).click();
        await page.getByLabel('Credit limit').fill('50.00');
        await page.getByLabel('Status').selectOption('suspended');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('Saved.').waitFor();
        const details = page.locator('dl.acc-details');
        await details.getByText('50.00 USD').waitFor();
        await details.getByText('Suspended').waitFor();
        assert.equal((await fetch(`${server!.url}/api/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } })).status, 401);
      } finally {
        await context.close();
      }
    });

    test('a viewer sees the accounts but the API refuses the viewer a new account', async () => {
      const context = await browser!.newContext({ locale: 'en-US' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT_MS);
        await logIn(page, server!.url, 'vic');
        await page.goto(`${server!.url}/admin/accounts?kind=admin`);
        await page.getByRole('link', { name: 'Shop owner' }).waitFor();
        await page.getByLabel('Account name').fill('Viewer made');
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('alert').filter({ hasText: /viewer/ }).waitFor();
        await page.reload();
        await page.getByRole('link', { name: 'Shop owner' }).waitFor();
        assert.equal(await page.getByRole('link', { name: 'Viewer made' }).count(), 0);
      } finally {
        await context.close();
      }
    });
  });
}

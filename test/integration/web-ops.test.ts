// The console's dashboard and order desk in a real browser (Debian's chromium, driven by
// playwright-core) against a real `souk serve`, on SQLite and PostgreSQL: the owner logs in and the
// dashboard shows the figures seeded; an order in review is approved from the console and its
// timeline says so; a delivered code is revealed and the audit log records who did it; a manual
// order is fulfilled by hand; a trade-in is decided code by code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { openSouk } from '../../src/app.js';
import { createAccount, createApiKey, createUser } from '../../src/core/accounts/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../helpers/databases.js';
import { spawnServer, type ServerProcess } from '../helpers/processes.js';
import { createReseller, testEnv } from '../helpers/souk.js';
import { fund, stockDeps, stockedProduct } from '../helpers/orders.js';
import { launchBrowser, WAIT_MS } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery';

interface Placed {
  order_id: string;
  number: string;
  status: string;
}

for (const kind of DATABASE_KINDS) {
  describe(`the console's dashboard and orders in a browser (${kind})`, () => {
    let database: TestDatabase;
    let server: ServerProcess | undefined;
    let browser: Browser | undefined;
    let adminKey: string;
    const keys = { reseller: '', risky: '', partner: '' };
    let riskyAccountId = 0;
    const placed: Record<'sold' | 'sold2' | 'manual' | 'review', Placed> = {} as never;

    async function call<T>(method: string, path: string, key: string, body?: object): Promise<T> {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    }
    const place = async (key: string, body: object) => (await call<{ order: Placed }>('POST', '/api/v1/orders', key, body)).order;

    /** A browser context logged in as the owner, on the console's home. */
    async function loggedIn(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser!.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      await page.goto(`${server!.url}/admin`);
      await page.getByLabel('Username').fill('olga');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
      return { context, page };
    }

    /** Opens an order from the list, found by searching its number. */
    async function openOrder(page: Page, order: Placed): Promise<void> {
      await page.getByRole('navigation').getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByLabel('Order number or e-mail').fill(order.number);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: order.number }).click();
      await page.getByRole('heading', { name: `Order ${order.number}` }).waitFor();
    }

    before(async () => {
      database = await createTestDatabase(kind);
      const env = testEnv(database);
      const souk = await openSouk(loadConfig(env));
      try {
        const admin = await createAccount(souk.db, { name: 'Shop owner', kind: 'admin' });
        await createUser(souk.db, { accountId: admin.id, username: 'olga', password: PASSWORD, role: 'owner' });
        adminKey = (await createApiKey(souk.db, souk.box, { accountId: admin.id })).apiKey;
        const reseller = await createReseller(souk, { name: 'Reseller' });
        const risky = await createReseller(souk, { name: 'Risky' });
        keys.reseller = reseller.apiKey;
        keys.risky = risky.apiKey;
        keys.partner = (await createReseller(souk, { name: 'Trader', kind: 'partner' })).apiKey;
        riskyAccountId = risky.accountId;
        await fund(souk, reseller.accountId, 100_000);
        await fund(souk, risky.accountId, 100_000);
        await stockedProduct(souk, { code: 'CARD', name: 'Gift card', price: '2.50' }, 20);
        await stockedProduct(souk, { code: 'RISKY', name: 'Risky card', price: '4.00' }, 3);
        await createProduct(stockDeps(souk), { code: 'HAND', name: 'Hand-made', price: '3.00', fulfillment: 'manual' });
      } finally {
        await souk.close();
      }
      server = await spawnServer(env, ['--host', '127.0.0.1']);
      // Two sales today (5.00 USD), a manual order waiting, and one order the risk score sends to review.
      placed.sold = await place(keys.reseller, { product: 'CARD', buyer: { email: 'first@example.com' } });
      placed.sold2 = await place(keys.reseller, { product: 'CARD', buyer: { email: 'second@example.com' } });
      placed.manual = await place(keys.reseller, { product: 'HAND' });
      await call('PUT', '/admin/api/products/RISKY/risk', adminKey, { high_risk: true });
      await call('PATCH', `/admin/api/accounts/${riskyAccountId}`, adminKey, { risk_review_score: 1 });
      placed.review = await place(keys.risky, { product: 'RISKY' });
      // A trade-in of two codes waiting to be verified.
      await call('POST', '/admin/api/products', adminKey, { code: 'BUY', name: 'Bought back', price: '5.00', buyback_price: '1.00' });
      await call('POST', '/api/v1/trade-ins', keys.partner, { product: 'BUY', items: [{ code: 'TRADE-AAAA-0001' }, { code: 'TRADE-AAAA-0002' }] });
      assert.deepEqual([placed.sold.status, placed.manual.status, placed.review.status], ['fulfilled', 'processing', 'review']);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await database?.drop();
    });

    test('the owner logs in and the dashboard shows the figures seeded', async () => {
      const { context, page } = await loggedIn();
      try {
        assert.match(page.url(), /\/admin\/dashboard$/);
        const today = new Date().toISOString().slice(0, 10);
        const sales = page.getByRole('region', { name: 'Sales per day' });
        const row = sales.getByRole('row', { name: today });
        await row.waitFor();
        assert.deepEqual(await row.getByRole('cell').allInnerTexts(), ['2', '5.00 USD']);
        const byStatus = page.getByRole('region', { name: 'Orders by status' });
        const figure = async (name: string) => (await byStatus.getByRole('link', { name, exact: true }).locator('xpath=../following-sibling::dd').innerText()).trim();
        assert.deepEqual([await figure('Fulfilled'), await figure('Processing'), await figure('In review'), await figure('Cancelled')], ['2', '1', '1', '0']);
        await page.getByRole('region', { name: 'Review queue' }).getByText('1 order waiting').waitFor();
        await page.getByRole('region', { name: 'Trade-ins waiting' }).getByText('1 trade-in to verify').waitFor();
        // RISKY has 2 of 3 codes left (one held by the order in review); CARD has 18.
        const low = page.getByRole('region', { name: 'Low stock' });
        await low.getByText('Risky card (RISKY): 2 available').waitFor();
        assert.equal(await low.getByText('Gift card').count(), 0);
        await page.getByRole('region', { name: 'Failed upstream calls' }).getByText('0 failed calls in this period').waitFor();
        // The chart itself is loaded on demand and drawn.
        await sales.locator('.recharts-bar-rectangle').first().waitFor();
      } finally {
        await context.close();
      }
    });

    test('an order in review is approved from the console and its timeline shows it', async () => {
      const { context, page } = await loggedIn();
      try {
        await openOrder(page, placed.review);
        await page.getByTestId('order-status').filter({ hasText: 'In review' }).waitFor();
        const risk = page.getByRole('region', { name: 'Risk' });
        await risk.getByText(/Score \d+ of 100/).waitFor();
        assert.ok((await risk.getByRole('listitem').count()) >= 1, 'the rules that fired are listed');
        await page.getByRole('button', { name: 'Approve' }).click();
        await page.getByRole('button', { name: 'Confirm: Approve' }).click();
        await page.getByTestId('order-status').filter({ hasText: 'Fulfilled' }).waitFor();
        const timeline = page.getByRole('region', { name: 'Timeline' });
        await timeline.getByText(/In review → Fulfilled \(by user:\d+\) — approved in review/).waitFor();
        const answer = await call<{ order: { status: string } }>('GET', `/admin/api/orders/${placed.review.order_id}`, adminKey);
        assert.equal(answer.order.status, 'fulfilled');
        // Nothing is left to decide in the review queue.
        await page.getByRole('navigation').getByRole('link', { name: 'Reviews' }).click();
        await page.getByText('No order is waiting for review.').waitFor();
      } finally {
        await context.close();
      }
    });

    test('a delivered code is masked until revealed, and the reveal is in the audit log', async () => {
      const { context, page } = await loggedIn();
      try {
        await openOrder(page, placed.sold);
        const code = page.getByTestId('delivered-code');
        await code.waitFor();
        const masked = await code.innerText();
        assert.match(masked, /•/);
        await page.getByRole('button', { name: `Reveal code ${masked}` }).click();
        await code.filter({ hasText: /^CARD-\d{4}$/ }).waitFor();
        const revealed = await code.innerText();
        const log = await call<{ entries: Array<{ actor: string; action: string; subject: string }> }>('GET', '/admin/api/audit-log?action=stock.reveal', adminKey);
        assert.equal(log.entries.length, 1);
        assert.match(log.entries[0]!.actor, /^user:\d+$/);
        const stock = await call<{ items: Array<{ id: number; code: string; order_id: string | null }> }>('GET', '/admin/api/products/CARD/stock?status=sold', adminKey);
        const item = stock.items.find((i) => i.order_id === placed.sold.order_id)!;
        assert.equal(log.entries[0]!.subject, `stock_item:${item.id}`);
        // The page showed that item's mask before, and its code in full after.
        assert.equal(masked, item.code);
        assert.match(revealed, /^CARD-\d{4}$/);
      } finally {
        await context.close();
      }
    });

    test('a manual order is fulfilled by hand, after a refusal the API explains', async () => {
      const { context, page } = await loggedIn();
      try {
        await openOrder(page, placed.manual);
        await page.getByTestId('order-status').filter({ hasText: 'Processing' }).waitFor();
        await page.getByRole('button', { name: 'Fulfil by hand' }).click();
        // Two codes for an order of one: the API refuses, and says why.
        await page.getByLabel('Codes, one per line (1 needed)').fill('HAND-MADE-0001\nHAND-MADE-0002');
        await page.getByRole('button', { name: 'Confirm: Fulfil by hand' }).click();
        await page.getByRole('alert').filter({ hasText: '2 code(s) were given' }).waitFor();
        await page.getByLabel('Codes, one per line (1 needed)').fill('HAND-MADE-0001');
        await page.getByRole('button', { name: 'Confirm: Fulfil by hand' }).click();
        await page.getByTestId('order-status').filter({ hasText: 'Fulfilled' }).waitFor();
        await page.getByRole('region', { name: 'Timeline' }).getByText(/Processing → Fulfilled .* fulfilled by hand/).waitFor();
        assert.match(await page.getByTestId('delivered-code').innerText(), /•/);
        await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Refund' }).waitFor();
      } finally {
        await context.close();
      }
    });

    test('a trade-in is decided code by code: one accepted, one rejected with its reason', async () => {
      const { context, page } = await loggedIn();
      try {
        await page.getByRole('navigation').getByRole('link', { name: 'Trade-ins' }).click();
        await page.getByLabel('Decision for code 2').selectOption('reject');
        await page.getByText('Say why each rejected code is rejected.').waitFor();
        await page.getByLabel('Reason for rejecting code 2').fill('already used');
        await page.getByRole('button', { name: 'Decide' }).click();
        await page.getByText('Accept 1 code(s) at 1.00 USD each and reject 1?').waitFor();
        await page.getByRole('button', { name: 'Confirm: Decide' }).click();
        await page.getByText('No trade-ins here.').waitFor();
        const done = await call<{ trade_ins: Array<{ status: string; credited: string; codes: Array<{ status: string; reason: string | null }> }> }>('GET', '/admin/api/trade-ins?status=completed', adminKey);
        assert.deepEqual(
          done.trade_ins.map((ti) => [ti.status, ti.credited, ti.codes.map((c) => [c.status, c.reason])]),
          [['completed', '1.00', [['accepted', null], ['rejected', 'already used']]]],
        );
        await page.getByLabel('Status').selectOption('completed');
        await page.getByText('rejected — already used').waitFor();
      } finally {
        await context.close();
      }
    });
  });
}

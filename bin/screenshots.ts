// `npm run screenshots`: pictures of the storefront's and the console's main pages, at a desktop and
// a phone width, in English and Arabic, into docs/screenshots/ (the README shows them). It runs
// `souk serve --demo` on a fresh SQLite database in a temporary folder, places a few orders so the
// pages have something to show, and drives Debian's chromium (SOUK_CHROMIUM to use another).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.SOUK_CHROMIUM ?? '/usr/bin/chromium';
const WAIT_MS = 60_000;

const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 860 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const LANGUAGES = ['en', 'ar'] as const;

interface Demo {
  url: string;
  adminUsername: string;
  adminPassword: string;
  resellerKey: string;
  customerEmail: string;
  customerPassword: string;
}

/** The orders placed for the pictures: a reseller's (delivered) and a shop buyer's crypto order (waiting for payment). */
interface Orders {
  reseller: string;
  crypto: string;
}

/** A page to picture, by its path (the console's pages with the owner logged in). */
interface Shot {
  name: string;
  path: (orders: Orders) => string;
}

const SHOTS: Shot[] = [
  { name: 'shop-products', path: () => '/' },
  { name: 'shop-product', path: () => '/products/steam-20-usd' },
  { name: 'shop-payment', path: (orders) => `/orders/${encodeURIComponent(orders.crypto)}` },
  { name: 'console-dashboard', path: () => '/admin/dashboard' },
  { name: 'console-order', path: (orders) => `/admin/orders/${encodeURIComponent(orders.reseller)}` },
  { name: 'console-catalog', path: () => '/admin/catalog' },
  { name: 'console-accounts', path: () => '/admin/accounts' },
  { name: 'console-payments', path: () => '/admin/payments' },
];

function startDemo(dir: string): Promise<{ demo: Demo; child: ChildProcess }> {
  const env = { ...process.env, SOUK_DATABASE_URL: `sqlite:${path.join(dir, 'souk.db')}`, SOUK_DATA_DIR: dir, SOUK_LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'souk.js'), 'serve', '--demo', '--port', '0', '--host', '127.0.0.1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`souk serve --demo did not start within ${WAIT_MS / 1000} s:\n${output}`));
    }, WAIT_MS * 3);
    const read = (data: Buffer) => {
      output += data.toString();
      const url = /Souk serving on (http:\/\/\S+)/.exec(output)?.[1];
      const admin = /Admin login\s+(\S+) \/ (\S+)/.exec(output);
      const reseller = /Reseller key\s+(\S+)/.exec(output);
      const customer = /Shop customer\s+(\S+) \/ (\S+)/.exec(output);
      if (url && admin && reseller && customer) {
        clearTimeout(timer);
        resolve({
          child,
          demo: { url, adminUsername: admin[1]!, adminPassword: admin[2]!, resellerKey: reseller[1]!, customerEmail: customer[1]!, customerPassword: customer[2]! },
        });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`souk serve --demo exited with ${code}:\n${output}`)));
  });
}

/** A delivered reseller order (for the console's order page) and a crypto order on the storefront (for its payment step). */
async function placeOrders(demo: Demo): Promise<Orders> {
  return { reseller: await placeResellerOrder(demo), crypto: await placeCryptoOrder(demo) };
}

async function placeCryptoOrder(demo: Demo): Promise<string> {
  const products = (await (await fetch(`${demo.url}/api/products`)).json()) as { products: Array<{ id: string; slug: string }> };
  const product = products.products.find((p) => p.slug === 'steam-20-usd') ?? products.products[0];
  if (!product) throw new Error('the demo shop lists no product');
  const response = await fetch(`${demo.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId: product.id, quantity: 1, contactEmail: 'buyer@example.com', paymentMethod: 'crypto', coin: 'trc20_usdt' }),
  });
  const body = (await response.json()) as { order?: { id?: string } };
  if (!response.ok || !body.order?.id) throw new Error(`placing the demo crypto order answered ${response.status}: ${JSON.stringify(body)}`);
  return body.order.id;
}

async function placeResellerOrder(demo: Demo): Promise<string> {
  const response = await fetch(`${demo.url}/api/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${demo.resellerKey}`, 'content-type': 'application/json', 'idempotency-key': `screenshots-${Date.now()}` },
    body: JSON.stringify({ product: 'STEAM-20-USD', quantity: 2 }),
  });
  const body = (await response.json()) as { order_id?: string; id?: string };
  const id = body.order_id ?? body.id;
  if (!response.ok || !id) throw new Error(`placing the demo order answered ${response.status}: ${JSON.stringify(body)}`);
  return id;
}

async function logIn(page: Page, demo: Demo): Promise<void> {
  await page.goto(`${demo.url}/admin`);
  await page.locator('input[name="username"]').fill(demo.adminUsername);
  await page.locator('input[name="password"]').fill(demo.adminPassword);
  await page.locator('form button[type="submit"]').click();
  await page.getByTestId('signed-in').waitFor();
}

async function picture(context: BrowserContext, demo: Demo, orders: Orders, prefix: string): Promise<number> {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await logIn(page, demo);
  let taken = 0;
  for (const shot of SHOTS) {
    await page.goto(demo.url + shot.path(orders));
    await page.waitForLoadState('networkidle');
    await page.locator('main h2, main h1').first().waitFor();
    await page.screenshot({ path: path.join(OUT, `${prefix}-${shot.name}.png`) });
    taken += 1;
  }
  await page.close();
  return taken;
}

const dir = mkdtempSync(path.join(tmpdir(), 'souk-screenshots-'));
const { demo, child } = await startDemo(dir);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: WAIT_MS });
try {
  mkdirSync(OUT, { recursive: true });
  const orders = await placeOrders(demo);
  let taken = 0;
  for (const language of LANGUAGES) {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ locale: language, viewport: width.viewport, deviceScaleFactor: 1 });
      try {
        taken += await picture(context, demo, orders, `${language}-${width.name}`);
      } finally {
        await context.close();
      }
    }
  }
  console.log(`${taken} screenshots in ${path.relative(ROOT, OUT)}`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

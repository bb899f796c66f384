// What every browser test shares: Debian's chromium (SOUK_TEST_CHROMIUM to use another), driven by
// playwright-core, the console's ordinary log-in form, and a seeded shop served for the browser.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Env } from '../../src/config.js';
import type { Souk } from '../../src/app.js';
import { createAccount, createUser, type AdminRole } from '../../src/core/accounts/index.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';
import { spawnServer, type ServerProcess } from './processes.js';
import { testEnv, withSouk } from './souk.js';

/** A ceiling for each wait on a page, never a pause: a busy 2-core machine can be slow. */
export const WAIT_MS = 60_000;

/** A headless chromium; close it in the suite's `after`. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.SOUK_TEST_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'], timeout: WAIT_MS });
}

/** Logs `username` into the console at `url`/admin and waits until the page says who is logged in. */
export async function logInToConsole(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/admin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('signed-in').filter({ hasText: username }).waitFor();
}

/** A shop served by a real `souk serve` on a database of its own, seeded before it starts, with a headless chromium beside it. */
export interface BrowsedShop {
  database: TestDatabase;
  env: Env;
  server: ServerProcess;
  browser: Browser;
  /** Closes the browser, stops the server and drops the database. */
  close(): Promise<void>;
}

/**
 * Creates the database (its admin account with console logins, each with `password`, then what
 * `seed` adds), starts `souk serve` on 127.0.0.1 (`serveArgs` added) and launches the browser.
 */
export async function startBrowsedShop(
  kind: DatabaseKind,
  options: { password: string; logins: Array<{ username: string; role: AdminRole }>; env?: Env; serveArgs?: string[]; seed?: (souk: Souk, adminId: number) => Promise<void> },
): Promise<BrowsedShop> {
  const database = await createTestDatabase(kind);
  let server: ServerProcess | undefined;
  try {
    const env = testEnv(database, options.env);
    await withSouk(env, async (souk) => {
      const admin = await createAccount(souk.db, { name: 'Shop owner', kind: 'admin' });
      for (const login of options.logins) await createUser(souk.db, { accountId: admin.id, username: login.username, password: options.password, role: login.role });
      await options.seed?.(souk, admin.id);
    });
    server = await spawnServer(env, ['--host', '127.0.0.1', ...(options.serveArgs ?? [])]);
    const browser = await launchBrowser();
    const running = server;
    return {
      database,
      env,
      server,
      browser,
      async close() {
        await browser.close();
        await running.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await server?.stop();
    await database.drop();
    throw error;
  }
}

// What every browser test shares: Debian's chromium (SOUK_TEST_CHROMIUM to use another), driven by
// playwright-core, and the console's ordinary log-in form.
import { chromium, type Browser, type Page } from 'playwright-core';

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

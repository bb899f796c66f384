// Whether the builds are as new as their sources: dist/ (the compiled JavaScript) against src/, so
// the `souk` command runs dist/ when it is and the sources through tsx when they are newer (a
// checkout being edited); dist/web (the built console and storefront) against web/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir, accept = (name) => name.endsWith('.ts')) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full, accept));
    else if (accept(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `root`/dist/cli.js exists and no source under `root`/src is newer than it. */
export function buildIsFresh(root = ROOT) {
  const built = path.join(root, 'dist', 'cli.js');
  if (!existsSync(built)) return false;
  return newestSource(path.join(root, 'src')) <= statSync(built).mtimeMs;
}

/** True when `root`/dist/web/index.html exists and no file under `root`/web is newer than it. */
export function webIsFresh(root = ROOT) {
  const built = path.join(root, 'dist', 'web', 'index.html');
  if (!existsSync(built)) return false;
  return newestSource(path.join(root, 'web'), () => true) <= statSync(built).mtimeMs;
}

// Whether dist/ (the compiled JavaScript) is as new as every source under src/: the `souk` command
// runs dist/ when it is, and the sources through tsx when they are newer (a checkout being edited).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `root`/dist/cli.js exists and no source under `root`/src is newer than it. */
export function buildIsFresh(root = ROOT) {
  const built = path.join(root, 'dist', 'cli.js');
  if (!existsSync(built)) return false;
  return newestSource(path.join(root, 'src')) <= statSync(built).mtimeMs;
}

#!/usr/bin/env node
// Compiles src/ into dist/ (on install, and from `npm start` when a source changed since). Without
// TypeScript (an install without dev dependencies) it says so and leaves `souk` on the sources.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { buildIsFresh, ROOT } from './freshness.js';

if (process.argv.includes('--if-stale') && buildIsFresh()) process.exit(0);
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('TypeScript is not installed: souk runs its sources through tsx (slower to start).');
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);

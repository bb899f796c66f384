#!/usr/bin/env node
// Compiles src/ into dist/ and builds the web apps (web/) into dist/web, on install and from
// `npm start` when a source changed since (`--if-stale`: each part only when its own sources are
// newer). Without TypeScript or Vite (an install without dev dependencies) it says so and goes on:
// `souk` then runs its sources through tsx, and the web pages say the apps are not built.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildIsFresh, webIsFresh, ROOT } from './freshness.js';

const ifStale = process.argv.includes('--if-stale');
const require = createRequire(import.meta.url);

function buildServer() {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    console.error('TypeScript is not installed: souk runs its sources through tsx (slower to start).');
    return 0;
  }
  return spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
}

async function buildWeb() {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.error('Vite is not installed: the console and storefront are not built (install the dev dependencies, then `npm run build`).');
    return 0;
  }
  try {
    await vite.build({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
    return 0;
  } catch (error) {
    console.error(`Building the web apps failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (!ifStale || !buildIsFresh()) {
  const status = buildServer();
  if (status !== 0) process.exit(status);
}
if (!ifStale || !webIsFresh()) process.exit(await buildWeb());

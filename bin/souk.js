#!/usr/bin/env node
// The `souk` command. Runs the compiled JavaScript in dist/ (built on install, and again by
// `npm start` when a source changed); in a checkout whose sources are newer than the build it
// runs them directly through tsx, so an edit takes effect without a build step.
import { buildIsFresh } from './freshness.js';

if (buildIsFresh()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}

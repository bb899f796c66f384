// The front door: installing prints no engine warning on the Node the README asks for, and the
// `souk` command runs the compiled build exactly when it is as new as the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { buildIsFresh, ROOT } from '../../bin/freshness.js';

test('every package the lock file installs supports this Node: npm ci prints no EBADENGINE', () => {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown; version?: string }> };
  const refused = Object.entries(lock.packages)
    .filter(([, pkg]) => typeof (pkg.engines as { node?: unknown } | undefined)?.node === 'string')
    .filter(([, pkg]) => !semver.satisfies(process.version, (pkg.engines as { node: string }).node))
    .map(([name, pkg]) => `${name}@${pkg.version} wants node ${(pkg.engines as { node: string }).node}`);
  assert.deepEqual(refused, []);
});

test('the souk command runs the build when it is as new as every source, and the sources when one is newer', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'souk-fresh-'));
  try {
    mkdirSync(path.join(root, 'src', 'core'), { recursive: true });
    const source = path.join(root, 'src', 'core', 'rule.ts');
    writeFileSync(source, 'export {};\n');
    assert.equal(buildIsFresh(root), false, 'no build yet');
    mkdirSync(path.join(root, 'dist'));
    const built = path.join(root, 'dist', 'cli.js');
    writeFileSync(built, '');
    const at = Date.now() / 1000;
    utimesSync(source, at - 60, at - 60);
    utimesSync(built, at, at);
    assert.equal(buildIsFresh(root), true, 'built after the last edit');
    utimesSync(source, at + 60, at + 60);
    assert.equal(buildIsFresh(root), false, 'a source edited after the build');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

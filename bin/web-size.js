#!/usr/bin/env node
// `npm run web:size`: the storefront's first-load JavaScript, gzipped: every script and
// modulepreload dist/web/index.html names (issue 20 allows 250 KB). `npm run bench` prints the
// same figure through firstLoadJavaScript.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ROOT } from './freshness.js';

/** The storefront's (or the console's) first-load scripts and their gzipped sizes in bytes, from dist/web. */
export function firstLoadJavaScript(app = 'storefront') {
  const dir = path.join(ROOT, 'dist', 'web');
  const page = app === 'console' ? path.join(dir, 'admin', 'index.html') : path.join(dir, 'index.html');
  const html = readFileSync(page, 'utf8');
  const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const files = scripts.map((script) => ({ script, bytes: gzipSync(readFileSync(path.join(dir, script)), { level: 9 }).length }));
  return { page: path.relative(ROOT, page), files, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = firstLoadJavaScript(process.argv[2]);
  for (const file of size.files) console.log(`${file.script}: ${(file.bytes / 1024).toFixed(1)} KB gzipped`);
  console.log(`first-load JavaScript of ${size.page}: ${(size.bytes / 1024).toFixed(1)} KB gzipped (${size.files.length} files)`);
}

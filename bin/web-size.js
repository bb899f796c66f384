#!/usr/bin/env node
// `npm run web:size`: the storefront's first-load JavaScript, gzipped: every script and
// modulepreload dist/web/index.html names (issue 20 allows 250 KB).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './freshness.js';

const dir = path.join(ROOT, 'dist', 'web');
const page = process.argv[2] === 'console' ? path.join(dir, 'admin', 'index.html') : path.join(dir, 'index.html');
const html = readFileSync(page, 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const script of scripts) {
  const size = gzipSync(readFileSync(path.join(dir, script)), { level: 9 }).length;
  total += size;
  console.log(`${script}: ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first-load JavaScript of ${path.relative(ROOT, page)}: ${(total / 1024).toFixed(1)} KB gzipped (${scripts.length} files)`);

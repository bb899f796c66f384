import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchWebhooks } from './webhooks.js';
const dir = mkdtempSync(path.join(tmpdir(), 'hookdbg-'));
console.log(dir);
try {
  await benchWebhooks(dir, { backlog: 500, ordersPerSecond: 200, seconds: 5 });
} catch (e) {
  console.log(String(e));
}
for (const f of readdirSync(dir)) if (f.endsWith('.log')) console.log(f, readFileSync(path.join(dir, f), 'utf8').slice(-3000));

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchWebhooks } from './webhooks.js';
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-'));
await benchWebhooks(dir, { backlog: 10_000, ordersPerSecond: 200, seconds: 10 });
rmSync(dir, { recursive: true, force: true });

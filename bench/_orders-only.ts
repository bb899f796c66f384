import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchOrders } from './orders.js';
const dir = mkdtempSync(path.join(tmpdir(), 'souk-bench-'));
await benchOrders(dir, { connections: 50, warmupSeconds: 10, seconds: 15, codes: 120_000 });
rmSync(dir, { recursive: true, force: true });

// Idempotency-Key records older than 24 h are dropped.
import type { Souk } from '../../app.js';
import { pruneIdempotencyKeys as prune } from '../../core/idempotency/index.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const pruneIdempotencyKeys = (everyMs: number) => defineSchedule<Souk>({ name: 'idempotency.prune-keys', everyMs, run: (souk) => prune(souk.db) });

// Workers in other processes are woken by NOTIFY (PostgreSQL). Under load a notice per commit cost
// the server a round trip for each, so a process sends a kind at most once per NOTICE_SPACING_MS:
// the first wake after a quiet spell at once, and the wakes of a busy spell as one notice after it.
// No wake is left without a notice sent after it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { notifyWorkers, NOTICE_SPACING_MS, WAKE_CHANNEL, type WakeNotice } from '../../src/core/jobs/index.js';
import { startTestSouk, type TestSouk } from '../helpers/souk.js';
import { until } from '../helpers/until.js';

describe('wake notices between processes (postgres)', () => {
  let t: TestSouk;
  let listener: pg.Client;
  /** Notices heard, with when they were heard (performance.now()). */
  const heard: Array<{ payload: string; at: number }> = [];

  before(async () => {
    t = await startTestSouk('postgres');
    listener = new pg.Client({ connectionString: t.database.url });
    await listener.connect();
    listener.on('notification', (message) => heard.push({ payload: message.payload ?? '', at: performance.now() }));
    await listener.query(`listen ${WAKE_CHANNEL}`);
  });
  after(async () => {
    await listener.end();
    await t.close();
  });

  const of = (kind: WakeNotice) => heard.filter((h) => h.payload === kind);

  test('a wake after a quiet spell is sent at once, as one notice', async () => {
    notifyWorkers(t.souk.db, 'deliveries');
    const [notice] = await until(() => of('deliveries'), (n) => n.length === 1, 'the notice');
    assert.ok(notice);
  });

  test('wakes all through a busy spell make at most one notice per spacing, and one after the last wake', async () => {
    const started = performance.now();
    let wakes = 0;
    // A wake on every turn of the event loop for ten spacings: what a busy writer's commits do.
    while (performance.now() - started < NOTICE_SPACING_MS * 10) {
      notifyWorkers(t.souk.db, 'jobs');
      wakes++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const lastWake = performance.now();
    await until(() => of('jobs'), (n) => n.some((h) => h.at > lastWake), 'a notice after the last wake');
    const notices = of('jobs');
    const spell = notices.at(-1)!.at - started;
    assert.ok(wakes > notices.length * 5, `${wakes} wakes made ${notices.length} notices`);
    // Sent NOTICE_SPACING_MS apart (give or take the millisecond a timer may fire early), from the first wake to the last notice heard.
    assert.ok(notices.length <= Math.floor(spell / (NOTICE_SPACING_MS - 1)) + 1, `${notices.length} notices in ${spell.toFixed(0)} ms`);
    assert.ok(notices.length >= 2, 'the first at once and more for the wakes after it');
  });
});

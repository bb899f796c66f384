// Publishing the outbox from many publishers at once: every event gets exactly one feed position
// and its deliveries exactly once, however the publishers interleave (PostgreSQL: the publish lock,
// taken in the round trip that begins each publisher's transaction; SQLite: one writer).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { insertOutboxEvents, walletCreditedEvent } from '../../src/core/events/index.js';
import { createWebhookEndpoint, fanOutEvents } from '../../src/core/webhooks/index.js';

for (const kind of DATABASE_KINDS) {
  describe(`publishing the outbox (${kind})`, () => {
    let t: TestSouk;
    before(async () => {
      t = await startTestSouk(kind);
    });
    after(() => t.close());

    test('eight publishers at once: each of 300 events is published once, with a position of its own, and makes one delivery', async () => {
      const reseller = await createReseller(t.souk, { name: 'Credited reseller' });
      await createWebhookEndpoint({ db: t.souk.db, box: t.souk.box, allowPrivate: true }, reseller.accountId, { url: 'http://127.0.0.1:9/hooks', events: ['wallet.credited'] });
      const at = new Date().toISOString();
      // Written in several transactions while the publishers run, as orders would be.
      let writingDone = false;
      const writing = (async () => {
        for (let batch = 0; batch < 10; batch++) {
          const rows = Array.from({ length: 30 }, (_, i) =>
            walletCreditedEvent({ account_id: reseller.accountId, wallet_id: 1, currency: 'USD', amount_minor: batch * 100 + i + 1, balance_minor: 0, kind: 'topup', reference: null, at }),
          );
          await t.souk.db.transaction().execute((tx) => insertOutboxEvents(tx, rows));
        }
      })().finally(() => {
        writingDone = true;
      });
      const publisher = async () => {
        // Until the writer is done and a last pass finds nothing.
        for (;;) {
          const done = writingDone;
          const made = await fanOutEvents(t.souk.db, 25);
          if (made.events === 0 && done) return;
        }
      };
      await Promise.all([writing, ...Array.from({ length: 8 }, publisher)]);

      const events = await t.souk.db.selectFrom('outbox_events').select(['id', 'position']).where('account_id', '=', reseller.accountId).where('type', '=', 'wallet.credited').execute();
      assert.equal(events.length, 300);
      const positions = events.map((e) => e.position);
      assert.ok(positions.every((p) => p !== null), 'every event is published');
      assert.equal(new Set(positions.map(Number)).size, 300, 'no two events share a position');
      const deliveries = await t.souk.db.selectFrom('webhook_deliveries').select(['event_id']).where('account_id', '=', reseller.accountId).execute();
      assert.equal(deliveries.length, 300, 'one delivery per event, none twice');
      assert.equal(new Set(deliveries.map((d) => d.event_id)).size, 300);
    });
  });
}

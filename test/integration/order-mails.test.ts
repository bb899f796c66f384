// E-mail delivery of codes: the .eml mail drop when no SMTP server is configured, and the
// durability of the mail queue against a real SMTP server: a worker that died mid-send is replaced
// and the mail goes out once, a server that is down is tried again, two workers never send twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockedProduct } from '../helpers/orders.js';
import { startMailCatcher, type MailCatcher } from '../helpers/smtp.js';
import { claimNextMail, Mailer, MAIL_LEASE_MS, queueOrderMails, smtpTransport } from '../../src/core/mail/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/worker/webhooks.js';
import { startMailWorker, type MailWorker } from '../../src/worker/mail.js';
import { until } from '../helpers/until.js';

for (const kind of DATABASE_KINDS) {
  describe(`order mails (${kind})`, () => {
    describe('without SOUK_SMTP_URL: the .eml mail drop', () => {
      let t: TestSouk;
      let webhooks: WebhookWorker;
      let mail: MailWorker;
      let buyer: TestReseller;
      const logged: Array<{ message: string; fields: Record<string, string> }> = [];

      before(async () => {
        t = await startTestSouk(kind);
        webhooks = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
        mail = startMailWorker(t.souk, { onError: (error) => console.error(error), log: (message, fields) => logged.push({ message, fields }) });
        buyer = await createReseller(t.souk, { name: 'Mail buyer' });
        await fund(t.souk, buyer.accountId, 10_000);
        await stockedProduct(t.souk, { code: 'MAIL-5', name: { en: 'Mail card' }, price: '5.00' }, 5);
      });
      after(async () => {
        await mail?.stop();
        await webhooks?.stop();
        await t?.close();
      });

      test('an e-mail order is written as one .eml file under <data dir>/mail/ with the codes; the log names the file, never the codes', async () => {
        const placed = await t.app.inject({
          method: 'POST',
          url: '/api/v1/orders',
          headers: bearer(buyer.apiKey),
          payload: { product: 'MAIL-5', quantity: 2, delivery_channel: 'email', buyer: { name: 'Layla', email: 'layla@example.com' } },
        });
        assert.equal(placed.statusCode, 200, placed.body);
        const order = placed.json().order;
        const codes = order.items.map((i: { code: string }) => i.code) as string[];
        assert.equal(codes.length, 2);
        const dir = path.join(t.database.dataDir, 'mail');
        const sent = await until(() => logged.filter((l) => l.fields.order === order.number), (l) => l.length > 0, 'the mail drop log line');
        assert.equal(sent.length, 1);
        assert.equal(sent[0]!.message, 'order mail written to the mail drop');
        const files = readdirSync(dir);
        assert.deepEqual(files, [`${order.number}-${order.order_id}.eml`]);
        assert.equal(sent[0]!.fields.file, path.join(dir, files[0]!));
        const eml = readFileSync(path.join(dir, files[0]!), 'utf8');
        assert.match(eml, /^To: layla@example\.com$/m);
        assert.match(eml, /^From: Souk <souk@localhost>$/m);
        assert.match(eml, new RegExp(`^Subject: Your order ${order.number}: Mail card$`, 'm'));
        assert.match(eml, new RegExp(`^Message-ID: <order-${order.order_id}@souk\\.mail>$`, 'm'));
        for (const code of codes) assert.ok(eml.includes(code), 'the mail carries every code');
        assert.ok(!JSON.stringify(logged).includes(codes[0]!), 'no log line carries a code');
        const row = await t.souk.db.selectFrom('order_mails').selectAll().where('order_id', '=', order.order_id).executeTakeFirstOrThrow();
        assert.equal(row.recipient, 'layla@example.com');
        assert.equal(row.attempts, 1);
        assert.equal(row.status, 'sent');
      });

      test('an order delivered over the API is not mailed', async () => {
        const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'MAIL-5', buyer: { email: 'api@example.com' } } });
        assert.equal(placed.statusCode, 200, placed.body);
        // Once the feed has been read past this order's events, it is settled either way.
        const fulfilledAt = await until(
          () => t.souk.db.selectFrom('outbox_events').select('position').where('order_id', '=', placed.json().order_id).where('type', '=', 'order.fulfilled').executeTakeFirstOrThrow(),
          (e) => e.position !== null,
          'the event published',
        );
        await until(() => t.souk.db.selectFrom('outbox_cursors').select('position').where('consumer', '=', 'order-mails').executeTakeFirstOrThrow(), (c) => Number(c.position) >= Number(fulfilledAt.position), 'the mailer past the event');
        assert.equal(await t.souk.db.selectFrom('order_mails').select('id').where('order_id', '=', placed.json().order_id).executeTakeFirst(), undefined);
      });
    });

    describe('against a real SMTP server: nothing lost, nothing sent twice', () => {
      let t: TestSouk;
      let smtp: MailCatcher;
      let webhooks: WebhookWorker;
      let buyer: TestReseller;
      const mailers: Mailer[] = [];
      const newMailer = (retrySchedule?: number[]) => {
        const mailer = new Mailer({
          db: t.souk.db,
          dialect: t.souk.dialect,
          vault: t.souk.vault,
          transport: smtpTransport(smtp.url),
          from: 'Shop <shop@example.com>',
          pollMs: 50,
          ...(retrySchedule ? { retrySchedule } : {}),
          onError: () => undefined,
        });
        mailers.push(mailer);
        return mailer;
      };
      const emailOrder = async (email: string) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'SMTP-5', delivery_channel: 'email', buyer: { email } } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().order as { order_id: string; number: string; items: Array<{ code: string }> };
      };
      const mailRow = (orderId: string) => t.souk.db.selectFrom('order_mails').selectAll().where('order_id', '=', orderId).executeTakeFirst();

      before(async () => {
        smtp = await startMailCatcher();
        t = await startTestSouk(kind);
        webhooks = await startWebhookWorker(t.souk, { onError: (error) => console.error(error) });
        buyer = await createReseller(t.souk, { name: 'SMTP buyer' });
        await fund(t.souk, buyer.accountId, 100_000);
        await stockedProduct(t.souk, { code: 'SMTP-5', price: '5.00' }, 40);
      });
      after(async () => {
        for (const m of mailers) await m.stop();
        await webhooks?.stop();
        await t?.close();
        await smtp?.close();
      });

      test('a worker that died holding a mail: once its lease runs out another sends it, exactly once', async () => {
        const order = await emailOrder('crash@example.com');
        // No mailer runs yet: queue it by hand once the dispatcher has published the event.
        await until(
          async () => {
            await queueOrderMails(t.souk.db, t.souk.dialect);
            return mailRow(order.order_id);
          },
          (row) => row !== undefined,
          'the mail queued',
        );
        // The dead worker: claimed the mail and sent nothing.
        const dead = await claimNextMail(t.souk.db, t.souk.dialect);
        assert.equal(dead?.order_id, order.order_id);
        const claimed = await mailRow(order.order_id);
        assert.equal(claimed?.status, 'sending');
        assert.equal(Date.parse(claimed!.locked_until!) - Date.parse(claimed!.updated_at), MAIL_LEASE_MS);
        // While its lease runs, nobody else takes the mail.
        assert.equal(await claimNextMail(t.souk.db, t.souk.dialect), undefined);
        // Its lease runs out (moved back here instead of waiting two minutes).
        await t.souk.db.updateTable('order_mails').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('order_id', '=', order.order_id).execute();
        const mailer = newMailer();
        mailer.start();
        await smtp.waitFor((mails) => mails.some((m) => m.to.includes('crash@example.com')), 'the mail, sent by the new worker');
        const row = await until(() => mailRow(order.order_id), (r) => r?.status === 'sent', 'recorded as sent');
        assert.equal(row?.attempts, 1);
        assert.notEqual(row?.claim_token, dead?.claim_token);
        const mail = smtp.mails.filter((m) => m.to.includes('crash@example.com'));
        assert.equal(mail.length, 1);
        assert.ok(mail[0]!.raw.includes(order.items[0]!.code));
        await mailer.stop();
        // A restart finds nothing left to send: what was sent is recorded.
        assert.equal(await claimNextMail(t.souk.db, t.souk.dialect), undefined);
      });

      test('an SMTP server that refuses: the mail waits and is sent once it accepts again', async () => {
        const down = await startMailCatcher();
        await down.close();
        const failing = new Mailer({ db: t.souk.db, dialect: t.souk.dialect, vault: t.souk.vault, transport: smtpTransport(down.url), from: 'Shop <shop@example.com>', pollMs: 50, retrySchedule: [3600], onError: () => undefined });
        mailers.push(failing);
        failing.start();
        const order = await emailOrder('later@example.com');
        const failed = await until(() => mailRow(order.order_id), (r) => r?.attempts === 1, 'the failed attempt');
        assert.equal(failed?.status, 'pending');
        assert.match(failed?.last_error ?? '', /ECONNREFUSED|connect/i);
        assert.ok(!(failed?.last_error ?? '').includes(order.items[0]!.code));
        await failing.stop();
        // The operator fixes the server; the retry falls due (moved forward here instead of waiting an hour).
        await t.souk.db.updateTable('order_mails').set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() }).where('order_id', '=', order.order_id).execute();
        const mailer = newMailer();
        mailer.start();
        await smtp.waitFor((mails) => mails.some((m) => m.to.includes('later@example.com')), 'the mail after the retry');
        const row = await until(() => mailRow(order.order_id), (r) => r?.status === 'sent', 'recorded as sent');
        assert.equal(row?.attempts, 2);
        assert.equal(smtp.mails.filter((m) => m.to.includes('later@example.com')).length, 1);
        await mailer.stop();
      });

      test('a mail whose tries are spent is failed and listed with its error for the admin; a re-send delivers it once', async () => {
        const down = await startMailCatcher();
        await down.close();
        const failing = new Mailer({ db: t.souk.db, dialect: t.souk.dialect, vault: t.souk.vault, transport: smtpTransport(down.url), from: 'Shop <shop@example.com>', pollMs: 50, retrySchedule: [], onError: () => undefined });
        mailers.push(failing);
        failing.start();
        const order = await emailOrder('gave-up@example.com');
        await until(() => mailRow(order.order_id), (r) => r?.status === 'failed', 'the mail given up');
        await failing.stop();
        const listed = await t.app.inject({ url: '/admin/api/mails?status=failed', headers: bearer(t.adminKey) });
        assert.equal(listed.statusCode, 200, listed.body);
        const mail = (listed.json().mails as Array<{ id: number; order_id: string; recipient: string; status: string; last_error: string | null }>).find((m) => m.order_id === order.order_id);
        assert.ok(mail, listed.body);
        assert.equal(mail.recipient, 'gave-up@example.com');
        assert.match(mail.last_error ?? '', /ECONNREFUSED|connect/i);
        assert.ok(!listed.body.includes(order.items[0]!.code), 'the admin list shows no codes');
        // Only the admin sees mails.
        assert.equal((await t.app.inject({ url: '/admin/api/mails', headers: bearer(buyer.apiKey) })).statusCode, 403);

        const mailer = newMailer();
        mailer.start();
        const resent = await t.app.inject({ method: 'POST', url: `/admin/api/mails/${mail.id}/resend`, headers: bearer(t.adminKey) });
        assert.equal(resent.statusCode, 200, resent.body);
        await smtp.waitFor((mails) => mails.some((m) => m.to.includes('gave-up@example.com')), 'the re-sent mail');
        await until(() => mailRow(order.order_id), (r) => r?.status === 'sent', 'recorded as sent');
        assert.equal(smtp.mails.filter((m) => m.to.includes('gave-up@example.com')).length, 1);
        await mailer.stop();
        // A mail still waiting goes anyway: re-sending it is 400; an unknown one is 404.
        await t.souk.db.updateTable('order_mails').set({ status: 'pending' }).where('id', '=', mail.id).execute();
        assert.equal((await t.app.inject({ method: 'POST', url: `/admin/api/mails/${mail.id}/resend`, headers: bearer(t.adminKey) })).statusCode, 400);
        await t.souk.db.updateTable('order_mails').set({ status: 'sent' }).where('id', '=', mail.id).execute();
        assert.equal((await t.app.inject({ method: 'POST', url: '/admin/api/mails/999999/resend', headers: bearer(t.adminKey) })).statusCode, 404);
      });

      test('two workers at once: every buyer gets exactly one mail', async () => {
        const a = newMailer();
        const b = newMailer();
        a.start();
        b.start();
        const orders = await Promise.all(Array.from({ length: 8 }, (_, i) => emailOrder(`pair-${i}@example.com`)));
        for (const order of orders) await until(() => mailRow(order.order_id), (r) => r?.status === 'sent', `order ${order.number} sent`);
        for (let i = 0; i < orders.length; i++) {
          const received = smtp.mails.filter((m) => m.to.includes(`pair-${i}@example.com`));
          assert.equal(received.length, 1, `pair-${i}`);
          assert.ok(received[0]!.raw.includes(orders[i]!.items[0]!.code));
        }
        await Promise.all([a.stop(), b.stop()]);
      });
    });
  });
}

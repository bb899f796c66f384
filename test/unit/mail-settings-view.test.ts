// How the console is shown the mail settings: host, port and From, never the SMTP credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailSettingsView } from '../../src/core/mail/index.js';

test('an smtp URL shows its host and port, never its user or password', () => {
  const view = mailSettingsView({ smtpUrl: 'smtp://shop%40x.com:s3cret@mail.example.net:2525', mailFrom: 'Shop <shop@x.com>' });
  assert.deepEqual(view, { transport: 'smtp', host: 'mail.example.net', port: 2525, from: 'Shop <shop@x.com>' });
  assert.doesNotMatch(JSON.stringify(view), /s3cret|shop%40x/);
});

test('without a port, nodemailer\'s defaults: 587 for smtp, 465 for smtps', () => {
  assert.equal(mailSettingsView({ smtpUrl: 'smtp://mail.example.net', mailFrom: 'a@b.c' }).port, 587);
  assert.deepEqual(mailSettingsView({ smtpUrl: 'smtps://u:p@mail.example.net', mailFrom: 'a@b.c' }), { transport: 'smtps', host: 'mail.example.net', port: 465, from: 'a@b.c' });
});

test('no SMTP URL: mails go to files, no host', () => {
  assert.deepEqual(mailSettingsView({ smtpUrl: undefined, mailFrom: 'Souk <souk@localhost>' }), { transport: 'files', host: null, port: null, from: 'Souk <souk@localhost>' });
});

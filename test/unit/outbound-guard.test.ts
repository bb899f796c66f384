// The outbound guard's judgement of addresses and names, in every form a resolver or URL parser
// accepts, and of URLs whose names resolve to private addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostProblem, isPublicAddress, outboundUrlProblem } from '../../src/platform/outbound-guard.js';

/** Private, local or reserved, each written the way an attacker would write it to pass a naive check. */
const DISGUISED = [
  // IPv4 in IPv6: mapped, translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64, 6to4.
  '[::ffff:0:127.0.0.1]', '[::127.0.0.1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:10.0.0.1]', '[64:ff9b::7f00:1]', '[64:ff9b::a9fe:a9fe]', '[2002:7f00:1::]', '[2002:a00:1::1]',
  // NAT64's local-use prefix and Teredo carry IPv4 we cannot vouch for.
  '[64:ff9b:1::808:808]', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
  // IPv4 in decimal, octal, hex and short forms, and with a trailing dot.
  '2130706433', '0177.0.0.1', '0x7f.1', '0x7f000001', '127.1', '10.1', '127.0.0.1.', '0', '08.0.0.1',
  // The usual suspects.
  '127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '192.0.2.1', '224.0.0.1', '255.255.255.255',
  '[::1]', '[::]', '[fe80::1]', '[fd00::1]', '[ff02::1]', '[2001:db8::1]', '[fec0::1]', '[100::1]',
  // Local names, with and without a trailing dot.
  'localhost', 'localhost.', 'LOCALHOST', 'api.localhost', 'api.localhost.', 'printer.local', 'metadata.google.internal', 'router.home.arpa', 'intranet', 'intranet.',
];

const PUBLIC_ADDRESSES = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '[2606:4700::1111]', '[2606:4700:4700::1111]', '[::ffff:8.8.8.8]', '[64:ff9b::808:808]', '[2002:808:808::1]'];

test('SSRF through an address in disguise: every form of a private address or local name is refused, public ones pass', () => {
  for (const host of DISGUISED) assert.notEqual(hostProblem(host), undefined, host);
  for (const host of PUBLIC_ADDRESSES) {
    assert.equal(hostProblem(host), undefined, host);
    assert.equal(isPublicAddress(host), true, host);
  }
  for (const name of ['example.com', 'hooks.example.com.', 'xn--mgbh0fb.example']) assert.equal(hostProblem(name), undefined, name);
  for (const notAnAddress of ['example.com', '', 'fe80::1%eth0', '127.0.0.1.']) assert.equal(isPublicAddress(notAnAddress), false, notAnAddress);
});

test('SSRF through a URL in disguise: the same forms are refused in a URL, whatever its parser makes of them', async () => {
  const resolve = async () => ['93.184.216.34'];
  for (const host of DISGUISED) {
    const problem = await outboundUrlProblem(`https://${host}:8443/hook`, { allowPrivate: false, resolve });
    // (A URL parser refuses some outright: 08.0.0.1 is no number.)
    assert.match(problem ?? '', /must be a public address|is not a URL/, host);
  }
  for (const host of [...PUBLIC_ADDRESSES, 'hooks.example.com', 'hooks.example.com.']) {
    assert.equal(await outboundUrlProblem(`https://${host}/hook`, { allowPrivate: false, resolve }), undefined, host);
  }
  assert.equal(await outboundUrlProblem('http://127.0.0.1:9/hook', { allowPrivate: true }), undefined, 'allowed for tests and local development');
  assert.equal(await outboundUrlProblem('ftp://example.com/x', { allowPrivate: false, resolve }), 'must be http or https');
  assert.equal(await outboundUrlProblem('https://user:pw@example.com/x', { allowPrivate: false, resolve }), 'must not carry a user name or password');
  assert.equal(await outboundUrlProblem(`https://example.com/${'x'.repeat(2000)}`, { allowPrivate: false, resolve }), 'must be at most 2000 characters');
});

test('SSRF through a name that resolves to a private address: refused when the URL is given; a lookup that fails or hangs is left to the connection check', async () => {
  const resolve = async (host: string) => (host === 'rebind.example.com' ? ['93.184.216.34', '10.0.0.5'] : ['::ffff:169.254.169.254']);
  assert.match((await outboundUrlProblem('https://rebind.example.com/hook', { allowPrivate: false, resolve })) ?? '', /rebind\.example\.com resolves to 10\.0\.0\.5/);
  assert.match((await outboundUrlProblem('https://metadata.example.com/hook', { allowPrivate: false, resolve })) ?? '', /resolves to ::ffff:169\.254\.169\.254/);
  // Neither refused nor waited on: the connection is checked when it is made.
  const failing = async (): Promise<string[]> => {
    throw new Error('ENOTFOUND');
  };
  assert.equal(await outboundUrlProblem('https://hooks.example.com/hook', { allowPrivate: false, resolve: failing }), undefined);
  const never = () => new Promise<string[]>(() => undefined);
  assert.equal(await outboundUrlProblem('https://hooks.example.com/hook', { allowPrivate: false, resolve: never, timeoutMs: 10 }), undefined);
});

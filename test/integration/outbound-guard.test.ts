// Outgoing requests reach only public addresses: a socket that reached a private address is cut
// before a byte is sent (against a real server on 127.0.0.1), and a callback_url or webhook
// endpoint on a private address or local name is refused when given, on both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { balanceOf, fund, stockedProduct } from '../helpers/orders.js';
import { guardedAgents, guardSocket } from '../../src/platform/outbound-guard.js';

/** A TCP server on 127.0.0.1 that records what each connection sent, once it has closed. */
async function tcpServer() {
  const received: string[] = [];
  const closed: Array<() => void> = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Hang up once something arrived, so a connection that should not have been made ends too.
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      closed.shift()?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** What the next connection to close had sent. */
    nextClosed: () => new Promise<string>((resolve) => closed.push(() => resolve(received.at(-1)!))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A resolver that says a public name is on 127.0.0.1: what DNS rebinding, or a lookup the guard never saw, would do. */
const lyingLookup: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  callback(null, '127.0.0.1', 4);
};

function outcome(socket: net.Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    socket.on('error', resolve);
    socket.on('close', () => resolve(undefined));
  });
}

describe('connections to private addresses', () => {
  let server: Awaited<ReturnType<typeof tcpServer>>;
  before(async () => {
    server = await tcpServer();
  });
  after(async () => {
    await server.close();
  });

  test('SSRF past the lookup: a socket that connected to a private address is cut before a byte is sent', async () => {
    const sent = server.nextClosed();
    const socket = net.connect({ host: 'hooks.example.com', port: server.port, lookup: lyingLookup });
    guardSocket(socket, 'hooks.example.com', false);
    socket.write('POST /internal/admin HTTP/1.1\r\n\r\n');
    const error = await outcome(socket);
    assert.match(error?.message ?? '', /hooks\.example\.com connected to 127\.0\.0\.1, which is not a public address/);
    assert.equal(await sent, '', 'nothing reached the private address');
  });

  test("SSRF past the lookup through the outgoing clients' agents: the connection is cut before a byte is sent", async () => {
    for (const protocol of ['http:', 'https:'] as const) {
      const agents = guardedAgents(false);
      const sent = server.nextClosed();
      // A connection made the way the agent makes one, but with a lookup the guard never saw.
      const socket = agents[protocol].createConnection({ host: 'hooks.example.com', port: server.port, lookup: lyingLookup, servername: 'hooks.example.com' }) as net.Socket;
      socket.write('POST /internal/admin HTTP/1.1\r\n\r\n');
      const error = await outcome(socket);
      assert.match(error?.message ?? '', /connected to 127\.0\.0\.1, which is not a public address/, protocol);
      assert.equal(await sent, '', `nothing reached the private address (${protocol})`);
      agents['http:'].destroy();
      agents['https:'].destroy();
    }
  });

  test('with private addresses allowed (SOUK_WEBHOOK_ALLOW_PRIVATE=1) the same connection goes through', async () => {
    const sent = server.nextClosed();
    const socket = net.connect({ host: 'hooks.example.com', port: server.port, lookup: lyingLookup });
    guardSocket(socket, 'hooks.example.com', true);
    socket.end('hello');
    assert.equal(await outcome(socket), undefined);
    assert.equal(await sent, 'hello');
  });
});

/** Private addresses and local names, written to slip past a naive check (each reaches this machine or its network). */
const PRIVATE_URLS = [
  'http://[::ffff:0:127.0.0.1]:9/hook',
  'http://[::127.0.0.1]:9/hook',
  'http://[::ffff:127.0.0.1]:9/hook',
  'http://[64:ff9b::7f00:1]:9/hook',
  'http://[2002:7f00:1::]:9/hook',
  'http://localhost.:9/hook',
  'http://api.localhost/hook',
  'http://2130706433:9/hook',
  'http://0177.0.0.1:9/hook',
  'http://0x7f.1:9/hook',
  'http://10.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fe80::1]/hook',
  'http://metadata.google.internal/computeMetadata/v1/',
];

for (const kind of DATABASE_KINDS) {
  describe(`callback and webhook URLs on private addresses (${kind})`, () => {
    let t: TestSouk;
    let buyer: TestReseller;
    let partner: TestReseller;
    const stockLeft = async () =>
      Number((await t.souk.db.selectFrom('stock_items').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'available').executeTakeFirstOrThrow()).n);
    const ordersOf = async (accountId: number) => (await t.souk.db.selectFrom('orders').select('id').where('account_id', '=', accountId).execute()).length;

    before(async () => {
      t = await startTestSouk(kind);
      buyer = await createReseller(t.souk);
      partner = await createReseller(t.souk, { kind: 'partner', signed: true });
      await stockedProduct(t.souk, { code: 'GUARD-1' }, 5);
      await fund(t.souk, buyer.accountId, 10_000);
      await fund(t.souk, partner.accountId, 10_000);
    });
    after(async () => {
      await t.close();
    });

    test('SSRF through an order callback_url: a private one is refused with 400 naming callback_url, no order is made and nothing charged', async () => {
      for (const [i, url] of PRIVATE_URLS.entries()) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'GUARD-1', client_order_id: `guard-${i}`, callback_url: url } });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().error, 'validation');
        assert.equal(res.json().fields[0].field, 'callback_url', url);
        assert.match(res.json().fields[0].message, /must be a public address/, url);
      }
      assert.equal(await ordersOf(buyer.accountId), 0);
      assert.equal(await balanceOf(t.souk, buyer.accountId), 10_000);
      assert.equal(await stockLeft(), 5);
      // A public one is taken (no worker runs here: nothing is sent).
      const accepted = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(buyer.apiKey), payload: { product: 'GUARD-1', callback_url: 'https://8.8.8.8/hook' } });
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(await stockLeft(), 4);
    });

    test("SSRF through seed 000's callback_url: POST /v1/orders refuses a private one with 400, no order is made and nothing charged", async () => {
      for (const [i, url] of PRIVATE_URLS.entries()) {
        const raw = JSON.stringify({ partner_order_id: `guard-${i}`, flow_type: 'buy_direct_id', product_code: 'GUARD-1', buyer: { name: 'A', email: 'a@example.com' }, delivery_channel: 'api', callback_url: url });
        const headers = { 'x-api-key': partner.apiKey, 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': createHmac('sha256', partner.signingSecret!).update(raw).digest('hex'), 'content-type': 'application/json' };
        const res = await t.app.inject({ method: 'POST', url: '/v1/orders', headers, payload: raw });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().error, 'validation_error');
        assert.equal(res.json().fields[0].field, 'callback_url', url);
      }
      assert.equal(await ordersOf(partner.accountId), 0);
      assert.equal(await balanceOf(t.souk, partner.accountId), 10_000);
    });

    test('SSRF through a webhook endpoint: a private URL is refused when the endpoint is created or changed', async () => {
      const admin = (method: 'POST' | 'PATCH', url: string, payload: object) => t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), payload });
      for (const url of PRIVATE_URLS) {
        const res = await admin('POST', '/webhooks', { account_id: buyer.accountId, url });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().fields[0].field, 'url');
        assert.match(res.json().fields[0].message, /must be a public address/, url);
      }
      const created = await admin('POST', '/webhooks', { account_id: buyer.accountId, url: 'https://[2606:4700::1111]/hook' });
      assert.equal(created.statusCode, 200, created.body);
      const changed = await admin('PATCH', `/webhooks/${created.json().endpoint.id}`, { url: 'http://[::ffff:0:127.0.0.1]/hook' });
      assert.equal(changed.statusCode, 400, changed.body);
      assert.equal(changed.json().fields[0].field, 'url');
    });
  });
}

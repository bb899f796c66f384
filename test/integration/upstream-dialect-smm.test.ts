// The smm dialect against a fake SMM panel on 127.0.0.1 (test/helpers/fake-smm.ts, written from the
// panel API v2 description, quirks included): the catalog in units of 1,000, an add with the link,
// an order followed by the panel's id through every status, its errors at HTTP 200 classified,
// cancel and balance. No database: the dialect talks to the panel only.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailure as failsWith } from '../helpers/upstream.js';
import fc from 'fast-check';
import { startFakeSmm, DEFAULT_SERVICES, type FakeSmm, type FakeSmmOptions } from '../helpers/fake-smm.js';
import { classifyPanelError, panelAmount, smmDialect } from '../../src/core/upstream/dialects/smm.js';
import { dialectNamed } from '../../src/core/upstream/dialects/index.js';
import { capabilitiesOf, type UpstreamConnection, type UpstreamOrderRequest } from '../../src/core/upstream/dialect.js';
import { createUpstreamHttp, type UpstreamHttp } from '../../src/core/upstream/http.js';
import { parseMinor } from '../../src/core/money.js';

const dialect = smmDialect;
const findOrder = dialect.findOrder!;
const cancelOrder = dialect.cancelOrder!;
const balance = dialect.balance!;

let http: UpstreamHttp;
before(() => {
  http = createUpstreamHttp({ allowPrivate: true });
});
after(() => http.close());

async function panel(t: TestContext, options: FakeSmmOptions = {}): Promise<{ fake: FakeSmm; conn: UpstreamConnection }> {
  const fake = await startFakeSmm(options);
  t.after(() => fake.close());
  return { fake, conn: { providerId: 1, baseUrl: fake.url, credentials: { key: fake.key }, currency: 'USD', http } };
}

let serial = 0;
function order(overrides: Partial<UpstreamOrderRequest> = {}): UpstreamOrderRequest {
  return { reference: `01SMMORDER${String(++serial).padStart(16, '0')}`, productRef: '1', quantity: 1, fields: { link: 'https://instagram.com/souk.example' }, ...overrides };
}


describe('the smm dialect', () => {
  test('is registered by name, delivers a service, cannot find an order by our reference, and has lookup by id, cancel and balance', () => {
    assert.equal(dialectNamed('smm'), smmDialect);
    assert.equal(dialect.delivers, 'service');
    assert.equal(dialect.findsByReference, false);
    assert.deepEqual(capabilitiesOf(dialect), ['findOrder', 'cancelOrder', 'balance']);
  });

  test('the catalog: one local unit is 1,000 panel units, priced at the rate, with min and max in thousands, a link field, no stock count', async (t) => {
    const { fake, conn } = await panel(t, {
      services: [
        ...DEFAULT_SERVICES,
        { service: 7, name: 'Views', type: 'Default', category: 'Video', rate: '0.0035', min: 100, max: 1_000_000, refill: false, cancel: true, desc: 'Slow, real views' },
        { service: 9, name: 'Poll votes', type: 'Poll', category: 'Polls', rate: '1.25', min: 10, max: 500, refill: false, cancel: false },
      ],
    });
    const products = await dialect.listProducts(conn);
    assert.deepEqual(
      products.map((p) => ({ ref: p.ref, name: p.name, price: p.price, currency: p.currency, stock: p.stock, status: p.status, min: p.minQuantity, max: p.maxQuantity })),
      [
        { ref: '1', name: { en: 'Followers' }, price: '0.90', currency: 'USD', stock: null, status: 'active', min: 1, max: 10 },
        { ref: '2', name: { en: 'Comments' }, price: '8.00', currency: 'USD', stock: null, status: 'active', min: 1, max: 1 },
        // 0.0035 per 1,000 is less than a cent: rounded up, never below what the panel charges.
        { ref: '7', name: { en: 'Views' }, price: '0.01', currency: 'USD', stock: null, status: 'active', min: 1, max: 1000 },
        // At most 500: not one whole 1,000, so not sellable in our units.
        { ref: '9', name: { en: 'Poll votes' }, price: '1.25', currency: 'USD', stock: null, status: 'inactive', min: 1, max: 0 },
      ],
    );
    assert.deepEqual(products[2]?.description, { en: 'Slow, real views' });
    assert.deepEqual(products[0]?.fields, [{ name: 'link', label: { en: 'Link' }, required: true }]);
    const [asked] = fake.requests;
    assert.deepEqual(asked, { action: 'services', params: { key: fake.key, action: 'services' }, contentType: 'application/x-www-form-urlencoded' });
  });

  test('a service whose minimum is over 1,000 asks for whole thousands above it', async (t) => {
    const { conn } = await panel(t, { services: [{ service: 3, name: 'Likes', type: 'Default', category: 'Likes', rate: '2.5', min: 1500, max: 20_500, refill: false, cancel: false }] });
    const [likes] = await dialect.listProducts(conn);
    assert.deepEqual({ min: likes?.minQuantity, max: likes?.maxQuantity, price: likes?.price }, { min: 2, max: 20, price: '2.50' });
  });

  test('a catalog entry that is not as documented fails the whole list as unknown (nothing priced from a guess)', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'services', body: JSON.stringify([{ service: 1, name: 'Followers', rate: 'N/A', min: '50', max: '10000' }]) });
    await failsWith(dialect.listProducts(conn), 'unknown', 'bad_answer');
    fake.misbehave({ kind: 'answer', action: 'services', body: JSON.stringify({ services: [] }) });
    await failsWith(dialect.listProducts(conn), 'unknown', 'bad_answer');
  });

  test('an order: add with service, link and quantity × 1000; the panel charges rate × quantity / 1000 and answers its id', async (t) => {
    const { fake, conn } = await panel(t, { balance: '100.00000' });
    const created = await dialect.createOrder(conn, order({ quantity: 3 }));
    assert.deepEqual(created, { state: 'pending', upstreamId: '23501' });
    const add = fake.requests.find((r) => r.action === 'add');
    assert.deepEqual(add?.params, { key: fake.key, action: 'add', service: '1', link: 'https://instagram.com/souk.example', quantity: '3000' });
    assert.equal(fake.balance(), '97.30000', '3 × 0.90 taken');
    assert.equal(fake.orders.get(23501)?.quantity, 3000);
  });

  test("the link may come as seed 003's smm_link checkout field", async (t) => {
    const { fake, conn } = await panel(t);
    await dialect.createOrder(conn, order({ fields: { smm_link: 'https://t.me/souk' } }));
    assert.equal(fake.orders.get(23501)?.link, 'https://t.me/souk');
  });

  test('an order without a link, or for no whole unit, is refused (validation) before the panel is asked', async (t) => {
    const { fake, conn } = await panel(t);
    await failsWith(dialect.createOrder(conn, order({ fields: { player_id: '42' } })), 'refused', 'validation');
    await failsWith(dialect.createOrder(conn, order({ fields: { link: '   ' } })), 'refused', 'validation');
    await failsWith(dialect.createOrder(conn, order({ quantity: 1.5 })), 'refused', 'validation');
    await failsWith(dialect.createOrder(conn, order({ quantity: 0 })), 'refused', 'validation');
    assert.equal(fake.count('add'), 0);
  });

  test('the panel has no client reference: the same create sent twice is two panel orders and two charges (why findsByReference is false)', async (t) => {
    const { fake, conn } = await panel(t, { balance: '10.00000' });
    const request = order();
    const first = await dialect.createOrder(conn, request);
    const second = await dialect.createOrder(conn, request);
    assert.notEqual(first.upstreamId, second.upstreamId);
    assert.equal(fake.orders.size, 2);
    assert.equal(fake.balance(), '8.20000');
  });

  test('an order followed by its panel id: Pending and In progress are pending, Completed is delivered with no codes and the charge', async (t) => {
    const { fake, conn } = await panel(t);
    const created = await dialect.createOrder(conn, order({ quantity: 2 }));
    const id = created.upstreamId!;
    assert.deepEqual(await findOrder(conn, created.upstreamId!, id), { state: 'pending', upstreamId: id, charged: { amount: '1.80', currency: 'USD' } });
    fake.advance(id, 'In progress');
    assert.equal((await findOrder(conn, 'ours', id))?.state, 'pending');
    fake.advance(id, 'Completed');
    assert.deepEqual(await findOrder(conn, 'ours', id), { state: 'delivered', upstreamId: id, codes: [], charged: { amount: '1.80', currency: 'USD' } });
    assert.deepEqual(fake.requests.at(-1)?.params, { key: fake.key, action: 'status', order: id });
  });

  test('Processing is pending too', async (t) => {
    const { fake, conn } = await panel(t);
    const { upstreamId } = await dialect.createOrder(conn, order());
    fake.advance(upstreamId!, 'Processing');
    assert.equal((await findOrder(conn, 'ours', upstreamId))?.state, 'pending');
  });

  test('Partial is delivered, with no codes: the panel gives the remains back to our balance itself', async (t) => {
    const { fake, conn } = await panel(t, { balance: '10.00000' });
    const { upstreamId } = await dialect.createOrder(conn, order({ quantity: 2 }));
    fake.advance(upstreamId!, 'In progress');
    fake.advance(upstreamId!, 'Partial', 500);
    assert.deepEqual(await findOrder(conn, 'ours', upstreamId), { state: 'delivered', upstreamId, codes: [], charged: { amount: '1.35', currency: 'USD' } });
    assert.equal(fake.balance(), '8.65000', '500 of 2000 not performed: 0.45 back');
  });

  test('Canceled (and Cancelled) is failed: nothing is owed', async (t) => {
    const { fake, conn } = await panel(t, { balance: '10.00000' });
    const { upstreamId } = await dialect.createOrder(conn, order());
    fake.advance(upstreamId!, 'Canceled');
    const found = await findOrder(conn, 'ours', upstreamId);
    assert.equal(found?.state, 'failed');
    assert.equal(fake.balance(), '10.00000');
    fake.misbehave({ kind: 'answer', action: 'status', body: JSON.stringify({ charge: '0', start_count: '0', status: 'Cancelled', remains: '1000', currency: 'USD' }) });
    assert.equal((await findOrder(conn, 'ours', upstreamId))?.state, 'failed');
  });

  test('statuses in lower case, numbers as numbers (as some clones send them) are read the same', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'status', body: JSON.stringify({ order: 23501, status: 'completed', charge: 1.5, start_count: 300, remains: 0 }) });
    assert.deepEqual(await findOrder(conn, 'ours', '23501'), { state: 'delivered', upstreamId: '23501', codes: [], charged: { amount: '1.50', currency: 'USD' } });
  });

  test('a status the API does not document is unknown, not a guess', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'status', body: JSON.stringify({ charge: '1', status: 'Refunded?', remains: '0' }) });
    await failsWith(findOrder(conn, 'ours', '23501'), 'unknown', 'bad_answer');
  });

  test('an order id the panel does not know is undefined (no such order)', async (t) => {
    const { conn } = await panel(t);
    assert.equal(await findOrder(conn, 'ours', '999999'), undefined);
  });

  test('without the panel id an order cannot be looked up: retryable no_lookup, and the panel is not asked', async (t) => {
    const { fake, conn } = await panel(t);
    await failsWith(findOrder(conn, 'our-reference', null), 'retryable', 'no_lookup');
    assert.equal(fake.requests.length, 0);
  });

  test("'Not enough funds on balance' is refused insufficient_balance, and nothing is bought", async (t) => {
    const { fake, conn } = await panel(t, { balance: '1.00000' });
    const failure = await failsWith(dialect.createOrder(conn, order({ quantity: 2 })), 'refused', 'insufficient_balance');
    assert.match(failure.message, /Not enough funds on balance/);
    assert.equal(failure.detail.status, 200, 'the panel says no with HTTP 200');
    assert.equal(fake.orders.size, 0);
    assert.equal(fake.balance(), '1.00000');
  });

  test("'Incorrect service ID' is refused item_not_found", async (t) => {
    const { fake, conn } = await panel(t);
    await failsWith(dialect.createOrder(conn, order({ productRef: '404' })), 'refused', 'item_not_found');
    assert.equal(fake.orders.size, 0);
  });

  test('any other error answer to add is refused with its text as the message', async (t) => {
    const { fake, conn } = await panel(t, { oneActiveOrderPerLink: true });
    await dialect.createOrder(conn, order());
    const active = await failsWith(dialect.createOrder(conn, order()), 'refused', 'rejected');
    assert.match(active.message, /You have active order with this link/);
    const tooMany = await failsWith(dialect.createOrder(conn, order({ productRef: '2', quantity: 2 })), 'refused', 'rejected');
    assert.match(tooMany.message, /Quantity more than maximal 1500/);
    assert.equal(fake.orders.size, 1);
  });

  test('a 200 after add that is not the documented shape is unknown: the panel may have taken it', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'add', body: JSON.stringify({ status: 'success' }) });
    const failure = await failsWith(dialect.createOrder(conn, order()), 'unknown', 'bad_answer');
    assert.match(failure.detail.excerpt ?? '', /success/);
    assert.equal(fake.orders.size, 1, 'it had');
  });

  test('an HTML page after add is unknown; so is a connection dropped after the panel took the order', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'add', contentType: 'text/html', body: '<html><body>Checking your browser before accessing…</body></html>' });
    await failsWith(dialect.createOrder(conn, order()), 'unknown', 'not_json');
    fake.misbehave({ kind: 'drop', action: 'add', carryOut: true });
    await failsWith(dialect.createOrder(conn, order()), 'unknown', 'connection_lost');
    assert.equal(fake.orders.size, 2);
  });

  test('an order id wins over anything else in the answer to add: the order was taken and can be followed', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'add', body: JSON.stringify({ status: 'success', order: '23501', error: '' }) });
    assert.deepEqual(await dialect.createOrder(conn, order()), { state: 'pending', upstreamId: '23501' });
  });

  test('JSON labelled text/html and ids as strings (as many clones answer) are read as JSON', async (t) => {
    const { fake, conn } = await panel(t, { htmlContentType: true, stringIds: true });
    const products = await dialect.listProducts(conn);
    assert.deepEqual(
      products.map((p) => p.ref),
      ['1', '2'],
    );
    const { upstreamId } = await dialect.createOrder(conn, order());
    assert.equal(upstreamId, '23501');
    fake.advance(upstreamId!, 'Completed');
    assert.equal((await findOrder(conn, 'ours', upstreamId))?.state, 'delivered');
    assert.equal((await balance(conn)).amount, '99.94');
  });

  test('JSON after a byte order mark (a PHP file saved with one) is read as JSON; garbage after one is still unknown', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'answer', action: 'add', body: '\uFEFF{"order":23501}' });
    assert.deepEqual(await dialect.createOrder(conn, order()), { state: 'pending', upstreamId: '23501' });
    fake.misbehave({ kind: 'answer', action: 'add', body: '\uFEFF{"order":' });
    await failsWith(dialect.createOrder(conn, order()), 'unknown', 'bad_json');
  });

  test('the balance: its decimals cut down to the currency (never more than there is), in the currency the panel says', async (t) => {
    const { fake, conn } = await panel(t);
    assert.deepEqual(await balance(conn), { amount: '100.84', currency: 'USD' });
    fake.setBalance('0.00999');
    assert.deepEqual(await balance(conn), { amount: '0.00', currency: 'USD' });
    const { conn: euro } = await panel(t, { currency: 'EUR', balance: '12.30000' });
    assert.deepEqual(await balance({ ...euro, currency: 'USD' }), { amount: '12.30', currency: 'EUR' });
  });

  test('a wrong key is refused invalid_key, and the key appears in no message or excerpt', async (t) => {
    const { fake, conn } = await panel(t);
    const wrong = { ...conn, credentials: { key: 'not-the-key-4242' } };
    const failure = await failsWith(dialect.listProducts(wrong), 'refused', 'invalid_key');
    assert.match(failure.message, /Invalid API key/);
    // A panel that echoes what it was sent.
    fake.misbehave({ kind: 'error', message: `Invalid API key ${fake.key}` });
    const echoed = await failsWith(balance(conn), 'refused', 'invalid_key');
    assert.ok(!echoed.message.includes(fake.key) && !echoed.detail.excerpt?.includes(fake.key), `${echoed.message} / ${echoed.detail.excerpt}`);
  });

  test('an error answer to a read (services, balance) other than the key is retryable: nothing was bought', async (t) => {
    const { fake, conn } = await panel(t);
    fake.misbehave({ kind: 'error', action: 'balance', message: 'Too many requests, try later' });
    await failsWith(balance(conn), 'retryable', 'panel_error');
  });

  test('a 4xx from the panel (a firewall, a wrong URL) is refused with its status; one with an error text is read as that error', async (t) => {
    const { fake, conn } = await panel(t);
    await failsWith(dialect.listProducts({ ...conn, baseUrl: conn.baseUrl.replace('/api/v2', '/api/v9') }), 'refused', 'http_404');
    fake.misbehave({ kind: 'answer', action: 'add', status: 400, carryOut: false, body: JSON.stringify({ error: 'Not enough funds on balance' }) });
    const failure = await failsWith(dialect.createOrder(conn, order()), 'refused', 'insufficient_balance');
    assert.equal(failure.detail.status, 400);
    fake.misbehave({ kind: 'answer', action: 'status', status: 404, carryOut: false, body: JSON.stringify({ error: 'Incorrect order ID' }) });
    assert.equal(await findOrder(conn, 'ours', '23501'), undefined);
  });

  test('cancel: a pending order is cancelled through action=cancel and refunded on the panel', async (t) => {
    const { fake, conn } = await panel(t, { balance: '10.00000' });
    const { upstreamId } = await dialect.createOrder(conn, order());
    await cancelOrder(conn, 'ours', upstreamId);
    assert.equal(fake.orders.get(Number(upstreamId))?.status, 'Canceled');
    assert.equal(fake.balance(), '10.00000');
    assert.deepEqual(fake.requests.find((r) => r.action === 'cancel')?.params, { key: fake.key, action: 'cancel', orders: upstreamId });
    assert.equal((await findOrder(conn, 'ours', upstreamId))?.state, 'failed');
    // Asked again: already cancelled, nothing more is sent.
    await cancelOrder(conn, 'ours', upstreamId);
    assert.equal(fake.count('cancel'), 1);
  });

  test('cancel: an order the panel does not know resolves (it was never there)', async (t) => {
    const { conn } = await panel(t);
    await cancelOrder(conn, 'ours', '999999');
  });

  test('cancel: a service the panel will not cancel is refused not_cancellable; a performed order is refused already_delivered', async (t) => {
    const { fake, conn } = await panel(t);
    const comments = await dialect.createOrder(conn, order({ productRef: '2' }));
    await failsWith(cancelOrder(conn, 'ours', comments.upstreamId), 'refused', 'not_cancellable');
    const followers = await dialect.createOrder(conn, order());
    fake.advance(followers.upstreamId!, 'Completed');
    await failsWith(cancelOrder(conn, 'ours', followers.upstreamId), 'refused', 'already_delivered');
    assert.equal(fake.count('cancel'), 1, 'a performed order is not asked to cancel');
  });

  test('cancel taken but not done yet is retryable cancel_pending; once the panel cancels, asking again resolves without a second cancel', async (t) => {
    const { fake, conn } = await panel(t, { deferredCancel: true });
    const { upstreamId } = await dialect.createOrder(conn, order());
    await failsWith(cancelOrder(conn, 'ours', upstreamId), 'retryable', 'cancel_pending');
    fake.advance(upstreamId!, 'Canceled');
    await cancelOrder(conn, 'ours', upstreamId);
    assert.equal(fake.count('cancel'), 1);
  });

  test("cancel: a panel that says it does not know the order while its status shows it running is refused, not taken for cancelled", async (t) => {
    const { fake, conn } = await panel(t);
    const { upstreamId } = await dialect.createOrder(conn, order());
    fake.misbehave({ kind: 'answer', action: 'cancel', carryOut: false, body: JSON.stringify([{ order: Number(upstreamId), cancel: { error: 'Incorrect order ID' } }]) });
    await failsWith(cancelOrder(conn, 'ours', upstreamId), 'refused', 'not_found');
    assert.equal(fake.orders.get(Number(upstreamId))?.status, 'Pending');
  });

  test('cancel without the panel id is retryable no_lookup', async (t) => {
    const { fake, conn } = await panel(t);
    await failsWith(cancelOrder(conn, 'ours', null), 'retryable', 'no_lookup');
    assert.equal(fake.requests.length, 0);
  });
});

describe('the fake panel itself speaks the API as documented', () => {
  test('a JSON body is read like a form, and errors come with HTTP 200', async (t) => {
    const { fake } = await panel(t);
    const ask = (body: unknown) => fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const services = await ask({ key: fake.key, action: 'services' });
    assert.equal(services.status, 200);
    assert.deepEqual(((await services.json()) as Array<{ rate: string; min: string }>)[0], { service: 1, name: 'Followers', type: 'Default', category: 'First Category', rate: '0.90', min: '50', max: '10000', refill: true, cancel: true });
    const wrong = await ask({ key: fake.key, action: 'teleport' });
    assert.deepEqual({ status: wrong.status, body: await wrong.json() }, { status: 200, body: { error: 'Incorrect request' } });
    const added = (await (await ask({ key: fake.key, action: 'add', service: 1, link: 'https://x.example/a', quantity: 100 })).json()) as { order: number };
    const many = await (await ask({ key: fake.key, action: 'status', orders: `${added.order},1` })).json();
    assert.deepEqual(many, { [added.order]: { charge: '0.09000', start_count: '0', status: 'Pending', remains: '100', currency: 'USD' }, 1: { error: 'Incorrect order ID' } });
  });
});

describe('classifying panel errors and amounts (pure)', () => {
  const actions = ['services', 'add', 'status', 'balance', 'cancel'] as const;

  test('an error answer to add is always a refusal, whatever it says: the panel says no before it takes anything', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const meaning = classifyPanelError('add', text);
        return meaning.kind === 'failure' && meaning.failure === 'refused';
      }),
    );
  });

  test('not enough funds anywhere in an add error is insufficient_balance; an incorrect service is item_not_found', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('Not enough funds on balance', 'not enough funds', 'NOT ENOUGH FUNDS'), (before, after, said) => {
        fc.pre(!/api[\s_-]*key/i.test(before + after));
        assert.deepEqual(classifyPanelError('add', before + said + after), { kind: 'failure', failure: 'refused', code: 'insufficient_balance' });
      }),
    );
    assert.deepEqual(classifyPanelError('add', 'Incorrect service ID'), { kind: 'failure', failure: 'refused', code: 'item_not_found' });
  });

  test('a read is never unknown from an error text: refused for the key, no such order for an incorrect order id, retryable otherwise', () => {
    fc.assert(
      fc.property(fc.constantFrom(...actions.filter((a) => a !== 'add')), fc.string(), (action, text) => {
        const meaning = classifyPanelError(action, text);
        return meaning.kind === 'no_such_order' || meaning.failure !== 'unknown';
      }),
    );
    assert.deepEqual(classifyPanelError('status', 'Incorrect order ID'), { kind: 'no_such_order' });
    assert.deepEqual(classifyPanelError('services', 'Invalid API key'), { kind: 'failure', failure: 'refused', code: 'invalid_key' });
  });

  test('amounts: rounded up never below the exact value, down never above it, less than one minor unit away, and always readable as money', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 8 }), fc.boolean(), fc.constantFrom('USD', 'JPY', 'KWD'), (digits, decimals, asNumber, currency) => {
        const text = decimals === 0 ? digits.toString() : `${digits / 10n ** BigInt(decimals)}.${(digits % 10n ** BigInt(decimals)).toString().padStart(decimals, '0')}`;
        const up = panelAmount(text, currency, 'up');
        const down = panelAmount(text, currency, 'down');
        if (up === undefined || down === undefined) return Number(digits) > Number.MAX_SAFE_INTEGER / 1000;
        const upMinor = parseMinor(up, currency)!;
        const downMinor = parseMinor(down, currency)!;
        assert.ok(upMinor - downMinor === 0 || upMinor - downMinor === 1, `${text}: ${down} … ${up}`);
        const exponent = { USD: 2, JPY: 0, KWD: 3 }[currency]!;
        // exact × 10^exponent lies within [down, up]
        const scaledExact = digits * 10n ** BigInt(exponent);
        const scale = 10n ** BigInt(decimals);
        assert.ok(BigInt(downMinor) * scale <= scaledExact && scaledExact <= BigInt(upMinor) * scale, `${text} ${currency}: ${down} … ${up}`);
        if (asNumber && Number.isSafeInteger(Number(digits)) && !/e/i.test(String(Number(text)))) assert.equal(panelAmount(Number(text), currency, 'up'), panelAmount(String(Number(text)), currency, 'up'));
        return true;
      }),
    );
    for (const bad of ['', '1e3', '0x10', ' . ', '1,50', NaN, Infinity, null, {}]) assert.equal(panelAmount(bad, 'USD', 'up'), undefined, String(bad));
    assert.equal(panelAmount('-0.001', 'USD', 'down'), '-0.01');
  });
});

// The pure parts of the chain watchers: JSON-RPC quantities and topics, Transfer log decoding,
// block ranges cut and halved, which node errors mean "ask for less", TronGrid entries, which
// invoice a transfer pays, and the price feed's rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addressTopic,
  cutRange,
  decodeTransferLog,
  decodeTrc20Entry,
  fromQuantity,
  halveRange,
  isRangeRefusal,
  LATE_PAYMENT_WINDOW_SECONDS,
  pickInvoice,
  rateText,
  ratesFromFeed,
  sameAddress,
  toQuantity,
  TRANSFER_TOPIC,
} from '../../src/core/payments/providers/crypto/watchers/index.js';

const TO = '0x5aeda56215b167893e80b4fe645ba6d5bab767de';
const FROM = '0x1111111111111111111111111111111111111111';
const USDT = '0xdac17f958d2ee523a2206206994597c13d831ec7';
const HASH = `0x${'ab'.repeat(32)}`;

function log(overrides: Record<string, unknown> = {}) {
  return {
    address: USDT,
    topics: [TRANSFER_TOPIC, addressTopic(FROM), addressTopic(TO)],
    data: `0x${(10_000_123n).toString(16).padStart(64, '0')}`,
    blockNumber: '0x1b4',
    transactionHash: HASH,
    logIndex: '0x0',
    removed: false,
    ...overrides,
  };
}

test('quantities: hex without leading zeros out, any hex in; anything else is not a quantity', () => {
  assert.equal(toQuantity(0n), '0x0');
  assert.equal(toQuantity(436n), '0x1b4');
  assert.equal(fromQuantity('0x1b4'), 436n);
  assert.equal(fromQuantity('0x0'), 0n);
  for (const bad of ['1b4', '0x', '0xzz', 436, null, undefined]) assert.equal(fromQuantity(bad), undefined, String(bad));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), (n) => fromQuantity(toQuantity(n)) === n && /^0x(0|[1-9a-f][0-9a-f]*)$/.test(toQuantity(n))));
});

test('an address as a topic is 32 bytes, left-padded with zeros, lower case', () => {
  const topic = addressTopic('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  assert.equal(topic, '0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
  assert.equal(topic.length, 66);
});

test('a Transfer log decodes to contract, from, to, units, txid and block', () => {
  assert.deepEqual(decodeTransferLog(log()), { contract: USDT, from: FROM, to: TO, units: 10_000_123n, txid: HASH, block: 436n });
  // An 18-decimal amount beyond 2^53 stays exact.
  const big = 10_000_123n * 10n ** 12n;
  assert.equal(decodeTransferLog(log({ data: `0x${big.toString(16).padStart(64, '0')}` }))?.units, big);
});

test('anything else is not a transfer: a removed log, another event, an ERC-721 transfer (value indexed), malformed fields', () => {
  assert.equal(decodeTransferLog(log({ removed: true })), undefined, 'removed by a reorg');
  assert.equal(decodeTransferLog(log({ topics: [`0x${'8c'.repeat(32)}`, addressTopic(FROM), addressTopic(TO)] })), undefined, 'Approval');
  assert.equal(decodeTransferLog(log({ topics: [TRANSFER_TOPIC, addressTopic(FROM), addressTopic(TO), `0x${'0'.repeat(63)}1`], data: '0x' })), undefined, 'ERC-721');
  assert.equal(decodeTransferLog(log({ topics: [TRANSFER_TOPIC, addressTopic(FROM), `0x${'1'.repeat(64)}`] })), undefined, 'not a padded address');
  assert.equal(decodeTransferLog(log({ data: '0x1234' })), undefined);
  assert.equal(decodeTransferLog(log({ blockNumber: 436 })), undefined);
  assert.equal(decodeTransferLog(log({ transactionHash: '0x12' })), undefined);
  assert.equal(decodeTransferLog(null), undefined);
});

test('a range is cut into spans of at most the limit, covering every block once, in order', () => {
  assert.deepEqual(cutRange(10n, 24n, 5n), [
    { from: 10n, to: 14n },
    { from: 15n, to: 19n },
    { from: 20n, to: 24n },
  ]);
  assert.deepEqual(cutRange(10n, 9n, 5n), []);
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 1n, max: 3000n }), (from, length, span) => {
      const ranges = cutRange(from, from + length, span);
      let next = from;
      for (const r of ranges) {
        if (r.from !== next || r.to < r.from || r.to - r.from + 1n > span) return false;
        next = r.to + 1n;
      }
      return next === from + length + 1n;
    }),
  );
});

test('a refused range halves into two that cover it; a single block cannot be halved', () => {
  assert.deepEqual(halveRange({ from: 100n, to: 199n }), [
    { from: 100n, to: 149n },
    { from: 150n, to: 199n },
  ]);
  assert.deepEqual(halveRange({ from: 7n, to: 8n }), [
    { from: 7n, to: 7n },
    { from: 8n, to: 8n },
  ]);
  assert.equal(halveRange({ from: 7n, to: 7n }), undefined);
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (from, length) => {
      const [a, b] = halveRange({ from, to: from + length })!;
      return a.from === from && b.to === from + length && b.from === a.to + 1n && a.to >= a.from && b.to >= b.from;
    }),
  );
});

test('node errors that mean "ask for less" are told from the rest', () => {
  assert.equal(isRangeRefusal({ code: -32005, message: 'query returned more than 10000 results' }), true, 'Infura');
  assert.equal(isRangeRefusal({ code: -32602, message: 'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range' }), true, 'Alchemy');
  assert.equal(isRangeRefusal({ code: -32614, message: 'eth_getLogs is limited to a 10,000 range' }), true, 'QuickNode');
  assert.equal(isRangeRefusal({ code: -32000, message: 'limit exceeded' }), true, 'public BSC nodes');
  assert.equal(isRangeRefusal({ code: -32601, message: 'the method eth_getLogs does not exist/is not available' }), false);
  assert.equal(isRangeRefusal({ code: -32000, message: 'header not found' }), false);
  assert.equal(isRangeRefusal({ code: -32005, message: 'project ID request rate exceeded' }), false, "Infura's rate limit: asking for less, more often, makes it worse");
});

test('a TronGrid entry is a transfer only when it is a Transfer of USDT to the address, with a decimal value', () => {
  const contract = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
  const to = 'TJmmqjb1DK9TTZbQXzRQ2AuA94z4gKAPFh';
  const entry = {
    transaction_id: 'C'.repeat(64),
    token_info: { symbol: 'USDT', address: contract, decimals: 6, name: 'Tether USD' },
    block_timestamp: 1_700_000_000_000,
    from: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
    to,
    type: 'Transfer',
    value: '10000123',
  };
  assert.deepEqual(decodeTrc20Entry(entry, contract, to), { txid: 'c'.repeat(64), to, units: 10_000_123n, at: '2023-11-14T22:13:20.000Z', timestampMs: 1_700_000_000_000 });
  assert.equal(decodeTrc20Entry({ ...entry, to: entry.from }, contract, to), undefined, 'outgoing');
  assert.equal(decodeTrc20Entry({ ...entry, type: 'Approval' }, contract, to), undefined);
  assert.equal(decodeTrc20Entry({ ...entry, token_info: { ...entry.token_info, address: 'TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj' } }, contract, to), undefined, 'another token');
  assert.equal(decodeTrc20Entry({ ...entry, value: 10000123 }, contract, to), undefined, 'TronGrid writes values as strings');
  assert.equal(decodeTrc20Entry({ ...entry, value: '1e6' }, contract, to), undefined);
});

test('EVM addresses compare without letter case, TRON ones exactly', () => {
  assert.equal(sameAddress('erc20_usdt', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'), true);
  assert.equal(sameAddress('trc20_usdt', 'TJmmqjb1DK9TTZbQXzRQ2AuA94z4gKAPFh', 'tjmmqjb1dk9ttzbqxzrq2aua94z4gkapfh'), false);
});

test('the invoice a transfer pays: the waiting one at its address, else the newest one ended within the window, never one opened after it', () => {
  const at = Date.parse('2026-06-01T12:00:00Z');
  const iso = (offsetMinutes: number) => new Date(at + offsetMinutes * 60_000).toISOString();
  const address = 'TJmmqjb1DK9TTZbQXzRQ2AuA94z4gKAPFh';
  const invoice = (id: string, fields: Partial<{ waiting: number | null; status: string; created: number; expires: number; address: string; order: string | null }>) => ({
    id,
    order_id: fields.order === undefined ? `order-${id}` : fields.order,
    address: fields.address ?? address,
    waiting: fields.waiting ?? null,
    status: fields.status ?? 'expired',
    created_at: iso(fields.created ?? -60),
    expires_at: iso(fields.expires ?? -30),
  });
  const pick = (candidates: ReturnType<typeof invoice>[]) => pickInvoice('trc20_usdt', { to: address, atMs: at }, candidates)?.id;

  assert.equal(pick([invoice('old', { created: -120, expires: -90 }), invoice('open', { waiting: 1, status: 'open', created: -10, expires: 20 })]), 'open');
  assert.equal(pick([invoice('older', { created: -300, expires: -270 }), invoice('newer', { created: -120, expires: -90 })]), 'newer', 'the most recent ended one');
  assert.equal(pick([invoice('elsewhere', { waiting: 1, status: 'open', address: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf' })]), undefined, 'another address');
  assert.equal(pick([invoice('after', { waiting: 1, status: 'open', created: 10, expires: 40 })]), undefined, 'opened after the transfer');
  const windowMinutes = LATE_PAYMENT_WINDOW_SECONDS / 60;
  assert.equal(pick([invoice('long-gone', { created: -windowMinutes - 60, expires: -windowMinutes - 1 })]), undefined, 'ended before the window');
  assert.equal(pick([invoice('in-window', { created: -windowMinutes, expires: -windowMinutes + 1 })]), 'in-window');
  assert.equal(pick([invoice('record', { status: 'unmatched', order: null })]), undefined, 'an unmatched record is no invoice');
});

test('price feed: numbers become FX rates (positive decimals, at most 12 places); odd ones are left out', () => {
  assert.equal(rateText(97000.5), '97000.5');
  assert.equal(rateText(0.2451), '0.2451');
  assert.equal(rateText(1e-7), '0.0000001');
  assert.equal(rateText(0), undefined);
  assert.equal(rateText(-1), undefined);
  assert.equal(rateText(Number.NaN), undefined);
  assert.equal(rateText('97000'), undefined);
  assert.equal(rateText(1e-13), undefined, 'rounds to nothing at 12 places');
  const rates = ratesFromFeed({ bitcoin: { usd: 97000.5 }, ethereum: { usd: 'a lot' }, tron: { eur: 0.2 }, binancecoin: { usd: 610 }, dogecoin: { usd: 0.1 } });
  assert.deepEqual([...rates], [
    ['BTC', '97000.5'],
    ['BNB', '610'],
  ]);
  assert.deepEqual([...ratesFromFeed('nonsense')], []);
});

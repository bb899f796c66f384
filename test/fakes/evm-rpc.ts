// An EVM JSON-RPC node fake, written from the Ethereum JSON-RPC specification (ethereum/execution-apis)
// and the log-query limits providers document: JSON-RPC 2.0 over POST, quantities as hex without
// leading zeros ("0x0", "0x1b4"; geth refuses "0x01"), data as even-length hex, block tags latest /
// earliest / pending / safe / finalized; eth_blockNumber, eth_getBlockByNumber and eth_getLogs with
// address (one or a list) and positional topics (null for any, a list for any of), each topic 32
// bytes (an address left-padded with zeros). A log query wider than `maxRange` blocks is refused
// with -32005 "limit exceeded", as BSC's and Infura's nodes do. Tests move the chain on with
// `mine`; what Souk sends wrong is refused and noted in `problems`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** A fresh EVM address in lower case. */
export function evmAddress(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}

const pad = (address: string) => `0x${'0'.repeat(24)}${address.toLowerCase().slice(2)}`;
const hex = (n: number | bigint) => `0x${n.toString(16)}`;

export interface FakeLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  transactionHash: string;
  logIndex: number;
}

export interface FakeEvmNode {
  url: string;
  head: number;
  logs: FakeLog[];
  /** Every call's method and params, in order. */
  calls: Array<{ method: string; params: unknown[] }>;
  /** Log queries refused as too wide. */
  refusals: number;
  problems: string[];
  /** Answer 503 to everything while true. */
  down: boolean;
  /** Adds a Transfer of `units` of `token` to `to` in the next block (not yet mined); returns its transaction hash. */
  addTransfer(input: { token: string; to: string; units: bigint; from?: string; txid?: string }): string;
  /** Makes `count` more blocks. */
  mine(count: number): void;
  close(): Promise<void>;
}

type RpcAnswer = { result: unknown } | { error: { code: number; message: string } };

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/;
const TOPIC = /^0x[0-9a-f]{64}$/;

/** Starts the fake on 127.0.0.1 (a free port), its chain at block `head`. */
export async function startFakeEvmNode(options: { head?: number; maxRange?: number; chainStartSeconds?: number } = {}): Promise<FakeEvmNode> {
  const maxRange = options.maxRange ?? 1000;
  const blockTimes = new Map<number, number>();
  const startHead = options.head ?? 1000;
  const startSeconds = options.chainStartSeconds ?? Math.floor(Date.now() / 1000);
  const timeOf = (n: number) => blockTimes.get(n) ?? startSeconds - (startHead - n) * 12;
  const fake: FakeEvmNode = {
    url: '',
    head: startHead,
    logs: [],
    calls: [],
    refusals: 0,
    problems: [],
    down: false,
    addTransfer({ token, to, units, from, txid }) {
      const hash = txid ?? `0x${randomBytes(32).toString('hex')}`;
      const block = fake.head + 1;
      fake.logs.push({
        address: token.toLowerCase(),
        topics: [TRANSFER_TOPIC, pad(from ?? evmAddress()), pad(to)],
        data: `0x${units.toString(16).padStart(64, '0')}`,
        blockNumber: block,
        transactionHash: hash,
        logIndex: fake.logs.filter((l) => l.blockNumber === block).length,
      });
      return hash;
    },
    mine(count) {
      for (let i = 0; i < count; i++) {
        fake.head++;
        blockTimes.set(fake.head, Math.floor(Date.now() / 1000));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const blockOf = (tag: unknown, what: string): number | { error: string } => {
    if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return fake.head;
    if (tag === 'earliest') return 0;
    if (typeof tag !== 'string' || !QUANTITY.test(tag)) return { error: `invalid argument: ${what} ${JSON.stringify(tag)} is not a hex quantity without leading zeros` };
    return Number(BigInt(tag));
  };

  const getLogs = (params: unknown[]): RpcAnswer => {
    const filter = params[0] as Record<string, unknown> | undefined;
    if (params.length !== 1 || typeof filter !== 'object' || filter === null) return { error: { code: -32602, message: 'invalid argument 0: expected one filter object' } };
    if (filter.blockHash !== undefined) return { error: { code: -32602, message: 'this fake answers block ranges only' } };
    const from = blockOf(filter.fromBlock ?? 'latest', 'fromBlock');
    const to = blockOf(filter.toBlock ?? 'latest', 'toBlock');
    if (typeof from !== 'number') return { error: { code: -32602, message: from.error } };
    if (typeof to !== 'number') return { error: { code: -32602, message: to.error } };
    if (from > to) return { error: { code: -32602, message: 'invalid block range params' } };
    if (to - from + 1 > maxRange) {
      fake.refusals++;
      return { error: { code: -32005, message: `limit exceeded: block range is greater than ${maxRange} max` } };
    }
    const addresses = filter.address === undefined ? undefined : Array.isArray(filter.address) ? filter.address : [filter.address];
    if (addresses && !addresses.every((a) => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a))) return { error: { code: -32602, message: 'invalid argument 0: hex string has length != 40' } };
    const topics = (filter.topics ?? []) as unknown[];
    if (!Array.isArray(topics) || topics.length > 4) return { error: { code: -32602, message: 'invalid argument 0: too many topics' } };
    for (const position of topics) {
      const options = position === null ? [] : Array.isArray(position) ? position : [position];
      if (!options.every((t) => typeof t === 'string' && TOPIC.test(t.toLowerCase()))) {
        fake.problems.push(`topic ${JSON.stringify(position)} is not 32 bytes of hex`);
        return { error: { code: -32602, message: 'invalid argument 0: hex string has length != 64' } };
      }
    }
    const logs = fake.logs.filter((log) => {
      if (log.blockNumber < from || log.blockNumber > to || log.blockNumber > fake.head) return false;
      if (addresses && !addresses.some((a) => (a as string).toLowerCase() === log.address)) return false;
      return topics.every((position, i) => {
        if (position === null) return true;
        const options = (Array.isArray(position) ? position : [position]) as string[];
        return options.some((t) => t.toLowerCase() === log.topics[i]);
      });
    });
    return {
      result: logs.map((log) => ({
        address: log.address,
        topics: log.topics,
        data: log.data,
        blockNumber: hex(log.blockNumber),
        blockHash: `0x${log.blockNumber.toString(16).padStart(64, '0')}`,
        transactionHash: log.transactionHash,
        transactionIndex: hex(0),
        logIndex: hex(log.logIndex),
        removed: false,
      })),
    };
  };

  const answer = (method: string, params: unknown[]): RpcAnswer => {
    if (method === 'eth_blockNumber') {
      if (params.length !== 0) fake.problems.push('eth_blockNumber takes no params');
      return { result: hex(fake.head) };
    }
    if (method === 'eth_getBlockByNumber') {
      const n = blockOf(params[0], 'block');
      if (typeof n !== 'number') return { error: { code: -32602, message: n.error } };
      if (typeof params[1] !== 'boolean') return { error: { code: -32602, message: 'missing value for required argument 1' } };
      if (n > fake.head) return { result: null };
      return { result: { number: hex(n), hash: `0x${n.toString(16).padStart(64, '0')}`, timestamp: hex(timeOf(n)), transactions: [] } };
    }
    if (method === 'eth_getLogs') return getLogs(params);
    return { error: { code: -32601, message: `the method ${method} does not exist/is not available` } };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (fake.down) return reply(503, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'service unavailable' } });
    if (req.method !== 'POST') {
      fake.problems.push(`${req.method} instead of POST`);
      return reply(405, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'POST only' } });
    }
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) fake.problems.push(`content-type ${req.headers['content-type']}`);
    let request: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      fake.problems.push('a body that is not JSON');
      return reply(200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    }
    const idOk = typeof request.id === 'number' || typeof request.id === 'string';
    if (request.jsonrpc !== '2.0' || !idOk || typeof request.method !== 'string' || (request.params !== undefined && !Array.isArray(request.params))) {
      fake.problems.push(`not a JSON-RPC 2.0 request: ${body.slice(0, 200)}`);
      return reply(200, { jsonrpc: '2.0', id: idOk ? request.id : null, error: { code: -32600, message: 'invalid request' } });
    }
    const params = (request.params ?? []) as unknown[];
    fake.calls.push({ method: request.method, params });
    reply(200, { jsonrpc: '2.0', id: request.id, ...answer(request.method, params) });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

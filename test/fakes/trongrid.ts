// A TronGrid v1 fake, written from TronGrid's documentation (TRON-US/trongrid README and
// developers.tron.network's "TRC-20 transaction history"): GET /v1/accounts/{address}/transactions/trc20
// with only_confirmed / only_unconfirmed, only_to / only_from, contract_address, min_timestamp /
// max_timestamp (aliases min_block_timestamp / max_block_timestamp; camelCase or snake_case),
// order_by block_timestamp (desc by default), limit (20 by default, at most 200) and paging by
// `meta.fingerprint` (the other filters must stay as they were). Its quirks: addresses in base58,
// amounts as decimal strings, block times in ms, outgoing transfers listed too unless only_to,
// unconfirmed ones too unless only_confirmed. A key set here must come as TRON-PRO-API-KEY.
// What Souk sends wrong is refused and noted in `problems`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';

const base58check = createBase58check(sha256);

export const TRON_USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

/** A fresh TRON address: base58check of 0x41 and 20 random bytes. */
export function tronAddress(): string {
  return base58check.encode(Uint8Array.from([0x41, ...randomBytes(20)]));
}

function isTronAddress(text: string): boolean {
  try {
    const payload = base58check.decode(text);
    return payload.length === 21 && payload[0] === 0x41;
  } catch {
    return false;
  }
}

export interface Trc20Record {
  transaction_id: string;
  from: string;
  to: string;
  /** Smallest units, as TronGrid writes them: a decimal string. */
  value: string;
  block_timestamp: number;
  contract: string;
  confirmed: boolean;
}

export interface TransferInput {
  to: string;
  units: bigint;
  from?: string;
  txid?: string;
  at?: number;
  confirmed?: boolean;
  contract?: string;
}

export interface FakeTronGrid {
  url: string;
  /** The key it requires, if any. */
  apiKey: string | undefined;
  transfers: Trc20Record[];
  /** Every request's path and query, in order. */
  requests: Array<{ path: string; query: Record<string, string>; apiKey: string | undefined }>;
  /** What Souk sent that TronGrid would refuse or that Souk should not send. */
  problems: string[];
  /** Answer 503 to everything while true. */
  down: boolean;
  addTransfer(input: TransferInput): Trc20Record;
  confirm(txid: string): void;
  close(): Promise<void>;
}

const PARAM_ALIASES: Record<string, string> = {
  onlyConfirmed: 'only_confirmed',
  onlyUnconfirmed: 'only_unconfirmed',
  onlyTo: 'only_to',
  onlyFrom: 'only_from',
  contractAddress: 'contract_address',
  minTimestamp: 'min_timestamp',
  maxTimestamp: 'max_timestamp',
  min_block_timestamp: 'min_timestamp',
  max_block_timestamp: 'max_timestamp',
  minBlockTimestamp: 'min_timestamp',
  maxBlockTimestamp: 'max_timestamp',
  orderBy: 'order_by',
};

const KNOWN = new Set(['only_confirmed', 'only_unconfirmed', 'only_to', 'only_from', 'contract_address', 'min_timestamp', 'max_timestamp', 'order_by', 'limit', 'fingerprint', 'search_internal']);

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeTronGrid(options: { apiKey?: string } = {}): Promise<FakeTronGrid> {
  const pages = new Map<string, { query: string; offset: number }>();
  const fake: FakeTronGrid = {
    url: '',
    apiKey: options.apiKey,
    transfers: [],
    requests: [],
    problems: [],
    down: false,
    addTransfer(input) {
      const record: Trc20Record = {
        transaction_id: input.txid ?? randomBytes(32).toString('hex'),
        from: input.from ?? tronAddress(),
        to: input.to,
        value: input.units.toString(),
        block_timestamp: input.at ?? Date.now(),
        contract: input.contract ?? TRON_USDT,
        confirmed: input.confirmed ?? false,
      };
      fake.transfers.push(record);
      return record;
    },
    confirm(txid) {
      for (const t of fake.transfers) if (t.transaction_id === txid) t.confirmed = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://trongrid.local');
    const key = typeof req.headers['tron-pro-api-key'] === 'string' ? req.headers['tron-pro-api-key'] : undefined;
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[PARAM_ALIASES[name] ?? name] = value;
    fake.requests.push({ path: url.pathname, query, apiKey: key });
    if (fake.down) return send(res, 503, { success: false, error: 'service unavailable' });
    if (fake.apiKey !== undefined && key !== fake.apiKey) {
      fake.problems.push(`request without the API key (${key === undefined ? 'none' : 'a wrong one'})`);
      return send(res, 401, { success: false, error: 'ApiKey not exists', statusCode: 401 });
    }
    const match = /^\/v1\/accounts\/([^/]+)\/transactions\/trc20$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      fake.problems.push(`${req.method} ${url.pathname} is not the TRC-20 history`);
      return send(res, 404, { success: false, error: 'not found' });
    }
    const address = decodeURIComponent(match[1]!);
    if (!isTronAddress(address)) {
      fake.problems.push(`account ${address} is not a base58 TRON address`);
      return send(res, 400, { success: false, error: 'invalid address' });
    }
    for (const name of Object.keys(query)) if (!KNOWN.has(name)) fake.problems.push(`unknown parameter ${name}`);
    if (query.only_confirmed === 'true' && query.only_unconfirmed === 'true') return send(res, 400, { success: false, error: 'only_confirmed and only_unconfirmed cannot be combined' });
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      fake.problems.push(`limit ${query.limit}`);
      return send(res, 400, { success: false, error: 'limit must be between 1 and 200' });
    }
    for (const name of ['min_timestamp', 'max_timestamp']) {
      if (query[name] !== undefined && !/^\d+$/.test(query[name]!)) {
        fake.problems.push(`${name} ${query[name]} is not a time in ms`);
        return send(res, 400, { success: false, error: `invalid ${name}` });
      }
    }
    if (query.contract_address !== undefined && !isTronAddress(query.contract_address)) {
      fake.problems.push(`contract_address ${query.contract_address} is not base58`);
      return send(res, 400, { success: false, error: 'invalid contract_address' });
    }
    const { fingerprint, ...filters } = query;
    const filterKey = JSON.stringify(Object.entries(filters).sort());
    let offset = 0;
    if (fingerprint !== undefined) {
      const page = pages.get(fingerprint);
      if (!page) return send(res, 400, { success: false, error: 'invalid fingerprint' });
      if (page.query !== filterKey) {
        fake.problems.push('paged with a fingerprint under other filters');
        return send(res, 400, { success: false, error: 'fingerprint does not belong to this query' });
      }
      offset = page.offset;
    }
    const min = query.min_timestamp !== undefined ? Number(query.min_timestamp) : 0;
    const max = query.max_timestamp !== undefined ? Number(query.max_timestamp) : Date.now();
    const ascending = query.order_by === 'block_timestamp,asc' || query.order_by === 'timestamp,asc';
    const matching = fake.transfers
      .filter((t) => t.to === address || t.from === address)
      .filter((t) => query.only_to !== 'true' || t.to === address)
      .filter((t) => query.only_from !== 'true' || t.from === address)
      .filter((t) => query.only_confirmed !== 'true' || t.confirmed)
      .filter((t) => query.only_unconfirmed !== 'true' || !t.confirmed)
      .filter((t) => query.contract_address === undefined || t.contract === query.contract_address)
      .filter((t) => t.block_timestamp >= min && t.block_timestamp <= max)
      .sort((a, b) => (ascending ? a.block_timestamp - b.block_timestamp : b.block_timestamp - a.block_timestamp));
    const slice = matching.slice(offset, offset + limit);
    const meta: Record<string, unknown> = { at: Date.now(), page_size: slice.length };
    if (offset + limit < matching.length) {
      const next = randomBytes(12).toString('base64url');
      pages.set(next, { query: filterKey, offset: offset + limit });
      meta.fingerprint = next;
      const link = new URL(url.href);
      link.searchParams.set('fingerprint', next);
      meta.links = { next: `${fake.url}${link.pathname}${link.search}` };
    }
    send(res, 200, {
      data: slice.map((t) => ({
        transaction_id: t.transaction_id,
        token_info: { symbol: 'USDT', address: t.contract, decimals: 6, name: 'Tether USD' },
        block_timestamp: t.block_timestamp,
        from: t.from,
        to: t.to,
        type: 'Transfer',
        value: t.value,
      })),
      success: true,
      meta,
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

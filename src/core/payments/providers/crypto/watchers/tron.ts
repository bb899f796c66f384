// The watcher for USDT on TRON (trc20_usdt) over a TronGrid-compatible API: for each receiving
// address, GET /v1/accounts/{address}/transactions/trc20 with the USDT contract, only transfers to
// it and only confirmed ones (in solidified blocks, which TRON never reverts), between the cursor
// (a block time, ms) and now less the required confirmations at TRON's fixed 3-second block
// interval, page by page through `meta.fingerprint`. Each run reads the last TRON_REREAD_MS again:
// a block may solidify after a later run has passed its time, and what was read before credits nothing twice.
import type { OrderDeps } from '../../../../orders/index.js';
import { COIN_SPECS } from '../coins.js';
import { watchedAddresses } from './addresses.js';
import { advanceCursor, readCursor } from './cursors.js';
import { ChainUnreachable, exchangeJson } from './http.js';
import type { WatchReport } from './report.js';
import { creditChainTransfer } from './transfer.js';

export interface TronWatcherSettings {
  /** The API's base URL (https://api.trongrid.io). */
  url: string;
  /** Sent as TRON-PRO-API-KEY when set. */
  apiKey?: string;
  confirmations: number;
  /** How far back the first run reads (no cursor yet), ms. */
  lookbackMs: number;
  timeoutMs?: number;
}

/** TRON makes a block every 3 seconds. */
export const TRON_BLOCK_MS = 3000;
/** Read again on every run, for blocks that solidified late. */
export const TRON_REREAD_MS = 10 * 60_000;
/** TronGrid's largest page. */
const PAGE_SIZE = 200;
/** Pages per address and run at most: a backlog is read over several runs. */
const MAX_PAGES = 50;

export interface Trc20Transfer {
  txid: string;
  to: string;
  units: bigint;
  at: string;
  timestampMs: number;
}

/** One entry of TronGrid's `data` as a transfer of `contract` to `address`, or undefined for anything else (another token, an approval, a malformed entry). */
export function decodeTrc20Entry(entry: unknown, contract: string, address: string): Trc20Transfer | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  const token = e.token_info as { address?: unknown } | undefined;
  if (token && token.address !== undefined && token.address !== contract) return undefined;
  if (e.type !== undefined && e.type !== 'Transfer') return undefined;
  if (e.to !== address) return undefined;
  if (typeof e.transaction_id !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.transaction_id)) return undefined;
  if (typeof e.value !== 'string' || !/^\d{1,78}$/.test(e.value)) return undefined;
  if (typeof e.block_timestamp !== 'number' || !Number.isSafeInteger(e.block_timestamp) || e.block_timestamp <= 0) return undefined;
  return { txid: e.transaction_id.toLowerCase(), to: address, units: BigInt(e.value), at: new Date(e.block_timestamp).toISOString(), timestampMs: e.block_timestamp };
}

/** Every confirmed USDT transfer to `address` with a block time in [minMs, maxMs], oldest first. */
async function transfersTo(settings: TronWatcherSettings, contract: string, address: string, minMs: number, maxMs: number): Promise<Trc20Transfer[]> {
  const found: Trc20Transfer[] = [];
  let fingerprint: string | undefined;
  const base = settings.url.replace(/\/+$/, '');
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`${base}/v1/accounts/${encodeURIComponent(address)}/transactions/trc20`);
    url.searchParams.set('only_confirmed', 'true');
    url.searchParams.set('only_to', 'true');
    url.searchParams.set('contract_address', contract);
    url.searchParams.set('min_timestamp', String(minMs));
    url.searchParams.set('max_timestamp', String(maxMs));
    url.searchParams.set('order_by', 'block_timestamp,asc');
    url.searchParams.set('limit', String(PAGE_SIZE));
    if (fingerprint) url.searchParams.set('fingerprint', fingerprint);
    const answer = (await exchangeJson({ url, method: 'GET', headers: settings.apiKey ? { 'TRON-PRO-API-KEY': settings.apiKey } : {}, timeoutMs: settings.timeoutMs ?? 15_000 })) as {
      success?: unknown;
      data?: unknown;
      meta?: { fingerprint?: unknown };
    };
    if (answer?.success === false || !Array.isArray(answer?.data)) throw new ChainUnreachable(url.host, 'answered a TRC-20 history without success or data');
    for (const entry of answer.data) {
      const transfer = decodeTrc20Entry(entry, contract, address);
      if (transfer && transfer.timestampMs >= minMs && transfer.timestampMs <= maxMs) found.push(transfer);
    }
    fingerprint = typeof answer.meta?.fingerprint === 'string' && answer.meta.fingerprint !== '' ? answer.meta.fingerprint : undefined;
    if (!fingerprint || answer.data.length === 0) return found;
  }
  // Pages left unread: the cursor must not pass them, so the caller stops at the last time read.
  throw new TronBacklog(found);
}

/** More pages than one run reads: what was read, so the cursor moves to its last time only. */
class TronBacklog extends Error {
  constructor(readonly read: Trc20Transfer[]) {
    super('more TRC-20 transfers than one run reads');
  }
}

/** Reads TRON's confirmed USDT transfers to the shop's addresses since the cursor and credits each; moves the cursor once every address is read. */
export async function watchTron(deps: OrderDeps, settings: TronWatcherSettings, now = Date.now()): Promise<WatchReport> {
  const coin = 'trc20_usdt';
  const contract = COIN_SPECS[coin].contract!;
  const report: WatchReport = { chain: 'tron', transfers: 0, credited: 0, unmatched: 0 };
  const addresses = await watchedAddresses(deps.db, coin, now);
  if (addresses.length === 0) return report;
  const cursor = await readCursor(deps.db, 'tron');
  const maxMs = now - settings.confirmations * TRON_BLOCK_MS;
  const minMs = cursor !== undefined ? Math.max(0, Number(cursor) - TRON_REREAD_MS) : Math.max(0, maxMs - settings.lookbackMs);
  if (minMs > maxMs) return report;
  report.scanned = { from: String(minMs), to: String(maxMs) };
  let readUpTo = maxMs;
  for (const address of addresses) {
    let transfers: Trc20Transfer[];
    try {
      transfers = await transfersTo(settings, contract, address, minMs, maxMs);
    } catch (error) {
      if (!(error instanceof TronBacklog)) throw error;
      transfers = error.read;
      const last = transfers.at(-1)?.timestampMs;
      if (last !== undefined && last < readUpTo) readUpTo = last;
    }
    for (const t of transfers) {
      const outcome = await creditChainTransfer(deps, { coin, to: t.to, units: t.units, txid: t.txid, at: t.at }, 'watcher:tron');
      report.transfers++;
      if (outcome.kind === 'credited') report.credited++;
      if (outcome.kind === 'unmatched') report.unmatched++;
    }
  }
  await advanceCursor(deps.db, 'tron', BigInt(readUpTo));
  return report;
}

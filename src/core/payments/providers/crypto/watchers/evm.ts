// The watcher for USDT on Ethereum (erc20_usdt) and BNB Chain (bep20_usdt) over any JSON-RPC
// node: eth_blockNumber for the head, then eth_getLogs for the token's Transfer events to the
// shop's addresses (topic 2), block range by block range from the stored cursor up to the newest
// block with the required confirmations (head - block + 1 >= N), so a reorg never reaches what it
// reads. A range the node refuses as too wide is halved until it is taken, and that size kept.
import type { OrderDeps } from '../../../../orders/index.js';
import type { Coin } from '../../../methods.js';
import { COIN_SPECS } from '../coins.js';
import { advanceCursor, readCursor } from './cursors.js';
import { addressTopic, cutRange, decodeTransferLog, fromQuantity, halveRange, isRangeRefusal, toQuantity, TRANSFER_TOPIC, type BlockRange, type TransferLog } from './evm-logs.js';
import { ChainUnreachable, exchangeJson } from './http.js';
import { watchedAddresses } from './addresses.js';
import { creditChainTransfer, type TransferOutcome } from './transfer.js';
import type { WatchReport } from './report.js';

export type EvmChain = 'ethereum' | 'bsc';

export const EVM_COINS: Record<EvmChain, Coin> = { ethereum: 'erc20_usdt', bsc: 'bep20_usdt' };

export interface EvmWatcherSettings {
  chain: EvmChain;
  rpcUrl: string;
  /** A block counts once head - block + 1 reaches this. */
  confirmations: number;
  /** Blocks read back on the first run (no cursor yet). */
  lookbackBlocks: number;
  timeoutMs?: number;
}

/** Blocks asked for in one eth_getLogs before any refusal (the common provider limit is 2000 or more). */
export const MAX_LOG_SPAN = 2000n;
/** Blocks read in one run at most: a watcher far behind catches up over several runs. */
export const MAX_BLOCKS_PER_RUN = 50_000n;

/** A JSON-RPC error answer. */
export class RpcError extends Error {
  constructor(
    readonly code: number | undefined,
    readonly rpcMessage: string,
  ) {
    super(`JSON-RPC error ${code ?? '?'}: ${rpcMessage.slice(0, 200)}`);
    this.name = 'RpcError';
  }
}

class RpcClient {
  private nextId = 1;
  private readonly url: URL;
  constructor(
    rpcUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.url = new URL(rpcUrl);
  }

  async call(method: string, params: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const answer = await exchangeJson({ url: this.url, method: 'POST', body: { jsonrpc: '2.0', id, method, params }, timeoutMs: this.timeoutMs, errorBodies: true });
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new ChainUnreachable(this.url.host, `answered ${method} with something that is not a JSON-RPC answer`);
    const body = answer as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (body.error) throw new RpcError(typeof body.error.code === 'number' ? body.error.code : undefined, typeof body.error.message === 'string' ? body.error.message : '');
    if (body.id !== id || !('result' in body)) throw new ChainUnreachable(this.url.host, `answered ${method} with another request's id or no result`);
    return body.result;
  }
}

/** Log queries one run may send at most: a node that refuses ever smaller ranges is given up on until the next round. */
export const MAX_LOG_QUERIES_PER_RUN = 200;

/**
 * The logs of `from`..`to`, range after range of at most `span.blocks` blocks, each handed to
 * `take` in order (so the cursor can follow). A range the node refuses as too wide is halved, and
 * the smaller size kept for the rest of the run; a single block it refuses is an error.
 */
async function eachLogRange(rpc: RpcClient, filter: { address: string; topics: unknown[] }, from: bigint, to: bigint, take: (range: BlockRange, logs: unknown[]) => Promise<void>): Promise<void> {
  let span = MAX_LOG_SPAN;
  let queries = 0;
  for (let start = from; start <= to; ) {
    const range = cutRange(start, to, span)[0]!;
    if (++queries > MAX_LOG_QUERIES_PER_RUN) throw new RpcError(undefined, `more than ${MAX_LOG_QUERIES_PER_RUN} log queries in one run; the node keeps refusing the ranges asked`);
    let logs: unknown;
    try {
      logs = await rpc.call('eth_getLogs', [{ fromBlock: toQuantity(range.from), toBlock: toQuantity(range.to), ...filter }]);
    } catch (error) {
      const halves = error instanceof RpcError && isRangeRefusal({ code: error.code, message: error.rpcMessage }) ? halveRange(range) : undefined;
      if (!halves) throw error;
      span = halves[0].to - halves[0].from + 1n;
      continue;
    }
    if (!Array.isArray(logs)) throw new RpcError(undefined, 'eth_getLogs answered something that is not a list');
    await take(range, logs);
    start = range.to + 1n;
  }
}

/** Reads the chain's confirmed USDT transfers to the shop's addresses since its cursor and credits each; moves the cursor after each range. */
export async function watchEvmChain(deps: OrderDeps, settings: EvmWatcherSettings): Promise<WatchReport> {
  const coin = EVM_COINS[settings.chain];
  const spec = COIN_SPECS[coin];
  const actor = settings.chain === 'ethereum' ? 'watcher:ethereum' : 'watcher:bsc';
  const report: WatchReport = { chain: settings.chain, transfers: 0, credited: 0, unmatched: 0 };
  const addresses = await watchedAddresses(deps.db, coin);
  if (addresses.length === 0) return report;
  const byLowerCase = new Map(addresses.map((a) => [a.toLowerCase(), a]));
  const rpc = new RpcClient(settings.rpcUrl, settings.timeoutMs ?? 15_000);
  const head = fromQuantity(await rpc.call('eth_blockNumber', []));
  if (head === undefined) throw new ChainUnreachable(new URL(settings.rpcUrl).host, 'answered eth_blockNumber with something that is not a block number');
  const confirmedTip = head - BigInt(settings.confirmations) + 1n;
  const cursor = await readCursor(deps.db, settings.chain);
  const firstRun = confirmedTip - BigInt(settings.lookbackBlocks) + 1n;
  const from = cursor !== undefined ? cursor + 1n : firstRun > 0n ? firstRun : 0n;
  if (confirmedTip < 0n || from > confirmedTip) return report;
  const to = from + MAX_BLOCKS_PER_RUN - 1n < confirmedTip ? from + MAX_BLOCKS_PER_RUN - 1n : confirmedTip;
  report.scanned = { from: from.toString(), to: to.toString() };

  const contract = spec.contract!.toLowerCase();
  const filter = { address: contract, topics: [TRANSFER_TOPIC, null, [...byLowerCase.keys()].map(addressTopic)] };
  const blockTimes = new Map<bigint, string>();
  const timeOf = async (block: bigint): Promise<string | undefined> => {
    if (!blockTimes.has(block)) {
      const found = (await rpc.call('eth_getBlockByNumber', [toQuantity(block), false])) as { timestamp?: unknown } | null;
      const seconds = fromQuantity(found?.timestamp);
      if (seconds !== undefined) blockTimes.set(block, new Date(Number(seconds) * 1000).toISOString());
    }
    return blockTimes.get(block);
  };
  await eachLogRange(rpc, filter, from, to, async (range, logs) => {
    const transfers = logs
      .map(decodeTransferLog)
      .filter((t): t is TransferLog => t !== undefined && t.contract === contract && byLowerCase.has(t.to) && t.block >= range.from && t.block <= range.to && t.units > 0n);
    for (const t of transfers) {
      const at = await timeOf(t.block);
      const outcome: TransferOutcome = await creditChainTransfer(deps, { coin, to: byLowerCase.get(t.to)!, units: t.units, txid: t.txid, ...(at ? { at } : {}) }, actor);
      report.transfers++;
      if (outcome.kind === 'credited') report.credited++;
      if (outcome.kind === 'unmatched') report.unmatched++;
    }
    await advanceCursor(deps.db, settings.chain, range.to);
  });
  return report;
}

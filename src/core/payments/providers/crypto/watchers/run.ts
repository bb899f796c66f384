// One round of every configured chain watcher (the `payments.watch-chains` schedule): each reads
// on its own, so a node that cannot be reached leaves its chain's orders waiting (the next round
// tries again) and is named in a warning, host only, while the others go on.
import type { OrderDeps } from '../../../../orders/index.js';
import { watchEvmChain, RpcError, type EvmChain } from './evm.js';
import { ChainUnreachable } from './http.js';
import type { WatchReport } from './report.js';
import { watchTron } from './tron.js';

/** The chain settings (config.chains): a watcher runs for each URL set. */
export interface ChainWatchSettings {
  tronGridUrl: string | undefined;
  tronGridApiKey: string | undefined;
  ethRpcUrl: string | undefined;
  bscRpcUrl: string | undefined;
  tronConfirmations: number;
  ethConfirmations: number;
  bscConfirmations: number;
}

/** Nominal block times, to turn the first run's look-back (the crypto hold) into blocks. */
const BLOCK_SECONDS: Record<EvmChain, number> = { ethereum: 12, bsc: 0.75 };

/** Whether any watcher is configured. */
export function anyChainWatched(settings: ChainWatchSettings): boolean {
  return Boolean(settings.tronGridUrl || settings.ethRpcUrl || settings.bscRpcUrl);
}

/** Runs each configured watcher once; a watcher whose node fails is reported by a warning and skipped, the rest run. */
export async function watchChains(deps: OrderDeps, settings: ChainWatchSettings, holdSeconds: number): Promise<WatchReport[]> {
  const runs: Array<{ chain: WatchReport['chain']; run: () => Promise<WatchReport> }> = [];
  // The first run reads back as far as an invoice can have waited, and ten minutes more.
  const lookbackSeconds = holdSeconds + 600;
  if (settings.tronGridUrl) {
    const url = settings.tronGridUrl;
    runs.push({ chain: 'tron', run: () => watchTron(deps, { url, confirmations: settings.tronConfirmations, lookbackMs: lookbackSeconds * 1000, ...(settings.tronGridApiKey ? { apiKey: settings.tronGridApiKey } : {}) }) });
  }
  const evm: Array<[EvmChain, string | undefined, number]> = [
    ['ethereum', settings.ethRpcUrl, settings.ethConfirmations],
    ['bsc', settings.bscRpcUrl, settings.bscConfirmations],
  ];
  for (const [chain, rpcUrl, confirmations] of evm) {
    if (!rpcUrl) continue;
    runs.push({ chain, run: () => watchEvmChain(deps, { chain, rpcUrl, confirmations, lookbackBlocks: Math.ceil(lookbackSeconds / BLOCK_SECONDS[chain]) + confirmations }) });
  }
  const reports: WatchReport[] = [];
  let failure: unknown;
  for (const { chain, run } of runs) {
    try {
      reports.push(await run());
    } catch (error) {
      if (error instanceof ChainUnreachable || error instanceof RpcError) {
        deps.log?.('a chain node could not be read: its orders stay waiting, the next round tries again', { chain, problem: error.message.slice(0, 300) });
        continue;
      }
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return reports;
}

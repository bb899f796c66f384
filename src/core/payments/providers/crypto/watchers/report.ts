/** What one watcher run did: the stretch it read, the transfers to the shop it found, and what became of them. */
export interface WatchReport {
  chain: 'tron' | 'ethereum' | 'bsc';
  /** Block numbers (EVM) or block times in ms (TRON) read, inclusive; absent when there was nothing new to read. */
  scanned?: { from: string; to: string };
  transfers: number;
  credited: number;
  unmatched: number;
}

// Chain watchers: confirmed transfers to the shop's own addresses, read from a TronGrid-compatible
// API (USDT on TRON) and EVM JSON-RPC nodes (USDT on Ethereum and BNB Chain), credited to the
// invoices they pay; and the optional price feed that keeps the other coins' rates fresh.
export { watchedAddresses } from './addresses.js';
export { advanceCursor, readCursor } from './cursors.js';
export { addressTopic, cutRange, decodeTransferLog, fromQuantity, halveRange, isRangeRefusal, toQuantity, TRANSFER_TOPIC, type BlockRange, type TransferLog } from './evm-logs.js';
export { EVM_COINS, MAX_BLOCKS_PER_RUN, MAX_LOG_SPAN, RpcError, watchEvmChain, type EvmChain, type EvmWatcherSettings } from './evm.js';
export { ChainUnreachable, exchangeJson } from './http.js';
export { FEED_IDS, rateText, ratesFromFeed, refreshCoinRates, type PriceFeedDeps } from './price-feed.js';
export type { WatchReport } from './report.js';
export { anyChainWatched, watchChains, type ChainWatchSettings } from './run.js';
export { creditChainTransfer, LATE_PAYMENT_WINDOW_SECONDS, pickInvoice, sameAddress, type ChainTransfer, type TransferOutcome, type WatcherActor } from './transfer.js';
export { decodeTrc20Entry, TRON_BLOCK_MS, TRON_REREAD_MS, watchTron, type Trc20Transfer, type TronWatcherSettings } from './tron.js';

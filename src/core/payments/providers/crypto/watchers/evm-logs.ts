// The pure parts of reading ERC-20 transfers over Ethereum JSON-RPC: quantities are hex strings
// ("0x1b4", no leading zeros), an address in a topic is left-padded to 32 bytes, a Transfer log's
// value is the 32-byte `data`; block ranges are cut to a node's limit and halved when it refuses one.

/** keccak256("Transfer(address,address,uint256)"): topic 0 of every ERC-20 (and BEP-20) transfer. */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** A hex quantity ("0x1b4") as a bigint; undefined when it is not one. */
export function fromQuantity(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) return undefined;
  return BigInt(value);
}

/** A number as a JSON-RPC quantity: hex, no leading zeros ("0x0" for zero). */
export function toQuantity(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** An EVM address as a log topic: lower case, left-padded with zeros to 32 bytes. */
export function addressTopic(address: string): string {
  return `0x${'0'.repeat(24)}${address.toLowerCase().replace(/^0x/, '')}`;
}

/** The address a 32-byte topic holds (lower case), or undefined when the topic is not a padded address. */
export function topicAddress(topic: unknown): string | undefined {
  if (typeof topic !== 'string' || !/^0x0{24}[0-9a-fA-F]{40}$/.test(topic)) return undefined;
  return `0x${topic.slice(26).toLowerCase()}`;
}

export interface TransferLog {
  /** The token contract, lower case. */
  contract: string;
  from: string;
  to: string;
  units: bigint;
  txid: string;
  block: bigint;
}

/** A log as eth_getLogs returns it, decoded as an ERC-20 Transfer; undefined for anything else (another event, a removed log, a malformed one). */
export function decodeTransferLog(log: unknown): TransferLog | undefined {
  if (typeof log !== 'object' || log === null) return undefined;
  const l = log as Record<string, unknown>;
  if (l.removed === true || !Array.isArray(l.topics) || l.topics.length !== 3) return undefined;
  if (typeof l.topics[0] !== 'string' || l.topics[0].toLowerCase() !== TRANSFER_TOPIC) return undefined;
  const from = topicAddress(l.topics[1]);
  const to = topicAddress(l.topics[2]);
  const block = fromQuantity(l.blockNumber);
  if (!from || !to || block === undefined) return undefined;
  if (typeof l.data !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(l.data)) return undefined;
  if (typeof l.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(l.address)) return undefined;
  if (typeof l.transactionHash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(l.transactionHash)) return undefined;
  return { contract: l.address.toLowerCase(), from, to, units: BigInt(l.data), txid: l.transactionHash.toLowerCase(), block };
}

export interface BlockRange {
  from: bigint;
  to: bigint;
}

/** `from`..`to` (inclusive) cut into ranges of at most `maxSpan` blocks, in order. */
export function cutRange(from: bigint, to: bigint, maxSpan: bigint): BlockRange[] {
  const ranges: BlockRange[] = [];
  for (let start = from; start <= to; start += maxSpan) ranges.push({ from: start, to: start + maxSpan - 1n < to ? start + maxSpan - 1n : to });
  return ranges;
}

/** A range in two halves (the first the larger by at most one block); undefined for a single block, which cannot be split. */
export function halveRange(range: BlockRange): [BlockRange, BlockRange] | undefined {
  if (range.to <= range.from) return undefined;
  const mid = range.from + (range.to - range.from) / 2n;
  return [
    { from: range.from, to: mid },
    { from: mid + 1n, to: range.to },
  ];
}

/**
 * Whether a JSON-RPC error refuses a query for being too wide or too many results (Infura -32005
 * "query returned more than 10000 results", Alchemy's "up to a 2K block range", QuickNode -32614,
 * public BSC nodes' "limit exceeded"): asking for a smaller range may succeed.
 */
export function isRangeRefusal(error: { code?: unknown; message?: unknown }): boolean {
  const message = typeof error.message === 'string' ? error.message : '';
  // Infura answers -32005 for its request rate too: asking for less, more often, would make that worse.
  if (/rate|too many requests|daily|credits|capacity|quota/i.test(message)) return false;
  if (error.code === -32005 || error.code === -32614) return true;
  return /range|limit|exceed|too (many|large|big|wide)|more than|response size|results/i.test(message);
}

// The seven coins of seed 004 as the own-address provider counts them: the chain an address lives
// on, the coin's smallest unit (decimals), how many decimals a buyer is asked to send (the last
// one carries the order's unique offset), how it is priced (USDT 1:1 with USD, the rest by the FX
// table under its ticker), and the payment URI its wallets understand.
import type { Coin } from '../../methods.js';

export type Chain = 'tron' | 'ethereum' | 'bsc' | 'bitcoin';

export interface CoinSpec {
  coin: Coin;
  chain: Chain;
  /** Decimals of the coin's smallest unit on its chain (USDT on BNB Chain has 18, on TRON and Ethereum 6). */
  decimals: number;
  /** Decimals of an amount a buyer is asked for: the price is rounded up to these, and the offset counts in the last. */
  shown: number;
  /** 'USD' for a USD stablecoin (1:1); else the ticker the FX table holds its rate under (BTC → USD, or USD → BTC). */
  pricedAs: 'USD' | 'BTC' | 'ETH' | 'TRX' | 'BNB';
  /** The token contract for a token (what an EIP-681 transfer names), undefined for the chain's own coin. */
  contract?: string;
}

/** Mainnet USDT contracts: what a wallet needs to send the token rather than the chain's coin. */
const USDT_TRON = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
const USDT_ETHEREUM = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const USDT_BSC = '0x55d398326f99059fF775485246999027B3197955';

export const COIN_SPECS: Readonly<Record<Coin, CoinSpec>> = {
  trc20_usdt: { coin: 'trc20_usdt', chain: 'tron', decimals: 6, shown: 6, pricedAs: 'USD', contract: USDT_TRON },
  erc20_usdt: { coin: 'erc20_usdt', chain: 'ethereum', decimals: 6, shown: 6, pricedAs: 'USD', contract: USDT_ETHEREUM },
  bep20_usdt: { coin: 'bep20_usdt', chain: 'bsc', decimals: 18, shown: 6, pricedAs: 'USD', contract: USDT_BSC },
  btc: { coin: 'btc', chain: 'bitcoin', decimals: 8, shown: 8, pricedAs: 'BTC' },
  eth: { coin: 'eth', chain: 'ethereum', decimals: 18, shown: 8, pricedAs: 'ETH' },
  trx: { coin: 'trx', chain: 'tron', decimals: 6, shown: 6, pricedAs: 'TRX' },
  bnb: { coin: 'bnb', chain: 'bsc', decimals: 18, shown: 8, pricedAs: 'BNB' },
};

/** EIP-155 chain ids of the EVM chains. */
const CHAIN_IDS: Partial<Record<Chain, number>> = { ethereum: 1, bsc: 56 };

/**
 * The payment URI for `units` of `spec`'s coin to `address`: BIP-21 for bitcoin, EIP-681 for the
 * EVM chains (a native `value` in wei, or the token's `transfer` with `uint256` in its units), and
 * TronLink's `tron:` form for TRON (with the token contract for USDT).
 */
export function paymentUri(spec: CoinSpec, address: string, units: bigint, amount: string): string {
  if (spec.chain === 'bitcoin') return `bitcoin:${address}?amount=${amount}`;
  if (spec.chain === 'tron') return `tron:${address}?amount=${amount}${spec.contract ? `&token=${spec.contract}` : ''}`;
  const chainId = CHAIN_IDS[spec.chain]!;
  if (spec.contract) return `ethereum:${spec.contract}@${chainId}/transfer?address=${address}&uint256=${units}`;
  return `ethereum:${address}@${chainId}?value=${units}`;
}

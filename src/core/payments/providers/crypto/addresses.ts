// Receiving addresses: one per coin, set by the owner, checked against its chain's format before
// it is kept (a typo here sends buyers' money nowhere). TRON and legacy bitcoin addresses carry a
// base58check checksum, segwit ones a bech32/bech32m checksum, mixed-case EVM addresses EIP-55's;
// @scure/base and @noble/hashes (audited, no dependencies) do the decoding and hashing.
import { bech32, bech32m, createBase58check } from '@scure/base';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Db } from '../../../../db/index.js';
import { nowIso, wireTime } from '../../../clock.js';
import { ValidationFailed } from '../../../errors.js';
import { COINS, type Coin } from '../../methods.js';
import { COIN_SPECS, type Chain } from './coins.js';

const base58check = createBase58check(sha256);

function base58Payload(address: string): Uint8Array | undefined {
  try {
    return base58check.decode(address);
  } catch {
    return undefined;
  }
}

/** TRON: base58check of 0x41 and a 20-byte account, which starts with T. */
function tronProblem(address: string): string | undefined {
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address)) return 'a TRON address is 34 base58 characters starting with T';
  const payload = base58Payload(address);
  if (!payload || payload.length !== 21 || payload[0] !== 0x41) return 'the TRON address checksum does not match (a typo?)';
  return undefined;
}

/** EVM: 0x and 40 hex digits; in mixed case, the EIP-55 checksum must hold. */
function evmProblem(address: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return 'an EVM address is 0x followed by 40 hexadecimal digits';
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return undefined;
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(body.toLowerCase()))).toString('hex');
  for (let i = 0; i < 40; i++) {
    const letter = body[i]!;
    if (!/[a-f]/i.test(letter)) continue;
    const upper = parseInt(hash[i]!, 16) >= 8;
    if ((letter === letter.toUpperCase()) !== upper) return 'the EVM address checksum (EIP-55 letter case) does not match (a typo?)';
  }
  return undefined;
}

/** Bitcoin mainnet: P2PKH (1…) or P2SH (3…) in base58check, segwit v0 (bc1q…, bech32) or v1+ (bc1p…, bech32m). */
function bitcoinProblem(address: string): string | undefined {
  if (/^[13]/.test(address)) {
    const payload = base58Payload(address);
    if (!payload || payload.length !== 21 || (payload[0] !== 0x00 && payload[0] !== 0x05)) return 'the bitcoin address checksum does not match (a typo?)';
    return undefined;
  }
  if (!/^bc1/i.test(address)) return 'a bitcoin address starts with 1, 3 or bc1 (mainnet)';
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return 'a bech32 address is all lower case or all upper case';
  const text = address.toLowerCase() as `bc1${string}`;
  const version = bech32.decodeUnsafe(text)?.words[0] ?? bech32m.decodeUnsafe(text)?.words[0];
  if (version === undefined) return 'the bitcoin address checksum does not match (a typo?)';
  const decoded = version === 0 ? bech32.decodeUnsafe(text) : bech32m.decodeUnsafe(text);
  if (!decoded || decoded.prefix !== 'bc' || version > 16) return 'the bitcoin address checksum does not match (a typo?)';
  const program = bech32.fromWordsUnsafe(decoded.words.slice(1));
  if (!program || program.length < 2 || program.length > 40 || (version === 0 && program.length !== 20 && program.length !== 32)) return 'not a valid segwit program';
  return undefined;
}

const CHECKS: Record<Chain, (address: string) => string | undefined> = { tron: tronProblem, ethereum: evmProblem, bsc: evmProblem, bitcoin: bitcoinProblem };

/** What is wrong with `address` as a receiving address for `coin`, or undefined when it is well formed with a valid checksum. */
export function addressProblem(coin: Coin, address: string): string | undefined {
  return CHECKS[COIN_SPECS[coin].chain](address);
}

export interface ReceivingAddress {
  coin: Coin;
  address: string;
  updated_by: string;
  updated_at: string;
}

/** Sets the address `coin` is paid to (checked first); invoices opened from now on name it, waiting ones keep theirs. */
export async function setReceivingAddress(db: Db, coin: string, address: string, actor: string): Promise<ReceivingAddress> {
  if (!(COINS as readonly string[]).includes(coin)) {
    throw new ValidationFailed(`No coin "${coin.slice(0, 40)}"; one of ${COINS.join(', ')}.`, [{ field: 'coin', message: `one of ${COINS.join(', ')}` }]);
  }
  const trimmed = address.trim();
  const problem = addressProblem(coin as Coin, trimmed);
  if (problem) throw new ValidationFailed(`The address is not a ${coin} address: ${problem}.`, [{ field: 'address', message: problem }]);
  const now = nowIso();
  const write = async (tx: Db) => {
    await tx
      .insertInto('payment_addresses')
      .values({ coin, address: trimmed, updated_by: actor, updated_at: now })
      .onConflict((c) => c.column('coin').doUpdateSet({ address: trimmed, updated_by: actor, updated_at: now }))
      .execute();
    await tx.insertInto('audit_log').values({ actor, action: 'payment.address_set', subject: `coin:${coin}`, detail: trimmed, created_at: now }).execute();
  };
  // Inside the caller's transaction when given one (the demo seed), else in one of its own.
  await (db.isTransaction ? write(db) : db.transaction().execute(write));
  return { coin: coin as Coin, address: trimmed, updated_by: actor, updated_at: wireTime(now) };
}

/** Every receiving address set, by coin. */
export async function listReceivingAddresses(db: Db): Promise<ReceivingAddress[]> {
  const rows = await db.selectFrom('payment_addresses').selectAll().orderBy('coin').execute();
  return rows.map((r) => ({ coin: r.coin as Coin, address: r.address, updated_by: r.updated_by, updated_at: wireTime(r.updated_at) }));
}

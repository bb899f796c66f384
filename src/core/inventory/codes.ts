// Stock codes at rest: sealed with AES-256-GCM under the master key (the sealed text names its
// key, so the master key can be rotated), and fingerprinted with an HMAC so uniqueness can be
// enforced by the database without the plaintext ever being stored or compared.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../crypto.js';
import { SealPool, type SealedRows } from './seal-pool.js';

/** Below this many codes, sealing on the calling thread is quicker than handing them to a worker. */
const INLINE_SEALING = 2000;

export class CodeVault {
  private readonly box: SecretBox;
  private readonly fingerprintKey: KeyObject;
  private pool: SealPool | undefined;

  /**
   * Seals with the process's SecretBox; fingerprints with the shop's key, kept sealed in the
   * database (stockFingerprintKey) so that it outlives a master key rotation.
   */
  constructor(box: SecretBox, fingerprintKey: Buffer) {
    this.box = box;
    this.fingerprintKey = createSecretKey(fingerprintKey);
  }

  /**
   * Seals and fingerprints many codes, in pieces spread over the worker threads when there are
   * enough of them; the pieces come back in the order of the codes.
   */
  async sealMany(codes: string[]): Promise<SealedRows[]> {
    if (codes.length < INLINE_SEALING) return [{ count: codes.length, json: JSON.stringify(codes.map((code) => [this.seal(code), this.fingerprint(code)])) }];
    const pool = (this.pool ??= new SealPool({ keyId: this.box.keyId, sealKey: this.box.keyMaterial(), fingerprintKey: this.fingerprintKey.export() }));
    const pieceSize = Math.max(INLINE_SEALING, Math.ceil(codes.length / pool.size));
    const pieces: Array<Promise<SealedRows>> = [];
    for (let at = 0; at < codes.length; at += pieceSize) pieces.push(pool.seal(codes.slice(at, at + pieceSize)));
    return Promise.all(pieces);
  }

  /** Stops the sealing workers, if any were started. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }

  seal(code: string): string {
    return this.box.seal(code);
  }

  open(sealed: string): string {
    return this.box.open(sealed);
  }

  /** Equal codes have equal fingerprints; the fingerprint reveals nothing without the master key. */
  fingerprint(code: string): string {
    return createHmac('sha256', this.fingerprintKey).update(code).digest('hex');
  }
}

/**
 * A code as admin lists show it: the first and last four characters, the rest as dots, separators
 * kept (`ABCD-••••-••••-WXYZ`). Short codes show less, so a mask never gives most of a code away.
 */
export function maskCode(code: string): string {
  const visible = code.length >= 12 ? 4 : code.length >= 6 ? 2 : 0;
  let seen = 0;
  const total = [...code].filter((ch) => /[A-Za-z0-9]/.test(ch)).length;
  return [...code]
    .map((ch) => {
      if (!/[A-Za-z0-9]/.test(ch)) return ch;
      seen += 1;
      return seen <= visible || seen > total - visible ? ch : '•';
    })
    .join('');
}

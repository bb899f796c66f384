// Stock codes at rest: sealed with AES-256-GCM under the master key (the sealed text names its
// key, so the master key can be rotated), and fingerprinted with an HMAC so uniqueness can be
// enforced by the database without the plaintext ever being stored or compared. Each code's mask
// (what admin lists show) is kept apart from it, encrypted (code-masks.ts), so a list opens masks, never codes.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { deriveKey, type SecretBox } from '../crypto.js';
import { decryptMask, encryptMasks, maskCode } from './code-masks.js';
import { SealPool, type SealedRows } from './seal-pool.js';

/** Below this many codes, sealing on the calling thread is quicker than handing them to a worker. */
const INLINE_SEALING = 2000;

export class CodeVault {
  private readonly box: SecretBox;
  private readonly fingerprintKey: KeyObject;
  private readonly maskKey: KeyObject;
  private pool: SealPool | undefined;

  /**
   * Seals with the process's SecretBox; fingerprints with the shop's key, kept sealed in the
   * database (stockFingerprintKey) so that it outlives a master key rotation.
   */
  constructor(box: SecretBox, fingerprintKey: Buffer) {
    this.box = box;
    this.fingerprintKey = createSecretKey(fingerprintKey);
    // Derived from the fingerprint key, which outlives master key rotations: masks never need sealing again.
    this.maskKey = createSecretKey(deriveKey(fingerprintKey, 'stock-code-mask'));
  }

  /**
   * Seals and fingerprints many codes, in pieces spread over the worker threads when there are
   * enough of them; the pieces come back in the order of the codes.
   */
  async sealMany(codes: string[]): Promise<SealedRows[]> {
    if (codes.length < INLINE_SEALING) {
      const masks = encryptMasks(this.maskKey, codes);
      return [{ count: codes.length, json: JSON.stringify(codes.map((code, i) => [this.seal(code), this.fingerprint(code), masks[i]])) }];
    }
    const pool = (this.pool ??= new SealPool({ keyId: this.box.keyId, sealKey: this.box.keyMaterial(), fingerprintKey: this.fingerprintKey.export(), maskKey: this.maskKey.export() }));
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

  /** The masks of `codes`, in the order given, encrypted to be kept beside them as one stream (code-masks.ts: one IV and cipher for them all). */
  sealMasks(codes: readonly string[]): string[] {
    return codes.length === 0 ? [] : encryptMasks(this.maskKey, codes);
  }

  /**
   * A stored code as lists show it: its mask decrypted, without opening the code. A code stored
   * without a mask (sealed before masks were, or delivered by hand) is opened and masked here; its
   * plaintext never leaves this function.
   */
  maskOf(row: { code_enc: string; code_mask: string | null }): string {
    return row.code_mask === null ? maskCode(this.open(row.code_enc)) : decryptMask(this.maskKey, row.code_mask);
  }
}

// The few cryptographic primitives Souk needs, on node:crypto only.
import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, hkdfSync, randomBytes, scrypt, timingSafeEqual, type KeyObject } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string carrying at least `bytes` bytes of entropy. */
export function randomBase62(bytes: number): string {
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejection sampling keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacSha256Hex(key: Buffer | string, value: string | Buffer): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** Equality of two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** A key for one purpose, derived from the master key so one secret serves many uses. */
export function deriveKey(masterKey: Buffer, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `souk:${purpose}`, length));
}

/** The id a master key's seals carry: derived from the key, so it names it without revealing it. */
export function masterKeyId(masterKey: Buffer): string {
  return `k${deriveKey(masterKey, 'key-id', 6).toString('base64url')}`;
}

/** Seals made before key ids named their key carry this one; the key that opens them is found by trying. */
const LEGACY_KEY_ID = 'k1';

/**
 * Seals secrets with AES-256-GCM under the current master key; opens them under it or any previous
 * one. The output names the key it was sealed with, `<key id>.<iv>.<tag>.<ciphertext>` (each part
 * base64url), so the master key can be rotated: new seals use the new key, old ones still open
 * while the old key is given as a previous one, and `souk rekey` moves them over.
 */
export class SecretBox {
  readonly keyId: string;
  private readonly key: KeyObject;
  /** Every key that may open a seal, by id; the current one first. */
  private readonly keys: Map<string, KeyObject>;
  // IVs are cut from a pool of random bytes: one randomBytes call per 4,096 seals instead of one
  // each (it dominated the cost of bulk imports). Every IV is still fresh random, never reused.
  private ivPool = Buffer.alloc(0);
  private ivAt = 0;

  constructor(masterKey: Buffer, previousMasterKeys: readonly Buffer[] = []) {
    this.keyId = masterKeyId(masterKey);
    this.key = createSecretKey(deriveKey(masterKey, 'secret-box'));
    this.keys = new Map([[this.keyId, this.key]]);
    for (const previous of previousMasterKeys) {
      const id = masterKeyId(previous);
      if (!this.keys.has(id)) this.keys.set(id, createSecretKey(deriveKey(previous, 'secret-box')));
    }
  }

  private nextIv(): Buffer {
    if (this.ivAt + 12 > this.ivPool.length) {
      this.ivPool = randomBytes(12 * 4096);
      this.ivAt = 0;
    }
    const iv = this.ivPool.subarray(this.ivAt, this.ivAt + 12);
    this.ivAt += 12;
    return iv;
  }

  /** The derived key itself, for the sealing workers of bulk imports (core/inventory/seal-pool.ts). */
  keyMaterial(): Buffer {
    return this.key.export();
  }

  seal(plaintext: string): string {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${this.keyId}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Whether a seal is under the current key (else `souk rekey` would seal it again). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${this.keyId}.`);
  }

  open(sealed: string): string {
    const [keyId, iv, tag, body] = sealed.split('.');
    if (!keyId || !iv || !tag || body === undefined) throw new Error('sealed secret has an unknown format');
    if (keyId !== LEGACY_KEY_ID) {
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`sealed under master key ${keyId}, which this process was not given (SOUK_MASTER_KEY, SOUK_PREVIOUS_MASTER_KEYS)`);
      return openWith(key, iv, tag, body);
    }
    for (const key of this.keys.values()) {
      try {
        return openWith(key, iv, tag, body);
      } catch {
        // Sealed under another of the keys: its tag does not verify under this one.
      }
    }
    throw new Error('sealed before key ids named their key, and none of the master keys given opens it (SOUK_MASTER_KEY, SOUK_PREVIOUS_MASTER_KEYS)');
  }
}

function openWith(key: KeyObject, iv: string, tag: string, body: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password hash that never matches, for spending the same time on unknown usernames. */
export const DUMMY_PASSWORD_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

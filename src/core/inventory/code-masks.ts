// A code's mask (what admin lists show: `ABCD-••••-••••-WXYZ`) is made when the code is sealed and
// kept beside it, encrypted, so a masked view opens masks and never a code. The mask shows some of
// the code's characters, so it may not rest in clear; a second AES-GCM seal per code would have
// slowed imports markedly (a cipher set up per code), so the masks of one batch are encrypted as one AES-256-CTR
// stream (one cipher for thousands of codes) and each row keeps the stream's IV, its offset in it
// and its own bytes: `<iv>.<offset>.<ciphertext>`, read alone by starting the counter at its block.
// What is encrypted is the code with every hidden letter or digit made a 0: as long as the code
// (the dots would take three bytes each), and masking it again gives exactly the code's mask.
// Not authenticated: a mask is only ever shown, never trusted. The key is derived from the shop's
// fingerprint key, which a master key rotation leaves alone, so masks are never sealed again.
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A code as admin lists show it: the first and last four characters, the rest as dots, separators
 * kept (`ABCD-••••-••••-WXYZ`). Short codes show less, so a mask never gives most of a code away.
 */
export function maskCode(code: string): string {
  return hideLetters(code, '•');
}

/** `code` with the letters and digits its mask hides replaced by `hidden`. Letters and digits are single UTF-16 units, so walking units keeps every other character whole. */
function hideLetters(code: string, hidden: string): string {
  const visible = code.length >= 12 ? 4 : code.length >= 6 ? 2 : 0;
  let total = 0;
  for (let i = 0; i < code.length; i++) if (isAlphanumeric(code.charCodeAt(i))) total += 1;
  let seen = 0;
  let out = '';
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    if (!isAlphanumeric(code.charCodeAt(i))) continue;
    seen += 1;
    if (seen <= visible || seen > total - visible) continue;
    out += code.slice(from, i) + hidden;
    from = i + 1;
  }
  return out + code.slice(from);
}

/**
 * maskSource as plain JavaScript, for the seal workers (evaluated source, without this module's
 * loader): the same functions' own text, so the workers cannot drift from it.
 */
export const MASK_SOURCE_JS = `${isAlphanumeric.toString()}\n${hideLetters.toString()}\nconst maskSource = (code) => hideLetters(code, '0');\n`;

/** The code with the letters and digits its mask hides made 0: nothing more of the code than its mask, and maskCode() of it is the code's mask. */
export function maskSource(code: string): string {
  return hideLetters(code, '0');
}

/** The masks of `codes`, each encrypted as `<iv>.<offset>.<ciphertext>` (one CTR stream for them all). */
export function encryptMasks(key: KeyObject, codes: readonly string[]): string[] {
  const iv = randomBytes(16);
  const plain = codes.map((code) => Buffer.from(maskSource(code), 'utf8'));
  // CTR is a stream: update() returns every byte, final() none.
  const stream = createCipheriv('aes-256-ctr', key, iv).update(Buffer.concat(plain));
  const ivText = iv.toString('base64url');
  let offset = 0;
  return plain.map((bytes) => {
    const stored = `${ivText}.${offset}.${stream.subarray(offset, offset + bytes.length).toString('base64url')}`;
    offset += bytes.length;
    return stored;
  });
}

/** The 128-bit big-endian counter `blocks` blocks after `iv`, as OpenSSL's CTR mode counts. */
function counterAt(iv: Buffer, blocks: number): Buffer {
  const counter = Buffer.from(iv);
  let carry = blocks;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const sum = counter[i]! + (carry % 256);
    counter[i] = sum % 256;
    carry = Math.floor(carry / 256) + (sum >= 256 ? 1 : 0);
  }
  return counter;
}

/** One stored mask, decrypted alone. */
export function decryptMask(key: KeyObject, stored: string): string {
  const [ivText, offsetText, body] = stored.split('.');
  const offset = Number(offsetText);
  if (!ivText || body === undefined || !Number.isSafeInteger(offset) || offset < 0) throw new Error('stored mask has an unknown format');
  const iv = Buffer.from(ivText, 'base64url');
  if (iv.length !== 16) throw new Error('stored mask has an unknown format');
  const decipher = createDecipheriv('aes-256-ctr', key, counterAt(iv, Math.floor(offset / 16)));
  decipher.update(Buffer.alloc(offset % 16));
  return maskCode(decipher.update(Buffer.from(body, 'base64url')).toString('utf8'));
}

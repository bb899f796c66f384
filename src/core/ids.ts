import { randomBytes } from 'node:crypto';
// Row ids are 32-bit integers (`serial` in PostgreSQL). A reference outside that range names no
// row, and must not reach a query: PostgreSQL refuses such a parameter instead of matching nothing.
export const MAX_ROW_ID = 2_147_483_647;

export function isRowId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_ROW_ID;
}

/**
 * The row id a reference spells, only when it is written as canonical decimal digits ("9", never
 * "09", " 9", "9e0" or "0x9": JavaScript's Number would read all of those as 9); else undefined.
 */
export function rowIdOf(reference: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(reference)) return undefined;
  const id = Number(reference);
  return isRowId(id) ? id : undefined;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The smallest ULID made at `ms` or later: ids at or above it were created since then. */
export function ulidFloor(ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time + '0'.repeat(16);
}

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A ULID (48-bit millisecond time, 80 random bits, Crockford base32): sortable by creation time.
 * Random bytes come from a pool refilled 4 KB at a time; the ulid package asked the system for
 * every character, a twentieth of an order's CPU time.
 */
export function newUlid(now = Date.now()): string {
  if (offset + 16 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[pool[offset + i]! & 31];
  offset += 16;
  return time + random;
}

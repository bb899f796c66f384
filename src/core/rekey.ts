// Moving everything sealed under an earlier master key to the current one, after a rotation:
// stock codes, webhook and callback secrets, partner signing secrets, stored answers, step runs' inputs and outputs, upstream providers' credentials, Zid stores' tokens, the fingerprint key. Safe to
// run while Souk serves and to run again: each value is sealed anew only if it is still what was
// read (a secret rotated meanwhile is left as it is, already under the current key), and values
// already under the current key are skipped, so a run that stops halfway is simply run again.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { SecretBox } from './crypto.js';
import { FINGERPRINT_KEY_SETTING } from './inventory/index.js';

interface SealedColumn {
  table: string;
  id: string;
  column: string;
  /** Only rows matching this hold a sealed value. */
  only?: { column: string; value: string };
  /**
   * Listed in the result only when it sealed something: columns added after the result's shape was
   * settled, so a shop that never used them reports exactly what it reported before.
   */
  listedWhenUsed?: boolean;
}

const SEALED: readonly SealedColumn[] = [
  { table: 'stock_items', id: 'id', column: 'code_enc' },
  { table: 'api_keys', id: 'id', column: 'signing_secret_enc' },
  { table: 'webhook_endpoints', id: 'id', column: 'secret_enc' },
  { table: 'webhook_endpoints', id: 'id', column: 'previous_secret_enc' },
  { table: 'callback_secrets', id: 'account_id', column: 'secret_enc' },
  { table: 'callback_secrets', id: 'account_id', column: 'previous_secret_enc' },
  { table: 'idempotency_answers', id: 'id', column: 'response' },
  { table: 'step_runs', id: 'id', column: 'input', listedWhenUsed: true },
  { table: 'step_run_steps', id: 'id', column: 'output', listedWhenUsed: true },
  { table: 'providers', id: 'id', column: 'credentials', listedWhenUsed: true },
  { table: 'zid_stores', id: 'id', column: 'credentials', listedWhenUsed: true },
  { table: 'settings', id: 'key', column: 'value', only: { column: 'key', value: FINGERPRINT_KEY_SETTING } },
];

const CHUNK = 1000;

export interface RekeyResult {
  keyId: string;
  /** Values sealed anew, by `table.column`. */
  resealed: Record<string, number>;
}

async function rekeyColumn(db: Db, box: SecretBox, target: SealedColumn): Promise<number> {
  const table = sql.table(target.table);
  const id = sql.ref(target.id);
  const column = sql.ref(target.column);
  const prefix = `${box.keyId}.`;
  const only = target.only ? sql`and ${sql.ref(target.only.column)} = ${target.only.value}` : sql``;
  let resealed = 0;
  let after: string | number | null = null;
  for (;;) {
    const from: ReturnType<typeof sql> = after === null ? sql`` : sql`and ${id} > ${after}`;
    const { rows } = await sql<{ id: string | number; sealed: string }>`
      select ${id} as id, ${column} as sealed from ${table}
      where ${column} is not null and substr(${column}, 1, ${prefix.length}) <> ${prefix} ${only} ${from}
      order by ${id} limit ${CHUNK}`.execute(db);
    if (!rows.length) return resealed;
    // Opened before the transaction, so a value no key given can open stops the run before it writes.
    const fresh = rows.map((row) => {
      try {
        return { id: row.id, old: row.sealed, sealed: box.seal(box.open(row.sealed)) };
      } catch (error) {
        throw new Error(`${target.table}.${target.column} of ${row.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    await db.transaction().execute(async (tx) => {
      for (const row of fresh) {
        const result = await sql`update ${table} set ${column} = ${row.sealed} where ${id} = ${row.id} and ${column} = ${row.old}`.execute(tx);
        resealed += Number(result.numAffectedRows ?? 0n);
      }
    });
    after = rows.at(-1)!.id;
  }
}

/** Seals again, under the current master key, every value sealed under an earlier one. */
export async function rekeySealedValues(db: Db, box: SecretBox): Promise<RekeyResult> {
  const resealed: Record<string, number> = {};
  for (const target of SEALED) {
    const count = await rekeyColumn(db, box, target);
    if (count > 0 || !target.listedWhenUsed) resealed[`${target.table}.${target.column}`] = count;
  }
  return { keyId: box.keyId, resealed };
}

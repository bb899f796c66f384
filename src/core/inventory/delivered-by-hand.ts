// Codes a person delivers for an order (manual fulfilment): they enter stock already sold to the
// order, sealed and fingerprinted like imported codes, so a code can never be delivered twice.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { Conflict } from '../errors.js';
import type { CodeVault } from './codes.js';

export interface DeliveredCodes {
  orderId: string;
  productId: number;
  /** Distinct, trimmed codes: the caller has checked their number against the order. */
  codes: readonly string[];
}

const CODE_NOT_NEW = 'A code given was already in stock or sold before; every code must be new.';

/**
 * Stores `codes` as stock items sold to the order, in the caller's transaction, and returns their
 * ids in the order given (the order lists them as its items). Conflict, and nothing kept once the
 * transaction rolls back, when any code was in this product's stock before (sold or not).
 */
export async function recordDeliveredCodes(tx: Db, vault: CodeVault, delivery: DeliveredCodes): Promise<number[]> {
  const now = nowIso();
  const masks = vault.sealMasks(delivery.codes);
  const inserted = await tx
    .insertInto('stock_items')
    .values(
      delivery.codes.map((code, i) => ({
        product_id: delivery.productId,
        code_enc: vault.seal(code),
        code_hmac: vault.fingerprint(code),
        code_mask: masks[i]!,
        status: 'sold' as const,
        order_id: delivery.orderId,
        batch: `manual:${delivery.orderId}`,
        demo: 0,
        created_at: now,
        sold_at: now,
      })),
    )
    .onConflict((c) => c.columns(['product_id', 'code_hmac']).doNothing())
    .returning('id')
    .execute();
  if (inserted.length !== delivery.codes.length) throw new Conflict(CODE_NOT_NEW);
  return inserted.map((row) => Number(row.id));
}

/** Delivered codes as rows of one PostgreSQL statement: sealed and fingerprinted, in the order given (`position`). */
export interface DeliveredCodeRow {
  position: number;
  product_id: number;
  order_id: string;
  code_enc: string;
  code_hmac: string;
  code_mask: string;
}

/** Seals each delivery's codes for pgRecordDeliveredCodes, numbering them in the order given. */
export function deliveredCodeRows(vault: CodeVault, deliveries: readonly DeliveredCodes[]): DeliveredCodeRow[] {
  const masks = vault.sealMasks(deliveries.flatMap((delivery) => delivery.codes));
  let position = 0;
  return deliveries.flatMap((delivery) =>
    delivery.codes.map((code) => ({
      position,
      product_id: delivery.productId,
      order_id: delivery.orderId,
      code_enc: vault.seal(code),
      code_hmac: vault.fingerprint(code),
      code_mask: masks[position++]!,
    })),
  );
}

/**
 * The CTE body that stores delivered codes as sold stock items, as recordDeliveredCodes does, in a
 * PostgreSQL statement; returns `id, order_id, code_hmac` of each row inserted. A code that was in
 * its product's stock before is left out: the caller compares the count and rolls back.
 */
export function pgRecordDeliveredCodes(rows: readonly DeliveredCodeRow[], at: string): RawBuilder<unknown> {
  return sql`
        insert into stock_items (product_id, code_enc, code_hmac, code_mask, status, order_id, batch, demo, created_at, sold_at)
        select x.product_id, x.code_enc, x.code_hmac, x.code_mask, 'sold', x.order_id, 'manual:' || x.order_id, 0, ${at}::text, ${at}::text
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(position int, product_id int, order_id text, code_enc text, code_hmac text, code_mask text)
        order by x.position
        on conflict (product_id, code_hmac) do nothing
        returning id, order_id, code_hmac`;
}

/**
 * SQLite: recordDeliveredCodes as a prepared statement run synchronously in the caller's
 * transaction (a batch writer's); throws Conflict when a code was in the product's stock before.
 */
export function sqliteDeliveredCodesWriter(sqlite: SQLite.Database, vault: CodeVault): (delivery: DeliveredCodes, at: string) => number[] {
  const insert = sqlite.prepare<[number, string, string, string, string, string, string, string], { id: number }>(
    `insert into stock_items (product_id, code_enc, code_hmac, code_mask, status, order_id, batch, demo, created_at, sold_at)
     values (?, ?, ?, ?, 'sold', ?, ?, 0, ?, ?) on conflict (product_id, code_hmac) do nothing returning id`,
  );
  return (delivery, at) => {
    const masks = vault.sealMasks(delivery.codes);
    return delivery.codes.map((code, i) => {
      const row = insert.get(delivery.productId, vault.seal(code), vault.fingerprint(code), masks[i]!, delivery.orderId, `manual:${delivery.orderId}`, at, at);
      if (!row) throw new Conflict(CODE_NOT_NEW);
      return Number(row.id);
    });
  };
}

// Reading trade-ins: one view for every surface (/v1, /api/v1, the admin API, the CLI and the
// payout callbacks), so what a partner polls and what it is told cannot differ. Codes are shown
// masked, never opened.
import type { Db } from '../../db/index.js';
import type { OrderChannel, PurchaseStatus, TradeInCodeStatus, TradeInStatus, TradeInsTable } from '../../db/schema.js';
import { wireTime } from '../clock.js';
import { NotFound } from '../errors.js';
import type { CodeVault } from '../inventory/index.js';
import { formatMinor } from '../money.js';

/** Seed 000's word for a trade-in's state. */
const PARTNER_WORD: Record<TradeInStatus, 'verifying' | 'fulfilled' | 'rejected'> = { verifying: 'verifying', completed: 'fulfilled', rejected: 'rejected' };

export interface TradeInCodeView {
  position: number;
  code: string;
  status: TradeInCodeStatus;
  reason: string | null;
}

export interface TradeInPurchaseView {
  product_code: string;
  quantity: number | null;
  status: PurchaseStatus;
  order_id: string | null;
  reason: string | null;
}

export interface TradeInView {
  trade_in_id: string;
  partner_order_id: string | null;
  status: TradeInStatus;
  partner_status: 'verifying' | 'fulfilled' | 'rejected';
  product_code: string;
  unit_price: string;
  currency: string;
  codes_submitted: number;
  codes_accepted: number | null;
  amount: string;
  credited: string | null;
  codes: TradeInCodeView[];
  purchase: TradeInPurchaseView | null;
  reason: string | null;
  callback_url: string | null;
  created_at: string;
  updated_at: string;
  decided_at: string | null;
}

/** What a hybrid asked to buy, as kept with its trade-in. */
export interface PurchaseRequest {
  product: string;
  quantity?: number;
  buyer?: { name?: string; email?: string };
  deliveryChannel?: 'api' | 'email';
  fields?: Record<string, string>;
  /** The surface it was asked on: its order speaks that surface's words (partner: seed 000). */
  channel?: OrderChannel;
}

export type TradeInRow = TradeInsTable;

/** The trade-in row by id, of one account when `accountId` is given. */
export async function findTradeInRow(db: Db, id: string, accountId?: number): Promise<TradeInRow> {
  let query = db.selectFrom('trade_ins').selectAll().where('id', '=', id);
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFound(`No trade-in ${id}.`);
  return row;
}

/** The account's trade-in by its id or by the partner's own reference (partner_order_id); undefined when neither names one. */
export async function findAccountTradeIn(db: Db, accountId: number, reference: string): Promise<TradeInRow | undefined> {
  return db
    .selectFrom('trade_ins')
    .selectAll()
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('id', '=', reference), eb('client_reference', '=', reference)]))
    .executeTakeFirst();
}

/** A trade-in as every surface shows it, its codes masked. */
export async function tradeInView(db: Db, vault: CodeVault, row: TradeInRow): Promise<TradeInView> {
  const [product, codes] = await Promise.all([
    db.selectFrom('products').select('code').where('id', '=', row.product_id).executeTakeFirstOrThrow(),
    db.selectFrom('trade_in_codes').select(['position', 'code_enc', 'code_mask', 'status', 'reason']).where('trade_in_id', '=', row.id).orderBy('position').execute(),
  ]);
  const purchase = row.purchase ? (JSON.parse(row.purchase) as PurchaseRequest) : null;
  return {
    trade_in_id: row.id,
    partner_order_id: row.client_reference,
    status: row.status,
    partner_status: PARTNER_WORD[row.status],
    product_code: product.code,
    unit_price: formatMinor(row.unit_price_minor, row.currency),
    currency: row.currency,
    codes_submitted: row.code_count,
    codes_accepted: row.accepted_count,
    amount: formatMinor(row.unit_price_minor * row.code_count, row.currency),
    credited: row.credited_minor === null ? null : formatMinor(row.credited_minor, row.currency),
    codes: codes.map((c) => ({ position: c.position, code: vault.maskOf(c), status: c.status, reason: c.reason })),
    purchase: purchase && {
      product_code: purchase.product,
      quantity: purchase.quantity ?? null,
      status: row.purchase_status ?? 'waiting',
      order_id: row.purchase_order_id,
      reason: row.purchase_reason,
    },
    reason: row.reason,
    callback_url: row.callback_url,
    created_at: wireTime(row.created_at)!,
    updated_at: wireTime(row.updated_at)!,
    decided_at: wireTime(row.decided_at),
  };
}

/** Trade-ins newest first: of one account, in one status, or all (the owner's list). */
export async function listTradeIns(db: Db, vault: CodeVault, filter: { accountId?: number; status?: TradeInStatus; limit?: number } = {}): Promise<TradeInView[]> {
  let query = db.selectFrom('trade_ins').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(Math.min(filter.limit ?? 100, 500));
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.execute();
  return Promise.all(rows.map((row) => tradeInView(db, vault, row)));
}

/** How many trade-ins stand in `status` (the dashboard's count of those waiting in verifying). */
export async function countTradeIns(db: Db, status: TradeInStatus): Promise<number> {
  const row = await db.selectFrom('trade_ins').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', status).executeTakeFirstOrThrow();
  return Number(row.n);
}

// Table types: trade-ins (core/trade-ins), codes partners sell to the shop.
import type { Generated } from 'kysely';

export type TradeInStatus = 'verifying' | 'completed' | 'rejected';
export type TradeInCodeStatus = 'pending' | 'accepted' | 'rejected';
export type PurchaseStatus = 'waiting' | 'placed' | 'failed';

export interface TradeInsTable {
  id: string;
  account_id: number;
  client_reference: string | null;
  product_id: number;
  status: TradeInStatus;
  verifier: string;
  unit_price_minor: number;
  currency: string;
  code_count: number;
  accepted_count: number | null;
  credited_minor: number | null;
  callback_url: string | null;
  placed_by: string;
  request_hash: string;
  purchase: string | null;
  purchase_status: PurchaseStatus | null;
  purchase_order_id: string | null;
  purchase_reason: string | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TradeInCodesTable {
  id: Generated<number>;
  trade_in_id: string;
  product_id: number;
  position: number;
  code_enc: string;
  code_hmac: string;
  code_mask: string;
  status: TradeInCodeStatus;
  reason: string | null;
}

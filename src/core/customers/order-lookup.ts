// Finding a shop order without logging in: by order number + the contact e-mail (with the
// delivered codes), or its status alone by number or id. Only shop orders are found this way.
// A wrong e-mail and an unknown number answer the same, so the lookup tells nothing about
// which order numbers exist.
import type { Db } from '../../db/index.js';
import { NotFound } from '../errors.js';
import type { CodeVault } from '../inventory/index.js';
import { findOrderContact, findOrderStatuses, loadOrderDetail, type OrderDetail, type OrderStatuses } from '../orders/index.js';
import { normalizeEmail } from './customers.js';

const NO_MATCH = 'No order matches this order number and e-mail; check both (the e-mail is the contactEmail given at checkout).';

/** The order with its delivered codes, if `email` is its contact e-mail (compared case-insensitively). */
export async function lookUpShopOrder(db: Db, vault: CodeVault, orderNo: string, email: string): Promise<OrderDetail> {
  const row = await findOrderContact(db, 'shop', orderNo.trim());
  if (!row || row.buyer_email === null || normalizeEmail(row.buyer_email) !== normalizeEmail(email)) throw new NotFound(NO_MATCH);
  return loadOrderDetail(db, vault, row.id);
}

export type ShopOrderStatus = OrderStatuses;

/** A shop order's statuses by its number or its id; never its codes. */
export async function shopOrderStatus(db: Db, reference: string): Promise<ShopOrderStatus> {
  const ref = reference.trim();
  const row = await findOrderStatuses(db, 'shop', ref);
  if (!row) throw new NotFound(`No order "${ref.slice(0, 60)}".`);
  return row;
}

// Finding one order of a channel by what its buyer holds (its number, or its id), for the modules
// that answer buyers without an account: the shop's order lookup and order status.
import type { Db } from '../../db/index.js';
import type { OrderChannel, PaymentStatus } from '../../db/schema.js';
import type { OrderStatus } from './status.js';

export interface OrderContact {
  id: string;
  /** The e-mail given at checkout, as given. */
  buyer_email: string | null;
}

export interface OrderStatuses {
  id: string;
  number: string;
  status: OrderStatus;
  payment_status: PaymentStatus;
  updated_at: string;
}

/** The id and contact e-mail of the order of `channel` numbered `number` (compared in capitals); undefined when there is none. */
export async function findOrderContact(db: Db, channel: OrderChannel, number: string): Promise<OrderContact | undefined> {
  return db.selectFrom('orders').select(['id', 'buyer_email']).where('number', '=', number.toUpperCase()).where('channel', '=', channel).executeTakeFirst();
}

/** The statuses of the order of `channel` whose number (in capitals) or id is `reference`; never its codes. */
export async function findOrderStatuses(db: Db, channel: OrderChannel, reference: string): Promise<OrderStatuses | undefined> {
  const row = await db
    .selectFrom('orders')
    .select(['id', 'number', 'status', 'payment_status', 'updated_at'])
    .where('channel', '=', channel)
    .where((eb) => eb.or([eb('number', '=', reference.toUpperCase()), eb('id', '=', reference)]))
    .executeTakeFirst();
  return row ? { ...row, status: row.status as OrderStatus } : undefined;
}

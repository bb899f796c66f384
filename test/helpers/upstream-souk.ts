// A test Souk serving as an upstream provider over real HTTP on 127.0.0.1, and what a dialect test
// counts on it to prove that nothing was bought twice: an account's orders and its wallet debits.
import type { Souk } from '../../src/app.js';

export { listenOrigin as listenLocally, upstreamDebits as orderDebitsOf } from './upstream.js';

/** How many orders the account placed. */
export async function ordersOf(souk: Souk, accountId: number): Promise<number> {
  const row = await souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.n);
}

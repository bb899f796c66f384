// A test Souk serving as an upstream provider over real HTTP on 127.0.0.1, and what a dialect test
// counts on it to prove that nothing was bought twice: an account's orders and its wallet debits.
import type { AddressInfo } from 'node:net';
import type { Souk } from '../../src/app.js';
import type { TestSouk } from './souk.js';

/** Starts `t`'s server on 127.0.0.1 (a port of its own) and returns its origin, `http://127.0.0.1:<port>`. */
export async function listenLocally(t: TestSouk): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** How many orders the account placed. */
export async function ordersOf(souk: Souk, accountId: number): Promise<number> {
  const row = await souk.db.selectFrom('orders').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many times the account's wallets were debited for an order. */
export async function orderDebitsOf(souk: Souk, accountId: number): Promise<number> {
  const row = await souk.db
    .selectFrom('ledger_entries')
    .innerJoin('wallets', 'wallets.id', 'ledger_entries.wallet_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('wallets.account_id', '=', accountId)
    .where('ledger_entries.kind', '=', 'order')
    .where('ledger_entries.amount_minor', '<', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// The addresses a watcher reads transfers to: the coin's receiving address now, and any an invoice
// still names (waiting, or ended within the late window) after the owner changed it.
import type { Db } from '../../../../../db/index.js';
import type { Coin } from '../../../methods.js';
import { CRYPTO_PROVIDER } from '../invoices.js';
import { LATE_PAYMENT_WINDOW_SECONDS, sameAddress } from './transfer.js';

/** The receiving addresses of `coin` worth reading, each once (EVM ones compared without letter case). */
export async function watchedAddresses(db: Db, coin: Coin, now = Date.now()): Promise<string[]> {
  const since = new Date(now - LATE_PAYMENT_WINDOW_SECONDS * 1000).toISOString();
  const [current, invoices] = await Promise.all([
    db.selectFrom('payment_addresses').select('address').where('coin', '=', coin).executeTakeFirst(),
    db
      .selectFrom('payments')
      .select('address')
      .distinct()
      .where('provider', '=', CRYPTO_PROVIDER)
      .where('asset', '=', coin)
      .where('status', '!=', 'unmatched')
      .where((eb) => eb.or([eb('waiting', '=', 1), eb('expires_at', '>=', since)]))
      .execute(),
  ]);
  const found: string[] = [];
  for (const address of [current?.address, ...invoices.map((i) => i.address)]) {
    if (address && !found.some((a) => sameAddress(coin, a, address))) found.push(address);
  }
  return found;
}

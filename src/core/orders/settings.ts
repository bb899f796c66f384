// Shop-wide switches for ordering, kept in the settings table.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';

export const WALLET_CHECKOUT_SETTING = 'wallet_checkout';

export async function isWalletCheckoutEnabled(db: Db): Promise<boolean> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', WALLET_CHECKOUT_SETTING).executeTakeFirst();
  return row?.value !== 'off';
}

/** Switches paying by wallet on or off for every order placed from now on. */
export async function setWalletCheckout(db: Db, enabled: boolean): Promise<void> {
  const value = enabled ? 'on' : 'off';
  await db
    .insertInto('settings')
    .values({ key: WALLET_CHECKOUT_SETTING, value, updated_at: nowIso() })
    .onConflict((c) => c.column('key').doUpdateSet({ value, updated_at: nowIso() }))
    .execute();
}

// Shop set-up for order tests: a stocked product and a funded reseller, through the core.
import { orderDepsOf, type Souk } from '../../src/app.js';
import { createProduct, type ProductInput } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { topUpWallet } from '../../src/core/wallets/index.js';

export function stockDeps(souk: Souk) {
  return { db: souk.db, bus: souk.bus, vault: souk.vault, dialect: souk.dialect };
}

export function orderDeps(souk: Souk) {
  return orderDepsOf(souk);
}

/** A product with `codes` codes in stock, named CODE-0001 …; returns its id. */
export async function stockedProduct(souk: Souk, input: ProductInput & { code: string }, codes: number): Promise<number> {
  const product = await createProduct(stockDeps(souk), { name: input.code, price: '1.00', ...input });
  const lines = Array.from({ length: codes }, (_, i) => `${input.code}-${String(i + 1).padStart(4, '0')}`);
  await importStock(stockDeps(souk), product.id, lines);
  return product.id;
}

export async function fund(souk: Souk, accountId: number, amount: number, currency = 'USD') {
  await topUpWallet(souk.db, { accountId, amountMinor: amount, currency, actor: 'test' });
}

export async function balanceOf(souk: Souk, accountId: number, currency = 'USD'): Promise<number> {
  const wallet = await souk.db.selectFrom('wallets').select('balance_minor').where('account_id', '=', accountId).where('currency', '=', currency).executeTakeFirst();
  return wallet?.balance_minor ?? 0;
}

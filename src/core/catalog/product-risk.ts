// A product the owner marks high-risk (codes that are resold or charged back often): its orders
// score more in the risk review (core/risk reads the flag when it scores an order).
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { findProduct } from './products.js';

/** Marks the product (id, code or slug) high-risk or not; ItemNotFound for no such product. Audited. */
export async function setProductHighRisk(db: Db, reference: string | number, highRisk: boolean, actor: string): Promise<{ code: string; high_risk: boolean }> {
  return db.transaction().execute(async (tx) => {
    const product = await findProduct(tx, reference);
    await tx.updateTable('products').set({ high_risk: highRisk ? 1 : 0 }).where('id', '=', product.id).execute();
    await tx.insertInto('audit_log').values({ actor, action: highRisk ? 'product.high_risk' : 'product.normal_risk', subject: `product:${product.id}`, detail: product.code, created_at: nowIso() }).execute();
    return { code: product.code, high_risk: highRisk };
  });
}

/** Whether the product is marked high-risk. */
export async function isProductHighRisk(db: Db, productId: number): Promise<boolean> {
  const row = await db.selectFrom('products').select('high_risk').where('id', '=', productId).executeTakeFirst();
  return Number(row?.high_risk ?? 0) === 1;
}

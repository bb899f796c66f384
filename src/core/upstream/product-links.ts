// Which provider an imported product is bought from, and its ref there: read once, kept in memory.
import { queryTemplate, type Db } from '../../db/index.js';

const selectLink = queryTemplate(['productId'], (db, p) => db.selectFrom('upstream_products').select(['provider_id', 'upstream_ref']).where('product_id', '=', p.productId));

/** Which provider an imported product is bought from, and its ref there, by local product id; kept by the service. */
export class ProductLinks {
  private readonly byProduct = new Map<number, { providerId: number; upstreamRef: string }>();

  /** The product's link, from memory or read once; undefined for a product not imported. */
  async of(db: Db, productId: number): Promise<{ providerId: number; upstreamRef: string } | undefined> {
    const known = this.byProduct.get(productId);
    if (known) return known;
    const [row] = await selectLink.run(db, { productId });
    if (row) this.remember(productId, row.provider_id, row.upstream_ref);
    return row ? { providerId: row.provider_id, upstreamRef: row.upstream_ref } : undefined;
  }

  /** The product's link if it is in memory. */
  known(productId: number): { providerId: number; upstreamRef: string } | undefined {
    return this.byProduct.get(productId);
  }

  remember(productId: number, providerId: number, upstreamRef: string): void {
    // Bounded: a shop with more imported products than this reads the rest again now and then.
    if (this.byProduct.size >= 10_000) this.byProduct.clear();
    this.byProduct.set(productId, { providerId, upstreamRef });
  }
}

// Every upstream dialect Souk speaks, by name: one file each beside this one.
import type { UpstreamDialect, UpstreamDialectName } from '../dialect.js';
import { partnerDialect } from './partner.js';
import { shopDialect } from './shop.js';
import { smmDialect } from './smm.js';
import { soukDialect } from './souk.js';
import { storeDialect } from './store.js';

const DIALECTS: Record<UpstreamDialectName, UpstreamDialect> = {
  souk: soukDialect,
  partner: partnerDialect,
  store: storeDialect,
  shop: shopDialect,
  smm: smmDialect,
};

export const DIALECT_NAMES: readonly UpstreamDialectName[] = ['souk', 'partner', 'store', 'shop', 'smm'];

/** The dialect called `name`; undefined for one Souk does not speak. */
export function dialectNamed(name: string): UpstreamDialect | undefined {
  return Object.hasOwn(DIALECTS, name) ? DIALECTS[name as UpstreamDialectName] : undefined;
}

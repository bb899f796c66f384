// Every upstream dialect Souk speaks, by name: one file each beside this one.
import type { UpstreamDialect, UpstreamDialectName } from '../dialect.js';
import { smmDialect } from './smm.js';

const DIALECTS: Partial<Record<UpstreamDialectName, UpstreamDialect>> = {
  smm: smmDialect,
};

export const DIALECT_NAMES: readonly UpstreamDialectName[] = ['souk', 'partner', 'store', 'shop', 'smm'];

/** The dialect called `name`; undefined for one Souk does not speak (yet). */
export function dialectNamed(name: string): UpstreamDialect | undefined {
  return DIALECTS[name as UpstreamDialectName];
}

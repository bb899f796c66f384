// Live API keys, remembered for a second after they authenticate. Every API request looked its key
// up (on PostgreSQL a round trip, and the most frequent statement an order made); remembered, a
// busy key costs one lookup a second per process. Revoking a key or changing its account forgets
// every remembered key at once in this process and, through the change bus, in every process that
// shares Redis with it; a process that cannot hear of the change (a server beside the CLI that
// made it, without Redis) stops accepting the key within a second. Token families that were live
// are remembered the same way, so an access token costs no family read but once a second; revoking
// a family forgets them all (and the keys: revocations are rare, a second of lookups is cheap).
import type { Db } from '../../db/index.js';
import type { ChangeBus } from '../../platform/bus.js';
import type { KeyCredentials } from './api-keys.js';

export const API_KEYS_TOPIC = 'api-keys';
const REMEMBER_MS = 1000;
const MAX_REMEMBERED = 10_000;

class LiveKeys {
  private readonly entries = new Map<string, { credentials: KeyCredentials; until: number }>();
  private readonly families = new Map<string, number>();

  recall(key: string): KeyCredentials | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.credentials;
    this.entries.delete(key);
    return undefined;
  }

  remember(key: string, credentials: KeyCredentials): void {
    // Shared by every request the key makes for a second: nothing may change it.
    Object.freeze(credentials.principal.scopes);
    Object.freeze(credentials.principal);
    Object.freeze(credentials);
    // The oldest goes first: Map keeps insertion order.
    if (this.entries.size >= MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { credentials, until: Date.now() + REMEMBER_MS });
  }

  /** True while the family was found live less than a second ago. */
  recallFamily(family: string): boolean {
    const until = this.families.get(family);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.families.delete(family);
    return false;
  }

  rememberFamily(family: string): void {
    if (this.families.size >= MAX_REMEMBERED) this.families.delete(this.families.keys().next().value as string);
    this.families.set(family, Date.now() + REMEMBER_MS);
  }

  forget(): void {
    this.entries.clear();
    this.families.clear();
  }
}

const liveKeys = new WeakMap<Db, LiveKeys>();

/** The keys this process remembers for a database. */
export function liveKeysOf(db: Db): LiveKeys {
  let keys = liveKeys.get(db);
  if (!keys) liveKeys.set(db, (keys = new LiveKeys()));
  return keys;
}

/** After a key or an account changed: forget here, and tell the other processes. */
export function forgetLiveKeys(deps: { db: Db; bus: ChangeBus }): void {
  liveKeysOf(deps.db).forget();
  deps.bus.publish(API_KEYS_TOPIC);
}

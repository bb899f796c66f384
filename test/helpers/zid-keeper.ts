// What the Zid client tests share: a keeper of store tokens in memory (the connector's keeps them
// sealed in the database), a log that keeps every line, and a record of every secret the tests
// handled, so a suite can prove none of them reached a log line or an error.
import { ZidNeedsReconnect } from '../../src/core/zid/errors.js';
import type { ZidStoreKeeper } from '../../src/core/zid/client.js';
import type { ZidTokens } from '../../src/core/zid/tokens.js';

export class MemoryKeeper implements ZidStoreKeeper {
  private readonly stores = new Map<number, { tokens: ZidTokens; needsReconnect: string | null }>();
  readonly saved: Array<{ storeId: number; tokens: ZidTokens }> = [];
  readonly reconnects: Array<{ storeId: number; why: string }> = [];
  /** Runs after each read, with what was read (a test swaps tokens there, as another process would). */
  afterRead: ((storeId: number) => void) | undefined;

  constructor(private readonly secrets: Set<string>) {}

  /** Connects (or reconnects) a store with these tokens. */
  set(storeId: number, tokens: ZidTokens): void {
    this.note(tokens);
    this.stores.set(storeId, { tokens, needsReconnect: null });
  }

  current(storeId: number): ZidTokens {
    const store = this.stores.get(storeId);
    if (!store) throw new Error(`no store ${storeId}`);
    return store.tokens;
  }

  async tokens(storeId: number): Promise<ZidTokens> {
    const store = this.stores.get(storeId);
    if (!store) throw new Error(`no store ${storeId}`);
    if (store.needsReconnect) throw new ZidNeedsReconnect(storeId, store.needsReconnect);
    const tokens = { ...store.tokens };
    this.afterRead?.(storeId);
    return tokens;
  }

  async saveTokens(storeId: number, tokens: ZidTokens): Promise<void> {
    this.note(tokens);
    this.saved.push({ storeId, tokens });
    const store = this.stores.get(storeId);
    if (store) store.tokens = tokens;
  }

  async needsReconnect(storeId: number, why: string): Promise<void> {
    this.reconnects.push({ storeId, why });
    const store = this.stores.get(storeId);
    if (store) store.needsReconnect = why;
  }

  private note(tokens: ZidTokens): void {
    for (const secret of [tokens.authorization, tokens.authorization.replace(/^Bearer\s+/i, ''), tokens.managerToken, tokens.refreshToken]) this.secrets.add(secret);
  }
}

/** Every log line the client wrote, as one text each. */
export function collectingLog(lines: string[]): (message: string, fields: Record<string, string | number | null>) => void {
  return (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`);
}

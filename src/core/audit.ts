// The audit log: who did what to which, for acts an admin must answer for (revealing a stock code,
// voiding one …). Written by the module doing the act, in its own transaction; read here.
import type { Db } from '../db/index.js';

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
  created_at: string;
}

export interface AuditFilter {
  action?: string;
  subject?: string;
  /** An entry id, to page back. */
  before?: number;
  limit?: number;
}

/** Recent audit entries, newest first. */
export async function listAuditLog(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query.execute();
}

// Recognising a unique-constraint violation from either database, by a column or constraint name.
export function isUniqueViolation(error: unknown, hint: string): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === '23505') return typeof e.constraint === 'string' ? e.constraint.includes(hint) || String(e.message).includes(hint) : true;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return String(e.message).includes(hint);
  return false;
}

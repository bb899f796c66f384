/** Now as ISO-8601 UTC with milliseconds: the one time format stored and sent. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// The HTTP plumbing the simulator's parts share: reading a body, answering JSON, Zid's API error
// envelope `{"error": {"code", "message"}}`, and Django-style pages with absolute next/previous URLs.
import type http from 'node:http';

export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export interface Answer {
  status: number;
  /** An object (sent as JSON) or text sent as is. */
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export function send(response: http.ServerResponse, answer: Answer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': answer.contentType ?? 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...answer.headers,
  });
  response.end(text);
}

/** Zid's API error: `{"error": {"code", "message"}}`. */
export function apiError(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** An OAuth server error: `{"error", "error_description"}`. */
export function oauthError(status: number, error: string, description: string): Answer {
  return { status, body: { error, error_description: description } };
}

/** The query of a URL as a plain object (the last value of a repeated name). */
export function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

/** A positive whole number from a query value, undefined when absent, null when not one. */
export function wholeParam(value: string | null): number | null | undefined {
  if (value === null || value === '') return undefined;
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : null;
}

export interface Page<T> {
  results: T[];
  next: string | null;
  previous: string | null;
  count: number;
}

/**
 * One page of `items`, as Django REST framework pages: next and previous are absolute URLs on
 * `origin` keeping the request's query (sorted) with `page` replaced (dropped for page 1); null
 * when the page is out of range.
 */
export function paginate<T>(items: T[], page: number, size: number, origin: string, url: URL): Page<T> | null {
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (page > pages) return null;
  const link = (n: number) => {
    const query = new URLSearchParams(url.searchParams);
    if (n === 1) query.delete('page');
    else query.set('page', String(n));
    query.sort(); // as Django REST framework writes them: page=2&page_size=50
    const text = query.toString();
    return `${origin}${url.pathname}${text ? `?${text}` : ''}`;
  };
  return {
    results: items.slice((page - 1) * size, page * size),
    next: page < pages ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    count: items.length,
  };
}

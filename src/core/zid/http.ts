// One HTTP exchange with Zid (its OAuth server or its API): a deadline for the whole exchange, the
// body included; redirects never followed (a store's tokens would go with them); at most
// ZID_MAX_ANSWER_BYTES of an answer read. What goes wrong in transport is a ZidTransportFault,
// which says whether the request surely never left (so even a POST may be sent again).
import { readCapped } from '../../platform/read-capped.js';

/** The most of one answer read: a page of 50 extended products is far below it. */
export const ZID_MAX_ANSWER_BYTES = 5 * 1024 * 1024;

export interface ZidHttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: { text: string; contentType: string };
}

export interface ZidHttpAnswer {
  status: number;
  /** The content type as sent, lower case, '' when absent. */
  contentType: string;
  retryAfter: string | null;
  text: string;
}

export type ZidTransportCode = 'timeout' | 'unreachable' | 'connection_lost' | 'too_large';

/** The exchange failed before a whole answer was read. */
export class ZidTransportFault extends Error {
  constructor(
    readonly code: ZidTransportCode,
    /** True only when the request cannot have reached Zid (the connection was never made). */
    readonly neverSent: boolean,
  ) {
    super(code);
    this.name = 'ZidTransportFault';
  }
}

/** Errors raised before a byte of the request could have been read by anyone. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function errorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function faultOf(error: unknown, signal: AbortSignal): ZidTransportFault {
  if (error instanceof ZidTransportFault) return error;
  if (signal.aborted) return new ZidTransportFault('timeout', false);
  const code = errorCode(error);
  return code !== undefined && NEVER_SENT.has(code) ? new ZidTransportFault('unreachable', true) : new ZidTransportFault('connection_lost', false);
}

/** Sends one request and reads its whole answer (any status), or throws a ZidTransportFault. */
export async function exchange(request: ZidHttpRequest, timeoutMs: number, maxBytes = ZID_MAX_ANSWER_BYTES): Promise<ZidHttpAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        'user-agent': 'Souk-Zid/1',
        ...(request.body ? { 'content-type': request.body.contentType } : {}),
        ...request.headers,
      },
      body: request.body?.text,
      redirect: 'manual',
      signal,
    });
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ZidTransportFault('too_large', false);
    }
    const text = await readCapped(response.body, maxBytes, () => new ZidTransportFault('too_large', false));
    return {
      status: response.status,
      contentType: (response.headers.get('content-type') ?? '').toLowerCase(),
      retryAfter: response.headers.get('retry-after'),
      text,
    };
  } catch (error) {
    throw faultOf(error, signal);
  }
}

/** True for `application/json` and `application/*+json`, with or without parameters. */
export function isJsonType(contentType: string): boolean {
  return /^application\/([\w.-]+\+)?json\s*(;|$)/.test(contentType);
}

/** How long a Retry-After asks to wait (seconds or an HTTP date), in ms, at most `capMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, capMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.min(Math.max(0, seconds) * 1000, capMs);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), capMs);
}

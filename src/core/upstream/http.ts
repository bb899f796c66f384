// The one way Souk calls an upstream: JSON or form bodies, a deadline for the whole call, no
// redirects followed, at most MAX_ANSWER_BYTES of an answer read, and only public addresses
// (platform/outbound-guard.ts) unless the owner allows private ones. What goes wrong in transport
// is classified here (failure.ts): a request that never left is retryable; one that may have
// arrived (a timeout, a reset, a 5xx, a redirect, an answer too large) is unknown; a 429 is
// retryable after its Retry-After. 2xx and 4xx answers go back to the dialect, which reads them.
import http from 'node:http';
import https from 'node:https';
import { guardedAgents, PrivateAddressRefused } from '../../platform/outbound-guard.js';
import { UpstreamFailure } from './failure.js';

export const UPSTREAM_TIMEOUT_MS = 15_000;
export const MAX_ANSWER_BYTES = 1024 * 1024;
const EXCERPT_CHARS = 300;

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The URL, or a path joined to `base` (`/orders` on `https://a.example/api/v1`). */
  url: string;
  base?: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | number | undefined>;
  /** The exact bytes to send (a signed body), with their content type. */
  raw?: { body: string; contentType: string };
}

export interface UpstreamAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body as JSON; UpstreamFailure 'unknown' (bad_json) when it is not JSON. */
  json(): unknown;
}

export interface UpstreamHttp {
  call(request: UpstreamRequest): Promise<UpstreamAnswer>;
  close(): void;
}

/** Where a path goes under a base URL: `/orders` under `https://a.example/api/v1` is `https://a.example/api/v1/orders`. */
export function joinUrl(base: string, path: string, query?: UpstreamRequest['query']): URL {
  const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''));
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
  return url;
}

/** The first characters of an answer, on one line: enough to see what came back. */
export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? flat.slice(0, EXCERPT_CHARS) + '…' : flat;
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, Math.min(seconds, 3600)) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 3_600_000));
}

/** Errors raised before a byte of the request could have been read by anyone. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function encodeBody(request: UpstreamRequest): { body?: Buffer; contentType?: string } {
  if (request.raw) return { body: Buffer.from(request.raw.body), contentType: request.raw.contentType };
  if (request.json !== undefined) return { body: Buffer.from(JSON.stringify(request.json)), contentType: 'application/json' };
  if (request.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(request.form)) if (value !== undefined) form.set(name, String(value));
    return { body: Buffer.from(form.toString()), contentType: 'application/x-www-form-urlencoded' };
  }
  return {};
}

/** An HTTP client for upstream calls, with its own keep-alive sockets; close() when done. */
export function createUpstreamHttp(options: { allowPrivate: boolean; timeoutMs?: number }): UpstreamHttp {
  const timeoutMs = options.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
  const agents = guardedAgents(options.allowPrivate, { keepAlive: true, maxSockets: 64 });
  return {
    call(request) {
      let target: URL;
      try {
        target = joinUrl(request.base ?? '', request.url, request.query);
      } catch {
        return Promise.reject(new UpstreamFailure('refused', 'the provider URL is not valid', { code: 'bad_url' }));
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new UpstreamFailure('refused', 'the provider URL is not http(s)', { code: 'bad_url' }));
      let encoded: ReturnType<typeof encodeBody>;
      try {
        encoded = encodeBody(request);
      } catch {
        return Promise.reject(new UpstreamFailure('refused', 'the request body cannot be sent', { code: 'bad_request' }));
      }
      const { body, contentType } = encoded;
      return new Promise<UpstreamAnswer>((resolve, reject) => {
        let settled = false;
        let sent = false;
        const fail = (failure: UpstreamFailure) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          outgoing.destroy();
          reject(failure);
        };
        let outgoing: http.ClientRequest;
        try {
          outgoing = (target.protocol === 'https:' ? https : http).request(target, {
            method: request.method,
            agent: agents[target.protocol as 'http:' | 'https:'],
            headers: {
              accept: 'application/json',
              'user-agent': 'Souk-Upstream/1',
              ...(contentType ? { 'content-type': contentType, 'content-length': String(body!.length) } : {}),
              ...request.headers,
            },
          });
        } catch {
          // A header that cannot be sent (a key pasted with its line end): refused before anything left.
          settled = true;
          return reject(new UpstreamFailure('refused', 'the request cannot be sent (a header holds characters HTTP does not allow)', { code: 'bad_request' }));
        }
        const deadline = setTimeout(
          () => fail(new UpstreamFailure(sent ? 'unknown' : 'retryable', `no answer within ${timeoutMs / 1000} s`, { code: 'timeout' })),
          timeoutMs,
        );
        outgoing.on('finish', () => (sent = true));
        // A 101 goes to 'upgrade', never to 'response': an answer Souk cannot use.
        outgoing.on('upgrade', (answer: http.IncomingMessage, socket: { destroy(): void }) => {
          socket.destroy();
          fail(new UpstreamFailure('unknown', `the provider answered ${answer.statusCode ?? 101}, switching protocols`, { status: answer.statusCode ?? 101, code: 'upstream_error' }));
        });
        // The safety net: a connection that closes without any of the above settles the call too.
        // (It closes after every answer too: the failure is made only when nothing else settled the call.)
        outgoing.on('close', () => settled || fail(new UpstreamFailure(sent ? 'unknown' : 'retryable', 'the connection closed without an answer', { code: 'connection_lost' })));
        outgoing.on('error', (error: NodeJS.ErrnoException) => {
          if (error instanceof PrivateAddressRefused) return fail(new UpstreamFailure('refused', error.message, { code: 'private_address' }));
          const neverSent = !sent && error.code !== undefined && NEVER_SENT.has(error.code);
          fail(new UpstreamFailure(neverSent ? 'retryable' : 'unknown', `the connection failed: ${error.code ?? error.message}`.slice(0, 200), { code: neverSent ? 'unreachable' : 'connection_lost' }));
        });
        outgoing.on('response', (response) => {
          const chunks: Buffer[] = [];
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) return fail(new UpstreamFailure('unknown', `the answer is over ${MAX_ANSWER_BYTES / 1024} KB`, { status: response.statusCode ?? null, code: 'too_large' }));
            chunks.push(chunk);
          });
          response.on('error', () => fail(new UpstreamFailure('unknown', 'the answer was cut off', { status: response.statusCode ?? null, code: 'connection_lost' })));
          response.on('end', () => {
            if (settled) return;
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            const excerpt = excerptOf(text);
            if (status >= 300 && status < 400) return fail(new UpstreamFailure('unknown', `the provider answered ${status}, a redirect (not followed)`, { status, code: 'redirect', excerpt }));
            if (status === 429) return fail(new UpstreamFailure('retryable', 'the provider is rate limiting us', { status, code: 'rate_limited', excerpt, retryAfterMs: retryAfterMs(response.headers['retry-after']) }));
            if (status >= 500 || status < 200) return fail(new UpstreamFailure('unknown', `the provider answered ${status}`, { status, code: 'upstream_error', excerpt }));
            settled = true;
            clearTimeout(deadline);
            resolve({
              status,
              headers: response.headers,
              text,
              json() {
                const type = String(response.headers['content-type'] ?? '');
                if (!/\bjson\b/i.test(type)) throw new UpstreamFailure('unknown', `the provider answered ${type || 'no content type'}, not JSON`, { status, code: 'not_json', excerpt });
                try {
                  return JSON.parse(text) as unknown;
                } catch {
                  throw new UpstreamFailure('unknown', 'the provider answered JSON that cannot be read', { status, code: 'bad_json', excerpt });
                }
              },
            });
          });
        });
        outgoing.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

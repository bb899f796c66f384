// One HTTP attempt: POST the exact signed bytes, 10 s at most, no redirects followed, at most 4 KB
// of the answer read. The connection goes only to a public address (platform/outbound-guard.ts).
import http from 'node:http';
import https from 'node:https';
import { guardedAgents } from '../../platform/outbound-guard.js';

export const SEND_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_RESPONSE_BYTES = 4096;

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  retryAfter?: string;
  durationMs: number;
  /** Trying again cannot help. */
  final?: boolean;
}

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): void;
}

export function createSender(options: { allowPrivate: boolean; timeoutMs?: number }): Sender {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const agents = guardedAgents(options.allowPrivate, { keepAlive: true, maxSockets: 32 });
  return {
    send(url, headers, body) {
      const started = performance.now();
      const done = (result: Omit<SendResult, 'durationMs'>): SendResult => ({ ...result, durationMs: performance.now() - started });
      const bytes = Buffer.from(body);
      if (bytes.length > MAX_BODY_BYTES) return Promise.resolve(done({ statusCode: null, error: `the payload is ${bytes.length} bytes, over the 256 KB limit`, final: true }));
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return Promise.resolve(done({ statusCode: null, error: 'the URL is not valid', final: true }));
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve(done({ statusCode: null, error: 'the URL is not http(s)', final: true }));
      return new Promise<SendResult>((resolve) => {
        let settled = false;
        const settle = (result: Omit<SendResult, 'durationMs'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve(done(result));
        };
        const request = (target.protocol === 'https:' ? https : http).request(target, {
          method: 'POST',
          agent: agents[target.protocol as 'http:' | 'https:'],
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length), 'user-agent': 'Souk-Webhooks/1' },
        });
        // One timer for the whole attempt, waiting for a socket and the answer's body included. (An
        // AbortSignal.timeout did the same for a fifth of the sender's CPU per delivery.)
        const deadline = setTimeout(() => {
          settle({ statusCode: null, error: `no answer within ${timeoutMs / 1000} s` });
          request.destroy();
        }, timeoutMs);
        request.on('response', (response) => {
          let read = 0;
          const finish = () => {
            const retryAfter = response.headers['retry-after'];
            const status = response.statusCode ?? null;
            settle({ statusCode: status, error: status !== null && status >= 200 && status < 300 ? null : `the receiver answered ${status}`, ...(retryAfter ? { retryAfter } : {}) });
          };
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            // Only so much of an answer is read; the rest is not our business.
            if (read > MAX_RESPONSE_BYTES) {
              finish();
              response.destroy();
            }
          });
          response.on('end', finish);
          // Cut off before its end (by the receiver, or by the deadline, which has settled first).
          response.on('error', finish);
        });
        request.on('error', (error: Error) => settle({ statusCode: null, error: error.message.slice(0, 300) }));
        request.end(bytes);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

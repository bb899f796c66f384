// One HTTP exchange with a chain node or price feed: a deadline for the whole exchange, redirects
// never followed, at most CHAIN_MAX_ANSWER_BYTES read, and JSON expected. Anything that goes wrong
// is a ChainUnreachable whose message names only the host: node URLs often carry an API key in
// their path (Infura, Alchemy) and must never reach a log.
import { readCapped } from '../../../../../platform/read-capped.js';

/** The most of one answer read: a page of 200 TRC-20 transfers, or a few thousand logs. */
export const CHAIN_MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** The node or feed could not be asked, or answered something that is not what was asked for. */
export class ChainUnreachable extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host}: ${reason}`);
    this.name = 'ChainUnreachable';
  }
}

export interface JsonRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** JSON-RPC: some nodes answer an error (a range too wide) with a 4xx status and a JSON-RPC error body; take it as the answer. */
  errorBodies?: boolean;
}

/** Sends one request and parses its JSON answer; ChainUnreachable for a transport failure, a status other than 2xx, or text that is not JSON. */
export async function exchangeJson(request: JsonRequest): Promise<unknown> {
  const host = request.url.host;
  const signal = AbortSignal.timeout(request.timeoutMs);
  let text: string;
  let status: number;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', 'user-agent': 'Souk-Chain-Watcher/1', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      redirect: 'manual',
      signal,
    });
    status = response.status;
    text = await readCapped(response.body, CHAIN_MAX_ANSWER_BYTES, () => new ChainUnreachable(host, 'the answer is too large'));
  } catch (error) {
    if (error instanceof ChainUnreachable) throw error;
    throw new ChainUnreachable(host, signal.aborted ? `no answer within ${request.timeoutMs} ms` : 'the connection failed');
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new ChainUnreachable(host, status >= 200 && status <= 299 ? 'answered something that is not JSON' : `answered HTTP ${status}`);
  }
  const ok = status >= 200 && status <= 299;
  if (!ok && !(request.errorBodies && typeof json === 'object' && json !== null && 'error' in json)) throw new ChainUnreachable(host, `answered HTTP ${status}`);
  return json;
}

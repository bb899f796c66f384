// A misbehaving upstream on 127.0.0.1 (node:http and raw sockets): for each request the test says
// what it does: answer anything (a 500, a 429 with Retry-After, a redirect to itself, garbage
// labelled JSON), stream a body too large, trickle, keep silent, hang up after reading the request,
// cut an answer off, or write raw bytes (not HTTP, or a 101 by hand). Given a `target` (another server's
// origin), it can also pass a request through and then misbehave anyway: `pass_then` lets the real
// upstream commit the order and answers 500 (or hangs up) in its place.
import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WAIT_CEILING_MS } from './wait-ceiling.js';

export type Fault =
  /** An answer exactly as given. */
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: string }
  /** A 3xx to this very URL: a loop for anyone who follows it. */
  | { kind: 'redirect_loop'; status?: number }
  /** `bytes` of body (declared in content-length); with `stallAfter`, only that many are sent, then nothing more. */
  | { kind: 'stream'; bytes: number; stallAfter?: number; status?: number; contentType?: string }
  /** Headers, then one byte of body every `everyMs`, for ever. */
  | { kind: 'trickle'; everyMs: number }
  /** Reads the request and never answers. */
  | { kind: 'silence' }
  /** Reads the request, then closes the connection without a word. */
  | { kind: 'hang_up' }
  /** Headers declaring `declared` bytes, `sent` of body, then the connection closed. */
  | { kind: 'cut_off'; declared: number; sent: string; contentType?: string }
  /** These bytes as they are (not HTTP, or HTTP by hand), then the connection closed unless `keepOpen`. */
  | { kind: 'raw'; text: string; keepOpen?: boolean }
  /** Passes the request to the target and relays its answer. */
  | { kind: 'pass' }
  /** Passes the request to the target, waits for its whole answer (it has committed), then does `then` instead of relaying it. */
  | { kind: 'pass_then'; then: Exclude<Fault, { kind: 'pass' } | { kind: 'pass_then' }> };

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FaultyUpstream {
  /** http://127.0.0.1:port (no path). */
  origin: string;
  port: number;
  /** What to do with a request when no fault is queued (default: pass with a target, else 200 `{}`). */
  plan: (request: SeenRequest) => Fault;
  /** Queues faults for the next requests, in order, before `plan`. */
  next(...faults: Fault[]): void;
  requests: SeenRequest[];
  /** The target's answers to passed requests (pass and pass_then), in order. */
  relayed: Array<{ status: number; body: string }>;
  /** For each `stream` fault, once its connection has closed: its request (index in `requests`), body bytes written, and whether the whole body was. */
  streams: Array<{ request: number; written: number; complete: boolean }>;
  /** Waits until `predicate` holds, failing (naming `what`) after the wait ceiling. */
  waitFor(predicate: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** A port on 127.0.0.1 that was just listened on and closed: nothing answers there. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startFaultyUpstream(options: { target?: string } = {}): Promise<FaultyUpstream> {
  const queue: Fault[] = [];
  const requests: SeenRequest[] = [];
  const relayed: FaultyUpstream['relayed'] = [];
  const streams: FaultyUpstream['streams'] = [];
  const timers = new Set<NodeJS.Timeout>();

  function pass(seen: SeenRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    if (!options.target) throw new Error('pass needs a target');
    const target = new URL(seen.url, options.target);
    const headers = { ...seen.headers, host: target.host };
    return new Promise((resolve, reject) => {
      const outgoing = http.request(target, { method: seen.method, headers, agent: false }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(seen.body);
    });
  }

  function stream(response: http.ServerResponse, fault: Extract<Fault, { kind: 'stream' }>, request: number) {
    const limit = Math.min(fault.bytes, fault.stallAfter ?? fault.bytes);
    let written = 0;
    response.writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'application/json', 'content-length': String(fault.bytes) });
    response.socket?.once('close', () => streams.push({ request, written, complete: written >= fault.bytes }));
    const pump = () => {
      while (written < limit && !response.destroyed) {
        const piece = CHUNK.subarray(0, Math.min(CHUNK.length, limit - written));
        written += piece.length;
        if (!response.write(piece)) return void response.once('drain', pump);
      }
      if (written >= fault.bytes) response.end();
      // Else: stalled, until the client gives up.
    };
    pump();
  }

  function behave(fault: Exclude<Fault, { kind: 'pass' } | { kind: 'pass_then' }>, seen: SeenRequest, request: http.IncomingMessage, response: http.ServerResponse) {
    const socket = request.socket;
    switch (fault.kind) {
      case 'answer':
        response.writeHead(fault.status, fault.headers ?? {});
        return void response.end(fault.body ?? '');
      case 'redirect_loop':
        response.writeHead(fault.status ?? 302, { location: seen.url, 'content-type': 'text/html' });
        return void response.end('<a href="' + seen.url + '">moved</a>');
      case 'stream':
        return stream(response, fault, requests.indexOf(seen));
      case 'trickle': {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), fault.everyMs);
        timers.add(timer);
        return;
      }
      case 'silence':
        return;
      case 'hang_up':
        return void socket.destroy();
      case 'cut_off':
        response.writeHead(200, { 'content-type': fault.contentType ?? 'application/json', 'content-length': String(fault.declared) });
        response.write(fault.sent);
        // Let the headers and the part go out, then close mid-body.
        return void setImmediate(() => socket.destroy());
      case 'raw':
        return void (fault.keepOpen ? socket.write(fault.text) : socket.end(fault.text, () => socket.destroy()));
    }
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const seen: SeenRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const fault = queue.shift() ?? upstream.plan(seen);
      if (fault.kind === 'pass' || fault.kind === 'pass_then') {
        pass(seen).then(
          (answer) => {
            relayed.push({ status: answer.status, body: answer.body.toString('utf8') });
            if (fault.kind === 'pass_then') return behave(fault.then, seen, request, response);
            const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = answer.headers;
            response.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
            response.end(answer.body);
          },
          (error: Error) => {
            response.writeHead(502, { 'content-type': 'text/plain' });
            response.end(`the target did not answer: ${error.message}`);
          },
        );
        return;
      }
      behave(fault, seen, request, response);
    });
  });
  // A raw answer or a cut one must not be turned into a 400 by the server itself.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const upstream: FaultyUpstream = {
    origin: `http://127.0.0.1:${port}`,
    port,
    plan: () => (options.target ? { kind: 'pass' } : { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }),
    next: (...faults) => void queue.push(...faults),
    requests,
    relayed,
    streams,
    async waitFor(predicate, what) {
      const deadline = Date.now() + WAIT_CEILING_MS;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${what}: not seen within ${WAIT_CEILING_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}

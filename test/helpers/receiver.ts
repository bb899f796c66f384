// A real webhook receiver on 127.0.0.1 (node:http): records every request with its raw body and
// answers as the test's plan says. Verifies nothing itself; tests verify what it recorded.
import { createHmac } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Webhook } from 'standardwebhooks';
import { isEventType } from '../../src/core/events/index.js';
import { webhookBodySchema } from '../../src/http/webhook-docs.js';
import { WAIT_CEILING_MS } from './wait-ceiling.js';

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value));

/** What the tests read of an event's data; the OpenAPI document has the full schemas. */
export interface EventData {
  /** Present on order events. */
  order: { order_id: string; client_order_id: string | null; status: string; items?: Array<{ id: number; code: string }> };
  product?: { id: number; code: string; price: number; currency: string; status: string; stock: number };
  changed?: string[];
  [field: string]: unknown;
}

export interface Receipt {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body: { id, type, timestamp, data }. */
  event: { id: string; type: string; timestamp: string; data: EventData };
  /** What the receiver answered. */
  status: number;
  /** Requests for the same webhook-id being handled at the same moment, this one included. */
  concurrent: number;
  receivedAt: number;
}

export type Plan = (request: { event: Receipt['event']; attempt: number; headers: IncomingHttpHeaders }) => number | { status: number; headers?: Record<string, string>; delayMs?: number };

export interface Receiver {
  url: string;
  receipts: Receipt[];
  plan: Plan;
  /** Waits until `predicate` holds for the receipts so far, failing after `timeoutMs`. */
  waitFor(predicate: (receipts: Receipt[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Receipts answered 2xx. */
  delivered(): Receipt[];
  close(): Promise<void>;
}

export async function startReceiver(plan: Plan = () => 200): Promise<Receiver> {
  const receipts: Receipt[] = [];
  const attempts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body) as Receipt['event'];
      const id = String(request.headers['webhook-id']);
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const concurrent = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, concurrent);
      const decided = receiver.plan({ event, attempt, headers: request.headers });
      const answer = typeof decided === 'number' ? { status: decided } : decided;
      setTimeout(() => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        receipts.push({ headers: request.headers, body, event, status: answer.status, concurrent, receivedAt: Date.now() });
        response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        response.end('thanks');
        for (const wake of waiters) wake();
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    receipts,
    plan,
    async waitFor(predicate, timeoutMs = WAIT_CEILING_MS, what = 'the expected deliveries') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receipts)) {
        if (Date.now() > deadline) throw new Error(`${what} did not arrive within ${timeoutMs} ms; got ${receipts.length}: ${receipts.map((r) => `${r.event.type}/${r.status}`).join(', ')}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 50);
        });
      }
    },
    delivered: () => receipts.filter((r) => r.status >= 200 && r.status < 300),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/**
 * Checks a receipt's signatures, Standard Webhooks (the npm package) and seed 000's X-Signature,
 * and its body against the schema the OpenAPI document gives for its type. Throws if any fails.
 * `signingSecret`: the partner's request signing secret, which keys X-Signature of /v1 orders' events.
 */
export function verifyReceipt(receipt: Receipt, secret: string, signingSecret?: string): void {
  new Webhook(secret).verify(receipt.body, {
    'webhook-id': String(receipt.headers['webhook-id']),
    'webhook-timestamp': String(receipt.headers['webhook-timestamp']),
    'webhook-signature': String(receipt.headers['webhook-signature']),
  });
  const key = signingSecret ?? Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(receipt.body).digest('hex');
  if (receipt.headers['x-signature'] !== expected) throw new Error(`X-Signature ${String(receipt.headers['x-signature'])} is not the HMAC of the body`);
  if (receipt.headers['x-timestamp'] !== receipt.headers['webhook-timestamp']) throw new Error('X-Timestamp differs from webhook-timestamp');
  if (!isEventType(receipt.event.type)) throw new Error(`unknown event type ${receipt.event.type}`);
  const schema = webhookBodySchema(receipt.event.type);
  if (!Value.Check(schema, receipt.event)) throw new Error(`${receipt.event.type} does not match its documented schema: ${[...Value.Errors(schema, receipt.event)].map((e) => `${e.path} ${e.message}`).join('; ')}`);
}

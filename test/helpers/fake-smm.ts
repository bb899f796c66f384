// A fake SMM panel on 127.0.0.1, written from the public "API v2" that PerfectPanel and its clones
// publish (not from any client of it): one POST endpoint, fields `key` and `action` (services, add,
// status, balance, cancel, refill), form-encoded or JSON (and, as PHP's $_REQUEST reads them, in
// the query string too). Its quirks, as panels have them: every answer is HTTP 200, errors
// included (`{"error":"Incorrect request"}`); numbers are strings ("0.90", "10") except the ids;
// the panel has no client order reference, so the same add sent twice is two orders.
// It keeps its own balance (an add takes rate × quantity / 1000, a Partial gives back the remains,
// a Canceled all of it), and the test moves orders along (Pending → In progress → Completed,
// Partial or Canceled), counts what it was asked, and can make its next answers misbehave.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One service as the panel sells it; `rate` is per 1,000 units, as panels price. */
export interface FakeService {
  service: number;
  name: string;
  type: string;
  category: string;
  /** Decimal text, per 1,000 units ("0.90"). */
  rate: string;
  min: number;
  max: number;
  refill: boolean;
  cancel: boolean;
  desc?: string;
}

export type FakeOrderStatus = 'Pending' | 'In progress' | 'Processing' | 'Completed' | 'Partial' | 'Canceled';

export interface FakeOrder {
  id: number;
  service: number;
  link: string;
  quantity: number;
  /** What the order costs now, in units of 10^-SCALE of the currency (a Partial or Canceled gives some back). */
  chargeUnits: bigint;
  status: FakeOrderStatus;
  startCount: number;
  remains: number;
  cancelRequested: boolean;
}

/** One request as the panel read it. */
export interface FakeRequest {
  action: string;
  params: Record<string, string>;
  contentType: string;
}

/**
 * What the next answer does instead of the panel's own (for `action` only, when given):
 * - `error`: `{"error": message}` at HTTP 200, and the request is not carried out;
 * - `answer`: the request is carried out (`carryOut`, default true) and this is answered instead;
 * - `drop`: the request is carried out (or not) and the connection closed without a word.
 */
export type Misbehaviour =
  | { kind: 'error'; message: string; action?: string }
  | { kind: 'answer'; body: string; status?: number; contentType?: string; carryOut?: boolean; action?: string }
  | { kind: 'drop'; carryOut: boolean; action?: string };

export interface FakeSmmOptions {
  key?: string;
  /** Decimal text, e.g. "100.84292". */
  balance?: string;
  currency?: string;
  services?: FakeService[];
  /** The first order id handed out. */
  firstOrderId?: number;
  /** Answer with `Content-Type: text/html` (JSON inside), as many PHP clones do. */
  htmlContentType?: boolean;
  /** Ids (service, order) as strings, as some clones send them. */
  stringIds?: boolean;
  /** Refuse a second active order on the same link, as PerfectPanel does. */
  oneActiveOrderPerLink?: boolean;
  /** A cancel request only marks the order; the test cancels it (advance) when it likes. */
  deferredCancel?: boolean;
}

/** Balances and charges are kept in 10^-SCALE of the currency, the precision panels show ("0.27819"). */
export const SCALE = 5;

export const DEFAULT_SERVICES: FakeService[] = [
  { service: 1, name: 'Followers', type: 'Default', category: 'First Category', rate: '0.90', min: 50, max: 10000, refill: true, cancel: true },
  { service: 2, name: 'Comments', type: 'Custom Comments', category: 'Second Category', rate: '8', min: 10, max: 1500, refill: false, cancel: false },
];

function toUnits(decimal: string, scale: number): bigint {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) throw new Error(`${decimal} has more than ${scale} decimals`);
  const units = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign ? -units : units;
}

function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** rate (per 1,000) × quantity / 1000, in 10^-SCALE, rounded up as a seller rounds. */
function chargeFor(rate: string, quantity: number): bigint {
  const rateUnits = toUnits(rate, 8); // rates come with up to 8 decimals
  const exact = rateUnits * BigInt(quantity); // in 10^-8 × 1000
  const divisor = 1000n * 10n ** BigInt(8 - SCALE);
  return (exact + divisor - 1n) / divisor;
}

export interface FakeSmm {
  /** The full endpoint, as an owner would type it: http://127.0.0.1:port/api/v2 */
  url: string;
  key: string;
  currency: string;
  services: FakeService[];
  orders: Map<number, FakeOrder>;
  requests: FakeRequest[];
  /** How many requests each action received (errors included). */
  count(action: string): number;
  /** The panel's balance, as it shows it ("100.84292"). */
  balance(): string;
  setBalance(decimal: string): void;
  /** Queues a misbehaviour for the next request (of `action`, when it says). */
  misbehave(next: Misbehaviour): void;
  /**
   * Moves an order on. `Partial` delivers `quantity - remains` and gives the remains' share of
   * the charge back; `Canceled` gives all of it back.
   */
  advance(id: number | string, status: FakeOrderStatus, remains?: number): void;
  close(): Promise<void>;
}

export async function startFakeSmm(options: FakeSmmOptions = {}): Promise<FakeSmm> {
  const key = options.key ?? 'panel-key-0123456789abcdef';
  const currency = options.currency ?? 'USD';
  let balanceUnits = toUnits(options.balance ?? '100.84292', SCALE);
  let nextId = options.firstOrderId ?? 23501;
  const services = (options.services ?? DEFAULT_SERVICES).map((s) => ({ ...s }));
  const orders = new Map<number, FakeOrder>();
  const requests: FakeRequest[] = [];
  const counts = new Map<string, number>();
  const queued: Misbehaviour[] = [];
  const id = (n: number) => (options.stringIds ? String(n) : n);

  function statusOf(order: FakeOrder) {
    return {
      charge: fromUnits(order.chargeUnits, SCALE),
      start_count: String(order.startCount),
      status: order.status,
      remains: String(order.remains),
      currency,
    };
  }

  function refund(order: FakeOrder, units: bigint) {
    order.chargeUnits -= units;
    balanceUnits += units;
  }

  function settle(order: FakeOrder, status: FakeOrderStatus, remains?: number) {
    if (['Completed', 'Partial', 'Canceled'].includes(order.status)) throw new Error(`order ${order.id} has ended (${order.status})`);
    if (status === 'Partial') {
      const left = remains ?? Math.floor(order.quantity / 2);
      if (left <= 0 || left >= order.quantity) throw new Error('a Partial leaves some, not all, of the quantity');
      // What was not delivered goes back to the balance, in proportion.
      refund(order, (order.chargeUnits * BigInt(left)) / BigInt(order.quantity));
      order.remains = left;
    } else if (status === 'Canceled') {
      refund(order, order.chargeUnits);
      order.remains = order.quantity;
    } else if (status === 'Completed') {
      order.remains = 0;
    } else if (status === 'In progress' || status === 'Processing') {
      order.startCount = 3572;
    }
    order.status = status;
  }

  const ended = (order: FakeOrder) => ['Completed', 'Partial', 'Canceled'].includes(order.status);

  /** What the panel answers to one request (always HTTP 200). */
  function carryOut(params: Record<string, string>): unknown {
    if (params.key !== key) return { error: 'Invalid API key' };
    switch (params.action) {
      case 'services':
        return services.map((s) => ({
          service: id(s.service),
          name: s.name,
          type: s.type,
          category: s.category,
          rate: s.rate,
          min: String(s.min),
          max: String(s.max),
          refill: s.refill,
          cancel: s.cancel,
          ...(s.desc === undefined ? {} : { desc: s.desc }),
        }));
      case 'balance':
        return { balance: fromUnits(balanceUnits, SCALE), currency };
      case 'add': {
        const service = services.find((s) => String(s.service) === params.service);
        if (!service) return { error: 'Incorrect service ID' };
        const link = params.link?.trim() ?? '';
        if (link === '') return { error: 'Incorrect link' };
        if (!/^\d+$/.test(params.quantity ?? '')) return { error: 'Incorrect quantity' };
        const quantity = Number(params.quantity);
        if (quantity < service.min) return { error: `Quantity less than minimal ${service.min}` };
        if (quantity > service.max) return { error: `Quantity more than maximal ${service.max}` };
        if (options.oneActiveOrderPerLink && [...orders.values()].some((o) => o.link === link && !ended(o))) {
          return { error: 'You have active order with this link. Please wait until order being completed.' };
        }
        const charge = chargeFor(service.rate, quantity);
        if (charge > balanceUnits) return { error: 'Not enough funds on balance' };
        balanceUnits -= charge;
        const order: FakeOrder = { id: nextId++, service: service.service, link, quantity, chargeUnits: charge, status: 'Pending', startCount: 0, remains: quantity, cancelRequested: false };
        orders.set(order.id, order);
        return { order: id(order.id) };
      }
      case 'status': {
        if (params.orders !== undefined) {
          const answer: Record<string, unknown> = {};
          for (const one of params.orders.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 100)) {
            const order = orders.get(Number(one));
            answer[one] = order && /^\d+$/.test(one) ? statusOf(order) : { error: 'Incorrect order ID' };
          }
          return answer;
        }
        const order = /^\d+$/.test(params.order ?? '') ? orders.get(Number(params.order)) : undefined;
        return order ? statusOf(order) : { error: 'Incorrect order ID' };
      }
      case 'cancel': {
        if (params.orders === undefined) return { error: 'Incorrect request' };
        return params.orders
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .slice(0, 100)
          .map((one) => {
            const order = /^\d+$/.test(one) ? orders.get(Number(one)) : undefined;
            if (!order) return { order: one, cancel: { error: 'Incorrect order ID' } };
            const service = services.find((s) => s.service === order.service);
            if (!service?.cancel || ended(order) || order.cancelRequested) return { order: id(order.id), cancel: { error: 'Order cannot be canceled' } };
            order.cancelRequested = true;
            if (!options.deferredCancel) settle(order, 'Canceled');
            return { order: id(order.id), cancel: 1 };
          });
      }
      case 'refill': {
        const order = /^\d+$/.test(params.order ?? '') ? orders.get(Number(params.order)) : undefined;
        if (!order) return { error: 'Incorrect order ID' };
        const service = services.find((s) => s.service === order.service);
        if (!service?.refill || order.status !== 'Completed') return { error: 'Order not eligible for refill' };
        return { refill: '1' };
      }
      default:
        return { error: 'Incorrect request' };
    }
  }

  function readParams(request: http.IncomingMessage, body: string): Record<string, string> {
    const params: Record<string, string> = {};
    const url = new URL(request.url ?? '/', 'http://panel');
    for (const [name, value] of url.searchParams) params[name] = value;
    const type = String(request.headers['content-type'] ?? '');
    if (/json/i.test(type)) {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          for (const [name, value] of Object.entries(parsed)) if (value !== null && value !== undefined) params[name] = String(value);
        }
      } catch {
        // A panel reads what it can; an unreadable body is a request without fields.
      }
    } else {
      for (const [name, value] of new URLSearchParams(body)) params[name] = value;
    }
    return params;
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://panel').pathname;
      if (path !== '/api/v2') {
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<html><body><h1>404 Not Found</h1></body></html>');
        return;
      }
      const params = readParams(request, Buffer.concat(chunks).toString('utf8'));
      const action = params.action ?? '';
      requests.push({ action, params, contentType: String(request.headers['content-type'] ?? '') });
      counts.set(action, (counts.get(action) ?? 0) + 1);
      const at = queued.findIndex((m) => m.action === undefined || m.action === action);
      const misbehaviour = at >= 0 ? queued.splice(at, 1)[0] : undefined;
      const send = (status: number, body: string, contentType?: string) => {
        response.writeHead(status, { 'content-type': contentType ?? (options.htmlContentType ? 'text/html; charset=UTF-8' : 'application/json') });
        response.end(body);
      };
      if (misbehaviour?.kind === 'error') return send(200, JSON.stringify({ error: misbehaviour.message }));
      if (request.method !== 'POST') return send(200, JSON.stringify({ error: 'Incorrect request' }));
      if (misbehaviour?.kind === 'drop') {
        if (misbehaviour.carryOut) carryOut(params);
        request.socket.destroy();
        return;
      }
      if (misbehaviour?.kind === 'answer') {
        if (misbehaviour.carryOut ?? true) carryOut(params);
        return send(misbehaviour.status ?? 200, misbehaviour.body, misbehaviour.contentType);
      }
      send(200, JSON.stringify(carryOut(params)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api/v2`,
    key,
    currency,
    services,
    orders,
    requests,
    count: (action) => counts.get(action) ?? 0,
    balance: () => fromUnits(balanceUnits, SCALE),
    setBalance(decimal) {
      balanceUnits = toUnits(decimal, SCALE);
    },
    misbehave(next) {
      queued.push(next);
    },
    advance(orderId, status, remains) {
      const order = orders.get(Number(orderId));
      if (!order) throw new Error(`the panel has no order ${orderId}`);
      settle(order, status, remains);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

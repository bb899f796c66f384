// The SMM panel "API v2" that PerfectPanel and its clones speak: one POST endpoint (the provider's
// base URL is that endpoint, e.g. https://panel.example/api/v2), form fields `key` and `action`.
// The panel performs a service on a link (followers, views …) and delivers no code.
//
// Quirks met here: every answer is HTTP 200, refusals included (`{"error":"Not enough funds on
// balance"}`), and only the text says which refusal it is; numbers come as strings ("0.90"),
// sometimes as numbers, ids either way; many clones label their JSON text/html (some with a byte
// order mark before it); amounts carry more decimals than the currency has ("100.84292"), so
// they are rounded to it here (see panelAmount). The panel has no client order reference:
// the same add sent twice is bought twice, and an order is found only by the id the add answered,
// so `findsByReference` is false and an add whose answer was lost cannot be looked up.
import { currencyExponent, formatMinor, isCurrencyCode, type Rounding } from '../../money.js';
import type { UpstreamConnection, UpstreamDialect, UpstreamOrderStatus, UpstreamProduct } from '../dialect.js';
import { UpstreamFailure, isFailure, type FailureClass } from '../failure.js';
import { excerptOf, type UpstreamAnswer } from '../http.js';

/**
 * One local unit is 1,000 of the panel's units: the unit its `rate` is priced per. So a product's
 * price is the rate itself, and the panel's min/max (in its units) become ceil(min / 1000) and
 * floor(max / 1000) local units; an order for N units asks the panel for N × 1000.
 */
export const PANEL_UNITS_PER_UNIT = 1000;

type Action = 'services' | 'add' | 'status' | 'balance' | 'cancel';

/** What an `{"error": …}` answer means for the call that got it. */
export type PanelErrorMeaning =
  /** The panel does not know this order id. */
  | { kind: 'no_such_order' }
  | { kind: 'failure'; failure: FailureClass; code: string };

/**
 * Classifies a panel's error text (the API has no error codes, only English sentences). An error
 * answer to `add` is always a refusal: the panel says no before it takes anything. For the reads,
 * a refused key is a refusal and anything else is worth asking again later.
 */
export function classifyPanelError(action: Action, text: string): PanelErrorMeaning {
  if (/api[\s_-]*key/i.test(text)) return { kind: 'failure', failure: 'refused', code: 'invalid_key' };
  if (action === 'add') {
    if (/not enough funds|insufficient (funds|balance)|low balance/i.test(text)) return { kind: 'failure', failure: 'refused', code: 'insufficient_balance' };
    if (/(incorrect|invalid|unknown|wrong) service|service.*(not found|does not exist|disabled|inactive)/i.test(text)) return { kind: 'failure', failure: 'refused', code: 'item_not_found' };
    return { kind: 'failure', failure: 'refused', code: 'rejected' };
  }
  if ((action === 'status' || action === 'cancel') && /(incorrect|invalid|unknown|wrong) order|order.*not found/i.test(text)) return { kind: 'no_such_order' };
  if (action === 'cancel') return { kind: 'failure', failure: 'refused', code: 'not_cancellable' };
  return { kind: 'failure', failure: 'retryable', code: 'panel_error' };
}

/**
 * A decimal text (or a finite JSON number) in `currency`'s minor units, rounded `up` or `down`
 * exactly; undefined when it is not a plain decimal. Panels show more decimals than currencies
 * have: what we pay is rounded up (never sell below cost), what we hold is rounded down.
 */
export function panelAmount(value: unknown, currency: string, rounding: Rounding): string | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) && !/e/i.test(String(value)) ? String(value) : undefined) : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : /^(-)?(\d{1,15})(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const top = (sign ? -1n : 1n) * BigInt(whole + fraction) * 10n ** BigInt(currencyExponent(currency));
  const bottom = 10n ** BigInt(fraction.length);
  // BigInt division truncates toward zero: one step further when the exact value lies beyond it.
  let minor = top / bottom;
  if (top % bottom !== 0n) {
    if (rounding === 'up' && top > 0n) minor += 1n;
    if (rounding === 'down' && top < 0n) minor -= 1n;
  }
  const result = Number(minor);
  return Number.isSafeInteger(result) ? formatMinor(result, currency) : undefined;
}

/** A whole count the panel sent as a number or as digits ("10"); undefined otherwise. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** An id the panel sent as a number or as digits. */
function panelId(value: unknown): string | undefined {
  const n = count(value);
  return n === undefined || n === 0 ? undefined : String(n);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The answer's text, cut short, with our key taken out should the panel echo it. */
function excerpt(conn: UpstreamConnection, answer: UpstreamAnswer): string {
  return redact(conn, excerptOf(answer.text));
}

function redact(conn: UpstreamConnection, text: string): string {
  return conn.credentials.key ? text.split(conn.credentials.key).join('***') : text;
}

function badAnswer(conn: UpstreamConnection, answer: UpstreamAnswer, what: string): UpstreamFailure {
  return new UpstreamFailure('unknown', `the panel answered ${what}`, { status: answer.status, code: 'bad_answer', excerpt: excerpt(conn, answer) });
}

/** Sends one action and reads its JSON (whatever content type it is labelled with). */
async function post(conn: UpstreamConnection, action: Action, fields: Record<string, string | number> = {}): Promise<{ answer: UpstreamAnswer; body: unknown }> {
  // The base URL is the endpoint itself: given whole, it is not joined to a path.
  const answer = await conn.http.call({ method: 'POST', url: conn.baseUrl, form: { key: conn.credentials.key, action, ...fields } });
  if (answer.status >= 400) {
    // Some clones say their `error` with a 4xx: it means what it means at 200.
    const body = lenient(answer.text);
    if (errorText(body) !== undefined) return { answer, body };
    throw new UpstreamFailure(answer.status === 408 ? 'retryable' : 'refused', `the panel answered ${answer.status}`, { status: answer.status, code: `http_${answer.status}`, excerpt: excerpt(conn, answer) });
  }
  try {
    return { answer, body: answer.json() };
  } catch (error) {
    // Many clones send their JSON as text/html, and PHP files saved with a byte order mark put one
    // before it: read it as JSON if that is what it is.
    if (!isFailure(error) || (error.detail.code !== 'not_json' && error.detail.code !== 'bad_json')) throw error;
    const body = lenient(answer.text);
    if (body === undefined) throw new UpstreamFailure('unknown', error.message, { ...error.detail, excerpt: excerpt(conn, answer) });
    return { answer, body };
  }
}

function lenient(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return undefined;
  }
}

/** The panel's `error` text, when the answer is one. */
function errorText(body: unknown): string | undefined {
  return isRecord(body) && typeof body.error === 'string' && body.error.trim() !== '' ? body.error.trim() : undefined;
}

function panelFailure(conn: UpstreamConnection, answer: UpstreamAnswer, action: Action, text: string): UpstreamFailure {
  const meaning = classifyPanelError(action, text);
  const { failure, code } = meaning.kind === 'failure' ? meaning : { failure: 'refused' as const, code: 'not_found' };
  return new UpstreamFailure(failure, redact(conn, `the panel said: ${text}`).slice(0, 300), { status: answer.status, code, excerpt: excerpt(conn, answer) });
}

/** Throws for an `{"error": …}` answer; `no_such_order` answers give undefined for the caller to decide. */
function refusal(conn: UpstreamConnection, answer: UpstreamAnswer, action: Action, body: unknown): 'no_such_order' | undefined {
  const text = errorText(body);
  if (text === undefined) return undefined;
  if (classifyPanelError(action, text).kind === 'no_such_order') return 'no_such_order';
  throw panelFailure(conn, answer, action, text);
}

function product(conn: UpstreamConnection, entry: unknown): UpstreamProduct | undefined {
  if (!isRecord(entry)) return undefined;
  const ref = panelId(entry.service);
  const name = typeof entry.name === 'string' ? entry.name.trim() : '';
  const price = panelAmount(entry.rate, conn.currency, 'up');
  const min = count(entry.min);
  const max = count(entry.max);
  if (ref === undefined || name === '' || price === undefined || min === undefined || max === undefined) return undefined;
  const minQuantity = Math.max(1, Math.ceil(min / PANEL_UNITS_PER_UNIT));
  const maxQuantity = Math.floor(max / PANEL_UNITS_PER_UNIT);
  const description = typeof entry.desc === 'string' && entry.desc.trim() !== '' ? { en: entry.desc.trim() } : undefined;
  return {
    ref,
    name: { en: name },
    ...(description ? { description } : {}),
    price,
    currency: conn.currency,
    // A service has no stock to count.
    stock: null,
    // A service whose range holds no whole 1,000 cannot be sold in our units.
    status: maxQuantity >= minQuantity ? 'active' : 'inactive',
    minQuantity,
    maxQuantity,
    fields: [{ name: 'link', label: { en: 'Link' }, required: true }],
  };
}

/** Where a panel order stands, from its status answer. */
function orderStatus(conn: UpstreamConnection, answer: UpstreamAnswer, upstreamId: string, body: unknown): UpstreamOrderStatus {
  if (!isRecord(body) || typeof body.status !== 'string') throw badAnswer(conn, answer, 'a status without one');
  const currency = typeof body.currency === 'string' && isCurrencyCode(body.currency.trim().toUpperCase()) ? body.currency.trim().toUpperCase() : conn.currency;
  const amount = panelAmount(body.charge, currency, 'up');
  const charged = amount === undefined ? {} : { charged: { amount, currency } };
  switch (body.status.trim().toLowerCase().replace(/[\s_-]+/g, ' ')) {
    case 'pending':
    case 'in progress':
    case 'processing':
      return { state: 'pending', upstreamId, ...charged };
    // Partial: the panel performed part of it and refunds the remains to our balance itself; for
    // us the order is over and there is nothing to deliver but the service.
    case 'completed':
    case 'partial':
      return { state: 'delivered', upstreamId, codes: [], ...charged };
    case 'canceled':
    case 'cancelled':
      return { state: 'failed', upstreamId, reason: 'the panel cancelled the order (and refunded it to our balance)' };
    default:
      throw badAnswer(conn, answer, `a status it does not document (${excerptOf(body.status).slice(0, 40)})`);
  }
}

/** Without the panel's id no order can be found or cancelled there: the API has no client reference. */
function noLookup(what: string): UpstreamFailure {
  return new UpstreamFailure('retryable', `an SMM panel ${what} an order only by the id its add answered, and this order has none`, { code: 'no_lookup' });
}

async function status(conn: UpstreamConnection, upstreamId: string): Promise<UpstreamOrderStatus | undefined> {
  const { answer, body } = await post(conn, 'status', { order: upstreamId });
  if (refusal(conn, answer, 'status', body) === 'no_such_order') return undefined;
  return orderStatus(conn, answer, upstreamId, body);
}

export const smmDialect: UpstreamDialect = {
  name: 'smm',
  delivers: 'service',
  findsByReference: false,

  async listProducts(conn) {
    const { answer, body } = await post(conn, 'services');
    refusal(conn, answer, 'services', body);
    if (!Array.isArray(body)) throw badAnswer(conn, answer, 'a service list that is not a list');
    return body.map((entry: unknown) => {
      const read = product(conn, entry);
      // One unreadable entry makes the whole list untrustworthy: nothing is priced from a guess.
      if (!read) throw badAnswer(conn, answer, `a service it does not describe as documented (${excerptOf(JSON.stringify(entry)).slice(0, 120)})`);
      return read;
    });
  },

  async createOrder(conn, request) {
    // The panel has no client reference: request.reference cannot be passed (see the header).
    const link = (request.fields.link ?? request.fields.smm_link ?? '').trim();
    if (link === '') throw new UpstreamFailure('refused', 'an SMM order needs the link to serve (checkout field link or smm_link)', { code: 'validation' });
    const quantity = request.quantity * PANEL_UNITS_PER_UNIT;
    if (!Number.isSafeInteger(request.quantity) || request.quantity < 1 || !Number.isSafeInteger(quantity)) throw new UpstreamFailure('refused', `cannot order ${request.quantity} units`, { code: 'validation' });
    const { answer, body } = await post(conn, 'add', { service: request.productRef, link, quantity });
    // An order id wins over anything else in the answer: the panel took it, and it can be followed.
    const upstreamId = isRecord(body) ? panelId(body.order) : undefined;
    if (upstreamId !== undefined) return { state: 'pending', upstreamId };
    const text = errorText(body);
    if (text !== undefined) throw panelFailure(conn, answer, 'add', text);
    throw badAnswer(conn, answer, 'an add without an order id');
  },

  /**
   * The panel finds an order only by its own id (`upstreamId`); without one this throws
   * 'retryable' (no_lookup) rather than say "no such order", which it cannot know.
   */
  async findOrder(conn, _reference, upstreamId) {
    if (!upstreamId) throw noLookup('finds');
    return status(conn, upstreamId);
  },

  /**
   * Cancels through action=cancel where the panel and the service allow it (a service says so by
   * its `cancel` flag; the panel refuses the rest: 'refused' not_cancellable). The panel may take
   * the request and cancel later: until its status says Canceled this throws 'retryable'
   * (cancel_pending), and the order's status (findOrder) says when it is. Asked again, it reads
   * the status first, so an order cancelled meanwhile is not asked twice.
   */
  async cancelOrder(conn, _reference, upstreamId) {
    if (!upstreamId) throw noLookup('cancels');
    const before = await status(conn, upstreamId);
    if (before === undefined || before.state === 'failed') return;
    if (before.state === 'delivered') throw new UpstreamFailure('refused', 'the panel has already performed this order', { code: 'already_delivered' });
    const { answer, body } = await post(conn, 'cancel', { orders: upstreamId });
    if (refusal(conn, answer, 'cancel', body) === 'no_such_order') return;
    const mine = Array.isArray(body) ? body.find((one: unknown) => isRecord(one) && panelId(one.order) === upstreamId) : undefined;
    if (!isRecord(mine)) throw badAnswer(conn, answer, 'a cancel without this order in it');
    const text = errorText(mine.cancel);
    if (text !== undefined) {
      // The status decides: cancelled meanwhile, or gone, is done; still running is a refusal
      // (perhaps because a cancel asked earlier is still under way).
      const after = await status(conn, upstreamId);
      if (after === undefined || after.state === 'failed') return;
      throw panelFailure(conn, answer, 'cancel', text);
    }
    if (panelId(mine.cancel) === undefined) throw badAnswer(conn, answer, 'a cancel it does not document');
    const after = await status(conn, upstreamId);
    if (after === undefined || after.state === 'failed') return;
    throw new UpstreamFailure('retryable', 'the panel took the cancel request but has not cancelled the order yet', { code: 'cancel_pending' });
  },

  async balance(conn) {
    const { answer, body } = await post(conn, 'balance');
    refusal(conn, answer, 'balance', body);
    if (!isRecord(body)) throw badAnswer(conn, answer, 'a balance that is not an object');
    const said = typeof body.currency === 'string' ? body.currency.trim().toUpperCase() : '';
    const currency = isCurrencyCode(said) ? said : conn.currency;
    const amount = panelAmount(body.balance, currency, 'down');
    if (amount === undefined) throw badAnswer(conn, answer, 'a balance that is not an amount');
    return { amount, currency };
  },
};

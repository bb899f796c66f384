// Zid's answers as Souk reads them, exactly by its document: a name or description is a string or
// {en, ar}; a price is sale_price, else price, else 0; stock is unlimited when is_infinite, else the
// sum of stocks[].available_quantity; a product is active when is_published or its status is
// active, published or available. Everything is checked, since a malformed answer must be a
// logged failure, never a crash or a wrong delivery; nothing here trusts a webhook body.
import { isCurrencyCode, parseMinor } from '../money.js';

export class MalformedZidAnswer extends Error {
  constructor(what: string) {
    super(`Zid answered a malformed ${what}`);
    this.name = 'MalformedZidAnswer';
  }
}

export interface ZidNames {
  en: string;
  ar: string | null;
}

export interface ZidProduct {
  zidProductId: string;
  sku: string | null;
  name: ZidNames;
  priceMinor: number;
  currency: string;
  /** Null: unlimited. */
  stock: number | null;
  active: boolean;
  updatedAt: string | null;
}

export interface ZidCategory {
  zidCategoryId: string;
  name: ZidNames;
  slug: string | null;
  parentId: string | null;
}

export interface ZidOrderLine {
  zidProductId: string;
  quantity: number;
}

export interface ZidOrder {
  zidOrderId: string;
  orderNumber: string | null;
  /** The order's status code (order_status.code, else status), lower case. */
  status: string | null;
  paymentStatus: string | null;
  totalMinor: number | null;
  currency: string | null;
  customer: { name: string | null; email: string | null };
  /** One per Zid product, quantities of repeated lines added; null when the answer carried no products. */
  lines: ZidOrderLine[] | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** A page of a Zid list: its results and the absolute URL of the next page, if any. */
export interface ZidPage {
  results: unknown[];
  next: string | null;
}

const ACTIVE_STATUSES = new Set(['active', 'published', 'available']);
/** Zid's currency when an answer names none: its stores sell in riyals. */
const DEFAULT_CURRENCY = 'SAR';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id Zid gives as a number or a string. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,60}$/.test(value)) return value;
  return undefined;
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, max) : null;
}

/** A string or {en, ar}: English first, Arabic beside it; the one there is stands for both when only one is. */
export function namesOf(value: unknown): ZidNames | undefined {
  if (typeof value === 'string') {
    const name = text(value, 500);
    return name ? { en: name, ar: null } : undefined;
  }
  if (!isRecord(value)) return undefined;
  const en = text(value.en, 500);
  const ar = text(value.ar, 500);
  if (!en && !ar) return undefined;
  return { en: en ?? ar!, ar };
}

function minorOf(value: unknown, currency: string): number | undefined {
  if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) {
    const minor = parseMinor(value, currency);
    return minor !== undefined && minor >= 0 ? minor : undefined;
  }
  return undefined;
}

function currencyOf(value: unknown): string {
  return typeof value === 'string' && isCurrencyCode(value.trim().toUpperCase()) ? value.trim().toUpperCase() : DEFAULT_CURRENCY;
}

function timeOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

function quantityOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** A product of /products/ or /products/{id}/, by the document's rules; throws MalformedZidAnswer. */
export function normaliseProduct(raw: unknown): ZidProduct {
  if (!isRecord(raw)) throw new MalformedZidAnswer('product');
  const zidProductId = idOf(raw.id);
  const name = namesOf(raw.name);
  if (!zidProductId || !name) throw new MalformedZidAnswer('product (no id or name)');
  const currency = currencyOf(raw.currency);
  const hasSale = raw.sale_price !== null && raw.sale_price !== undefined;
  const hasPrice = raw.price !== null && raw.price !== undefined;
  const priceMinor = hasSale ? minorOf(raw.sale_price, currency) : hasPrice ? minorOf(raw.price, currency) : 0;
  if (priceMinor === undefined) throw new MalformedZidAnswer(`price of product ${zidProductId}`);
  let stock: number | null = null;
  if (raw.is_infinite !== true) {
    const stocks = Array.isArray(raw.stocks) ? raw.stocks : [];
    stock = 0;
    for (const entry of stocks) {
      const available = isRecord(entry) ? quantityOf(entry.available_quantity) : undefined;
      if (available === undefined) throw new MalformedZidAnswer(`stock of product ${zidProductId}`);
      stock += available;
    }
  }
  const status = typeof raw.status === 'string' ? raw.status.trim().toLowerCase() : '';
  return {
    zidProductId,
    sku: text(raw.sku, 200),
    name,
    priceMinor,
    currency,
    stock,
    active: raw.is_published === true || ACTIVE_STATUSES.has(status),
    updatedAt: timeOf(raw.updated_at),
  };
}

/** A category of /managers/store/categories. */
export function normaliseCategory(raw: unknown): ZidCategory {
  if (!isRecord(raw)) throw new MalformedZidAnswer('category');
  const zidCategoryId = idOf(raw.id);
  const name = namesOf(raw.name);
  if (!zidCategoryId || !name) throw new MalformedZidAnswer('category (no id or name)');
  return { zidCategoryId, name, slug: text(raw.slug, 200), parentId: idOf(raw.parent_id) ?? null };
}

function linesOf(raw: unknown, zidOrderId: string): ZidOrderLine[] | null {
  if (!Array.isArray(raw)) return null;
  const quantities = new Map<string, number>();
  for (const line of raw) {
    const productId = isRecord(line) ? idOf(line.id ?? line.product_id) : undefined;
    const quantity = isRecord(line) ? quantityOf(line.quantity) : undefined;
    if (!productId || quantity === undefined) throw new MalformedZidAnswer(`product line of order ${zidOrderId}`);
    if (quantity > 0) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  return [...quantities].map(([zidProductId, quantity]) => ({ zidProductId, quantity }));
}

/** An order of /managers/store/orders (with payload_type=default) or its /view. */
export function normaliseOrder(raw: unknown): ZidOrder {
  if (!isRecord(raw)) throw new MalformedZidAnswer('order');
  const zidOrderId = idOf(raw.id);
  if (!zidOrderId) throw new MalformedZidAnswer('order (no id)');
  const statusCode = isRecord(raw.order_status) ? raw.order_status.code : raw.status;
  const currency = raw.currency === undefined ? null : currencyOf(raw.currency);
  const customer = isRecord(raw.customer) ? raw.customer : {};
  const email = text(customer.email, 320);
  return {
    zidOrderId,
    orderNumber: text(typeof raw.order_number === 'number' ? String(raw.order_number) : raw.order_number, 100),
    status: text(statusCode, 40)?.toLowerCase() ?? null,
    paymentStatus: text(raw.payment_status, 40)?.toLowerCase() ?? null,
    totalMinor: currency === null ? null : (minorOf(raw.total, currency) ?? null),
    currency,
    customer: { name: text(customer.name, 200), email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null },
    lines: linesOf(raw.products, zidOrderId),
    createdAt: timeOf(raw.created_at),
    updatedAt: timeOf(raw.updated_at),
  };
}

/** A list answer: `results` and `next` (an absolute URL or null). */
export function pageOf(raw: unknown, what: string): ZidPage {
  if (!isRecord(raw) || !Array.isArray(raw.results)) throw new MalformedZidAnswer(`${what} list`);
  const next = typeof raw.next === 'string' && raw.next.trim() ? raw.next.trim() : null;
  return { results: raw.results, next };
}

/** The profile's store: name, currency, country. */
export function profileStore(raw: unknown): { id: string | null; name: string | null; currency: string | null; country: string | null } {
  const store = isRecord(raw) && isRecord(raw.store) ? raw.store : undefined;
  if (!store) throw new MalformedZidAnswer('profile');
  const currency = typeof store.currency === 'string' && isCurrencyCode(store.currency.trim().toUpperCase()) ? store.currency.trim().toUpperCase() : null;
  return { id: idOf(store.id) ?? null, name: text(store.name, 200), currency, country: text(store.country, 10) };
}

const ORDER_FIELDS = ['order_number', 'payment_status', 'order_status', 'customer'];
const PRODUCT_FIELDS = ['sku', 'is_published', 'is_infinite', 'stocks', 'sale_price'];

/**
 * What a webhook is about: its `event` when it names one, else what the object looks like; unknown
 * when neither tells (the caller then re-reads it both ways: reading Zid is always safe).
 */
export function announcedKind(body: unknown): 'order' | 'product' | 'unknown' {
  if (!isRecord(body)) return 'unknown';
  const event = typeof body.event === 'string' ? body.event : '';
  if (event.startsWith('order')) return 'order';
  if (event.startsWith('product')) return 'product';
  const objects = [body, ...['data', 'order', 'product', 'payload'].map((key) => body[key]).filter(isRecord)];
  if ('order' in body && isRecord(body.order)) return 'order';
  if ('product' in body && isRecord(body.product)) return 'product';
  const looksLike = (fields: string[]) => objects.some((object) => fields.some((field) => field in object));
  const order = looksLike(ORDER_FIELDS);
  const product = looksLike(PRODUCT_FIELDS);
  return order === product ? 'unknown' : order ? 'order' : 'product';
}

/** The id a webhook names: in the object itself or wrapped in data, order, product or payload; nothing else in it is used. */
export function announcedId(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  for (const key of ['data', 'order', 'product', 'payload']) {
    const inner = body[key];
    if (isRecord(inner)) {
      const id = idOf(inner.id) ?? announcedId(inner);
      if (id) return id;
    }
  }
  return idOf(body.id) ?? idOf(body.order_id) ?? idOf(body.product_id);
}

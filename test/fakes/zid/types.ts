// The shapes of the Zid simulator: Zid's objects as its API document shows them (snake_case, prices
// as decimal numbers in SAR, names a string or `{en, ar}`), and what the simulator records for tests.

/** A text Zid gives either plainly or per language. */
export type ZidText = string | { en: string; ar: string };

export interface ZidStock {
  available_quantity: number;
}

export interface ZidVariant {
  id: number;
  sku: string;
  name: ZidText;
  price: number;
  sale_price: number | null;
  quantity: number | null;
  is_infinite: boolean;
}

/** A product as Zid keeps it: the list item plus the detail-only `options`, `variants` and `metadata`. */
export interface ZidProduct {
  id: number;
  name: ZidText;
  short_description: ZidText;
  description: ZidText;
  price: number | null;
  sale_price: number | null;
  compare_price: number | null;
  currency: string;
  sku: string;
  /** Absent on some products, which say `status` instead. */
  is_published?: boolean;
  /** "active", "published", "available" (active) or e.g. "draft", "hidden"; on some products only. */
  status?: string;
  is_infinite: boolean;
  quantity: number | null;
  stocks: ZidStock[];
  images: Array<{ url: string; alt: string }>;
  categories: Array<{ id: number; name: string }>;
  slug: string;
  created_at: string;
  updated_at: string;
  options: Array<{ id: number; name: string; values: string[] }>;
  variants: ZidVariant[];
  metadata: Record<string, unknown>;
}

export interface ZidCategory {
  id: number;
  name: string;
  slug: string;
  description: string;
  parent_id: number | null;
  image: string | null;
}

export interface ZidCustomer {
  name: string;
  email: string;
  phone: string;
}

export interface ZidOrderLine {
  id: number;
  name: string;
  quantity: number;
  price: number;
}

export const ORDER_STATUSES = {
  pending: 'Pending',
  new: 'New',
  preparing: 'Preparing',
  ready: 'Ready',
  indelivery: 'In delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
} as const;

export type ZidOrderStatus = keyof typeof ORDER_STATUSES;

/** "paid", "pending", "unpaid", "refunded", … as Zid says them. */
export type ZidPaymentStatus = 'paid' | 'pending' | 'unpaid' | 'refunded' | 'partially_refunded' | 'failed';

export interface ZidOrder {
  id: number;
  order_number: string;
  status: ZidOrderStatus;
  payment_status: ZidPaymentStatus;
  payment_method: string;
  total: number;
  currency: string;
  customer: ZidCustomer;
  products: ZidOrderLine[];
  shipping: { address: string; city: string; country: string };
  created_at: string;
  updated_at: string;
}

export const WEBHOOK_EVENTS = [
  'product.create',
  'product.update',
  'product.publish',
  'product.delete',
  'order.create',
  'order.status.update',
  'order.payment_status.update',
] as const;

export type ZidWebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const SCOPES = ['products.read', 'orders.read', 'categories.read', 'webhooks.read', 'webhooks.write'] as const;

export interface ZidWebhook {
  id: string;
  url: string;
  event: string;
  app_id: string;
  created_at: string;
}

/** One /v1 call as the simulator saw it. Never a token value: only whether each header came. */
export interface ZidApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The Store-Id header's value (a store id is not a secret), null when absent. */
  storeId: string | null;
  authorization: boolean;
  managerToken: boolean;
  accessToken: boolean;
  /** The answer came from `failNext`, not from the simulator's own rules. */
  injected: boolean;
  at: number;
}

/** One call to /oauth/token, without any token, code or secret. */
export interface ZidTokenRequest {
  grantType: string | null;
  contentType: string;
  redirectUri: boolean;
  /** The redirect_uri given equals the registered one. */
  redirectUriMatches: boolean;
  status: number;
  /** The OAuth error answered (`invalid_grant`, …), null on success. */
  error: string | null;
}

/** One visit to /oauth/authorize. */
export interface ZidAuthorizeRequest {
  clientIdMatches: boolean;
  redirectUriMatches: boolean;
  responseType: string | null;
  scopes: string[];
  state: boolean;
  /** "approved", "denied" or the error answered. */
  outcome: string;
}

/** A failure the simulator answers instead of its own answer, to the next calls whose path matches. */
export interface ZidFault {
  /** Matched against the path (`/v1/products/`, `/oauth/token`, …). */
  path: RegExp;
  method?: string;
  /** 429, 500, 503, 401, … ; ignored with `drop`. Default 500. */
  status?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
  /** Retry-After in seconds; 429 sends 1 unless told, null sends no header. */
  retryAfterSeconds?: number | null;
  /** The body instead of the error envelope: an object (as JSON) or text as is (garbage, cut JSON). */
  body?: string | object;
  contentType?: string;
  /** Close the connection without answering (a network error). */
  drop?: boolean;
}

export interface WebhookDelivery {
  url: string;
  /** The receiver's HTTP status; 0 when the connection failed. */
  status: number;
}

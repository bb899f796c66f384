// How large a body each route reads. A body over its route's limit is 413 before a byte of it is
// parsed, so a small limit wherever the real bodies are small is the cheapest defence there is.
import type { RouteOptions } from 'fastify';

/**
 * `small`: credentials, a refresh token, an order number and e-mail, an event id.
 * `bulk`: codes for a whole order, a product's texts in every language; up to SOUK_BODY_LIMIT.
 * Unset: an order with its checkout fields, a coupon, a webhook endpoint; or, for a route without
 * a body schema, `small`.
 */
export type BodySize = 'small' | 'bulk';

declare module 'fastify' {
  interface FastifyContextConfig {
    bodySize?: BodySize;
  }
}

const SMALL = 8 * 1024;
const STANDARD = 64 * 1024;

/** The limit of routes that set no `config.bodySize`: 64 KB, or SOUK_BODY_LIMIT if lower. */
export function standardBodyLimit(ceiling: number): number {
  return Math.min(STANDARD, ceiling);
}

/**
 * An onRoute hook: gives each route the limit its `config.bodySize` asks for, never above
 * SOUK_BODY_LIMIT; a route without a body schema reads no body, so it gets the small one. A route's
 * own `bodyLimit` stands.
 */
export function applyBodySize(ceiling: number) {
  return (route: RouteOptions) => {
    const size = route.config?.bodySize ?? (route.schema?.body === undefined ? 'small' : undefined);
    if (route.bodyLimit !== undefined || size === undefined) return;
    route.bodyLimit = size === 'small' ? Math.min(SMALL, ceiling) : ceiling;
  };
}

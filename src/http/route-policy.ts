// What a route asks of its caller. Every route states it in `config.auth`; the auth plugin enforces it.
import type { Scope } from '../core/accounts/index.js';

export type RoutePolicy =
  /** No credentials and no limit (health, metrics, docs). */
  | { kind: 'open' }
  /** Anyone; limited per IP, or per key when credentials are sent (and then they must be valid). */
  | { kind: 'public' }
  /** A valid key or token with the scope; `signed`: an API key whose every request is signed (seed 000's /v1). */
  | { kind: 'key'; scope: Scope; signed?: boolean }
  /** The token endpoint: limited per IP, with its own brute-force guard inside. */
  | { kind: 'login' }
  /**
   * The shop profile (seed 004): limited per IP. API keys and API tokens open nothing here; a
   * route that needs a customer reads the customer's token itself (http/shop/customer-token.ts).
   */
  | { kind: 'shop' };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RoutePolicy;
  }
}

export const OPEN: RoutePolicy = { kind: 'open' };
export const PUBLIC: RoutePolicy = { kind: 'public' };
export const LOGIN: RoutePolicy = { kind: 'login' };
export const SHOP: RoutePolicy = { kind: 'shop' };
export const needs = (scope: Scope): RoutePolicy => ({ kind: 'key', scope });
/** A signed API key with the scope: X-API-Key + X-Signature + X-Timestamp on every request. */
export const needsSigned = (scope: Scope): RoutePolicy => ({ kind: 'key', scope, signed: true });

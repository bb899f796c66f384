// What a route asks of its caller. Every route states it in `config.auth`; the auth plugin enforces it.
import type { Scope } from '../core/accounts/index.js';

export type RoutePolicy =
  /** No credentials and no limit (health, metrics, docs). */
  | { kind: 'open' }
  /** Anyone; limited per IP, or per key when credentials are sent (and then they must be valid). */
  | { kind: 'public' }
  /**
   * A valid key or token with the scope; `signed`: an API key whose every request is signed (seed
   * 000's /v1); `closedAccount404`: a key of a closed account is 404 user_not_found, not 401 (seed 003's GET /me).
   */
  | { kind: 'key'; scope: Scope; signed?: boolean; closedAccount404?: boolean }
  /** The token endpoint: limited per IP, with its own brute-force guard inside. */
  | { kind: 'login' }
  /**
   * The shop profile (seed 004): limited per IP. API keys and API tokens open nothing here; a
   * route that needs a customer reads the customer's token itself (http/shop/customer-token.ts).
   */
  | { kind: 'shop' };

/**
 * What an `Idempotency-Key` does on a POST route (http/plugins/idempotency.ts):
 * - `answer` (the default): the first answer is kept, sealed, for 24 h and replayed; the fields
 *   in `shownOnce` (a new key's secret, say) are left out of what is kept, so no replay shows them.
 * - `order`: the key is kept in the order placed, unique per account (core/orders), so a retry
 *   after a crash finds the committed order; nothing else is stored.
 * - `rerun`: idempotent by nature (revealing a code): every request runs, and is audited, again.
 */
export type IdempotencyPolicy = { kind: 'answer'; shownOnce?: readonly string[] } | { kind: 'order' } | { kind: 'rerun' };

/**
 * How a state-changing request names itself, so that repeating a signed request can only repeat
 * its answer: `body`, a field of the signed body that makes the request idempotent
 * (`client_order_id`, seed 000's `partner_order_id`); `nature`, the request is idempotent by
 * nature (an ack). Seed 000's signature covers the body alone, so only these may be sent with it.
 */
export type RequestReference = { kind: 'body'; field: string } | { kind: 'nature' };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RoutePolicy;
    idempotency?: IdempotencyPolicy;
    reference?: RequestReference;
  }
}

export const OPEN: RoutePolicy = { kind: 'open' };
export const PUBLIC: RoutePolicy = { kind: 'public' };
export const LOGIN: RoutePolicy = { kind: 'login' };
export const SHOP: RoutePolicy = { kind: 'shop' };
export const needs = (scope: Scope): RoutePolicy => ({ kind: 'key', scope });
/** A signed API key with the scope: X-API-Key + X-Signature + X-Timestamp on every request. */
export const needsSigned = (scope: Scope): RoutePolicy => ({ kind: 'key', scope, signed: true });

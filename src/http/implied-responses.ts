// Statuses a route answers whatever its handler does: the auth plugin's (401, 403, 429), the
// router's and body parser's (400, 413, 414, 415), the input plugin's (400 for a NUL anywhere),
// Idempotency-Key's (409, 422), a server shutting down (503) and an unforeseen failure (500). An onRoute hook adds them to every documented route's responses,
// in its surface's error schema, so the OpenAPI document lists every status a route can answer
// without each route repeating them.
import type { RouteOptions } from 'fastify';
import type { RoutePolicy } from './route-policy.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The error schema of the surface a route belongs to: /api/v1's (seed 003's codes), the shop's (`success: false`) or the shared one. */
export function errorSchemaRef(url: string): string {
  if (/^\/api\/v1(\/|$)/.test(url)) return 'ApiError#';
  if (/^\/api(\/|$)/.test(url)) return 'ShopError#';
  return 'Error#';
}

/** Every status a route can answer before or around its handler, given its method, path and policy. */
export function impliedStatuses(method: string, url: string, policy: RoutePolicy | undefined, idempotent: boolean): number[] {
  // A NUL in the path or query string is refused on every route (plugins/input.ts).
  // A failure nobody foresaw (500, details only in the log) and a server shutting down (503).
  const statuses = new Set([400, 500, 503]);
  // Over-long path parameters are refused by the router (maxParamLength, server.ts).
  if (url.includes(':')) statuses.add(414);
  if (BODY_METHODS.has(method)) for (const status of [413, 415]) statuses.add(status);
  const kind = policy?.kind ?? 'open';
  if (kind !== 'open') statuses.add(429);
  if (kind === 'public') statuses.add(401);
  if (kind === 'key') for (const status of [401, 403]) statuses.add(status);
  // A repeated Idempotency-Key: still running (409), or sent with another request (422).
  if (kind === 'key' && method === 'POST' && idempotent) for (const status of [409, 422]) statuses.add(status);
  return [...statuses];
}

/** An onRoute hook: adds the implied statuses a documented route's schema does not list yet. */
export function addImpliedResponses(route: RouteOptions) {
  const schema = route.schema;
  if (!schema?.response || (schema as { hide?: boolean }).hide) return;
  const listed = schema.response as Record<string, unknown>;
  const ref = errorSchemaRef(route.url);
  const implied: Record<string, unknown> = {};
  for (const method of [route.method].flat()) {
    for (const status of impliedStatuses(method, route.url, route.config?.auth, route.config?.idempotency?.kind !== 'rerun')) {
      if (!(String(status) in listed)) implied[status] = { $ref: ref };
    }
  }
  // A new object: routes may share one response map.
  route.schema = { ...schema, response: { ...listed, ...implied } };
}

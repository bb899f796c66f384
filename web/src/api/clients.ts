// The only way the web apps reach Souk: openapi-fetch clients typed by schema.d.ts (generated
// from the app's OpenAPI document by `npm run web:types`). The paths in the document are
// absolute (/api/…, /admin/api/…), so both clients talk to the page's own origin.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** The shop API (/api): no credentials needed for what the storefront does so far. */
export const shopApi = createClient<paths>({ baseUrl: window.location.origin });

let csrfToken: string | undefined;

/** Remembers the CSRF token of the console session (from POST or GET /admin/api/session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

// Every state-changing call carries the session's CSRF token; the API refuses one without it.
const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

/** The admin API (/admin/api) with the session cookie and the CSRF header. */
export const adminApi = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
adminApi.use(csrf);

/** The message of an API error envelope, or a generic one. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return String(error);
}

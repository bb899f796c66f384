// The customer's session on the storefront: the bearer token from log-in or sign-up, kept in
// sessionStorage (gone when the tab closes), sent on the shop API's calls that read a customer,
// and dropped as soon as the API refuses it.
import { useSyncExternalStore } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Middleware } from 'openapi-fetch';
import { shopApi } from '../api/clients';

const KEY = 'souk.customerToken';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let token = read();

/** Keeps (or with null, forgets) the customer token and tells every subscriber. */
export function setCustomerToken(next: string | null): void {
  token = next;
  try {
    if (next) sessionStorage.setItem(KEY, next);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the token lives in memory for this page.
  }
  for (const listener of listeners) listener();
}

// Only these calls read a customer; the catalog and the lookup never need the token.
const NEEDS_TOKEN = /^\/api\/(?:auth\/me|orders$|wallet\/)/;

const bearer: Middleware = {
  onRequest({ request }) {
    if (token && NEEDS_TOKEN.test(new URL(request.url).pathname)) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    // An expired or revoked token: log out rather than fail every later call the same way.
    if (response.status === 401 && request.headers.has('Authorization')) setCustomerToken(null);
    return response;
  },
};
shopApi.use(bearer);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The customer token, or null when nobody is logged in; re-renders on log-in and log-out. */
export function useCustomerToken(): string | null {
  return useSyncExternalStore(subscribe, () => token);
}

/** GET /api/auth/me: the logged-in customer's e-mail and both balances (disabled when logged out). */
export function useCustomer() {
  const current = useCustomerToken();
  return useQuery({
    queryKey: ['shop', 'me', current],
    enabled: current !== null,
    queryFn: async () => {
      const { data, error } = await shopApi.GET('/api/auth/me');
      if (error) throw error;
      return data.user;
    },
  });
}

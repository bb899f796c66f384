// One account as the admin API answers it, shared by the account's pages (settings, keys, wallets, webhooks).
import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../../api/clients';
import type { Schemas } from '../../api/clients';

export type Account = Schemas['Account'];

/** The kinds of account the API knows, in the order the console offers them. */
export const ACCOUNT_KINDS = ['reseller', 'partner', 'customer', 'admin'] as const;

/** GET /admin/api/accounts/{id}. */
export function useAccount(id: number) {
  return useQuery({
    queryKey: ['console', 'account', id],
    enabled: Number.isInteger(id) && id > 0,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/accounts/{id}', { params: { path: { id } } });
      if (error) throw error;
      return data.account;
    },
  });
}

/** A new Idempotency-Key for one attempt at a change, so a double submit does it once. */
export function newRequestKey(): string {
  return crypto.randomUUID();
}

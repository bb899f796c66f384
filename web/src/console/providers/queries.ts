// The providers area's shared reads, so every page keys them alike.
import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../../api/clients';

export const PROVIDERS_KEY = ['console', 'providers'];

/** GET /admin/api/providers. */
export function useProviders() {
  return useQuery({
    queryKey: PROVIDERS_KEY,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/providers');
      if (error) throw error;
      return data.providers;
    },
  });
}

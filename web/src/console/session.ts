// The console session, as the admin API reports it: GET decides whether the console shows the
// log-in form; POST logs in; DELETE logs out. The CSRF token it answers goes on every change.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, setCsrfToken } from '../api/clients';
import type { paths } from '../api/schema';

export type Session = paths['/admin/api/session']['get']['responses'][200]['content']['application/json'];

const KEY = ['console', 'session'];

/** The session, or null when there is none (401). */
export function useSession() {
  return useQuery({
    queryKey: KEY,
    queryFn: async (): Promise<Session | null> => {
      const { data, error, response } = await adminApi.GET('/admin/api/session');
      if (response.status === 401) {
        setCsrfToken(undefined);
        return null;
      }
      if (error) throw error;
      setCsrfToken(data.csrf_token);
      return data;
    },
  });
}

export function useLogIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { username: string; password: string }) => {
      const { data, error } = await adminApi.POST('/admin/api/session', { body });
      if (error) throw error;
      return data;
    },
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token);
      client.setQueryData(KEY, session);
    },
  });
}

export function useLogOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { error, response } = await adminApi.DELETE('/admin/api/session');
      if (error && response.status !== 401) throw error;
    },
    onSuccess: () => {
      setCsrfToken(undefined);
      client.removeQueries({ queryKey: ['console'] });
      client.setQueryData(KEY, null);
    },
  });
}

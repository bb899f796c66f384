// An account's console logins: GET /admin/api/accounts/{id}/users, POST to add one, PATCH
// /admin/api/users/{id} to change a role or disable one. Owners only for changes: the API says no to others.
import { useId, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { Schemas } from '../../api/clients';
import { Problem } from '../Problem';
import type { Account } from './account';

const ROLES = ['owner', 'operator', 'viewer'] as const;
type Role = (typeof ROLES)[number];
type Login = Schemas['Login'];

export function Logins({ account }: { account: Account }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const client = useQueryClient();
  const key = ['console', 'account', account.id, 'logins'];
  const logins = useQuery({
    queryKey: key,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/accounts/{id}/users', { params: { path: { id: account.id } } });
      if (error) throw error;
      return data.users;
    },
  });
  const change = useMutation({
    mutationFn: async ({ login, body }: { login: Login; body: { role: Role } | { disabled: boolean } }) => {
      const { data, error } = await adminApi.PATCH('/admin/api/users/{id}', { params: { path: { id: login.id } }, body });
      if (error) throw error;
      return data.user;
    },
    onSettled: () => client.invalidateQueries({ queryKey: key }),
  });
  const hasRoles = account.kind === 'admin';
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('logins.title')}</h3>
      {logins.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={logins.error} />
      {logins.isSuccess && logins.data.length === 0 && <p>{t('logins.none')}</p>}
      {logins.data && logins.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('logins.username')}</th>
                {hasRoles && <th scope="col">{t('logins.role')}</th>}
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('created')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {logins.data.map((login) => (
                <tr key={login.id}>
                  <th scope="row">
                    <bdi>{login.username}</bdi>
                  </th>
                  {hasRoles && (
                    <td>
                      <select
                        aria-label={t('logins.roleOf', { username: login.username })}
                        value={login.role}
                        disabled={change.isPending}
                        onChange={(event) => change.mutate({ login, body: { role: event.target.value as Role } })}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {t(`roles.${r}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                  )}
                  <td>{login.disabled ? t('logins.disabled') : t('logins.enabled')}</td>
                  <td>
                    <time dateTime={login.created_at}>{login.created_at}</time>
                  </td>
                  <td>
                    <button type="button" className="secondary" disabled={change.isPending} onClick={() => change.mutate({ login, body: { disabled: !login.disabled } })}>
                      {login.disabled ? t('logins.enable', { username: login.username }) : t('logins.disable', { username: login.username })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Problem error={change.error} />
      <AddLogin account={account} hasRoles={hasRoles} onAdded={() => client.invalidateQueries({ queryKey: key })} />
    </section>
  );
}

function AddLogin({ account, hasRoles, onAdded }: { account: Account; hasRoles: boolean; onAdded: () => Promise<void> }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const add = useMutation({
    mutationFn: async (body: { username: string; password: string; role?: Role }) => {
      const { data, error } = await adminApi.POST('/admin/api/accounts/{id}/users', { params: { path: { id: account.id } }, body });
      if (error) throw error;
      return data;
    },
    onSuccess: onAdded,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    add.mutate(
      { username: String(form.get('username') ?? '').trim(), password: String(form.get('password') ?? ''), ...(hasRoles ? { role: String(form.get('role')) as Role } : {}) },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>{t('logins.add')}</h4>
      <label htmlFor={`${id}-username`}>{t('logins.username')}</label>
      <input id={`${id}-username`} name="username" required minLength={3} maxLength={200} autoComplete="off" />
      <label htmlFor={`${id}-password`}>{t('logins.password')}</label>
      <input id={`${id}-password`} name="password" type="password" required minLength={10} maxLength={1000} autoComplete="new-password" />
      {hasRoles && (
        <>
          <label htmlFor={`${id}-role`}>{t('logins.role')}</label>
          <select id={`${id}-role`} name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </>
      )}
      <button type="submit" disabled={add.isPending}>
        {t('logins.submit')}
      </button>
      <Problem error={add.error} />
    </form>
  );
}

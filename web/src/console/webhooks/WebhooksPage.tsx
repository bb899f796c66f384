// /webhooks: every endpoint; /accounts/:id/webhooks: one account's, with the form that adds one
// (its signing secret shown once).
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { AccountFrame } from '../accounts/AccountFrame';
import { Problem } from '../Problem';
import { ShownOnce, type Secret } from '../accounts/ShownOnce';
import { newRequestKey, type Account } from '../accounts/account';
import { EndpointTable } from './EndpointTable';
import { EventChoices } from './EventChoices';
import { checkedEvents, type EventType } from './endpoints';

function useEndpoints(accountId?: number) {
  return useQuery({
    queryKey: ['console', 'webhooks', accountId ?? 'all'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/webhooks', { params: { query: accountId ? { account: accountId } : {} } });
      if (error) throw error;
      return data.endpoints;
    },
  });
}

/** Every account's endpoints, for the navigation link. */
export function AllWebhooksPage() {
  const { t } = useTranslation('webhooks');
  const endpoints = useEndpoints();
  return (
    <section className="acc-area">
      <h2>{t('title')}</h2>
      <p>{t('perAccount')}</p>
      {endpoints.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={endpoints.error} />
      {endpoints.isSuccess && endpoints.data.length === 0 && <p>{t('none')}</p>}
      {endpoints.data && endpoints.data.length > 0 && <EndpointTable endpoints={endpoints.data} showAccount />}
    </section>
  );
}

export function AccountWebhooksPage() {
  return <AccountFrame>{(account) => <AccountWebhooks account={account} />}</AccountFrame>;
}

function AccountWebhooks({ account }: { account: Account }) {
  const { t } = useTranslation('webhooks');
  const id = useId();
  const client = useQueryClient();
  const endpoints = useEndpoints(account.id);
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const create = useMutation({
    mutationFn: async (body: { account_id: number; url: string; events?: EventType[]; include_items: boolean }) => {
      const { data, error } = await adminApi.POST('/admin/api/webhooks', { body, headers: { 'Idempotency-Key': newRequestKey() } });
      if (error) throw error;
      return data;
    },
    onSuccess: (created) => {
      setSecrets(created.secret ? [{ label: t('secret'), value: created.secret }] : []);
      void client.invalidateQueries({ queryKey: ['console', 'webhooks'] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const events = checkedEvents(form);
    create.mutate(
      { account_id: account.id, url: String(form.get('url') ?? '').trim(), ...(events.length ? { events } : {}), include_items: form.get('include_items') === 'on' },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('title')}</h3>
      {secrets.length > 0 && <ShownOnce secrets={secrets} onDone={() => setSecrets([])} />}
      {endpoints.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={endpoints.error} />
      {endpoints.isSuccess && endpoints.data.length === 0 && <p>{t('none')}</p>}
      {endpoints.data && endpoints.data.length > 0 && <EndpointTable endpoints={endpoints.data} />}
      <form className="stack" onSubmit={submit} aria-labelledby={`${id}-new`}>
        <h4 id={`${id}-new`}>{t('new')}</h4>
        <label htmlFor={`${id}-url`}>{t('url')}</label>
        <input id={`${id}-url`} name="url" type="url" required maxLength={2000} dir="ltr" placeholder="https://example.com/souk-events" />
        <EventChoices chosen={[]} />
        <label className="acc-check">
          <input type="checkbox" name="include_items" defaultChecked /> {t('includeItems')}
        </label>
        <button type="submit" disabled={create.isPending}>
          {t('create')}
        </button>
        <Problem error={create.error} />
      </form>
    </section>
  );
}

// /webhooks/:endpointId: one endpoint: change it (URL, events, on or off), rotate its secret (shown
// once), send a test event, re-send what failed, and its delivery log.
import { useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';
import { ShownOnce, type Secret } from '../accounts/ShownOnce';
import { newRequestKey } from '../accounts/account';
import { Deliveries } from './Deliveries';
import { EventChoices } from './EventChoices';
import { checkedEvents, type Endpoint } from './endpoints';

export function WebhookPage() {
  const { t } = useTranslation('webhooks');
  const { endpointId = '' } = useParams();
  const endpoint = useQuery({
    queryKey: ['console', 'webhook', endpointId],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/webhooks/{id}', { params: { path: { id: endpointId } } });
      if (error) throw error;
      return data.endpoint;
    },
  });
  const e = endpoint.data;
  return (
    <article className="acc-area">
      <p>{e ? <Link to={`/accounts/${e.account_id}/webhooks`}>{t('translation:common.back')}</Link> : <Link to="/webhooks">{t('translation:common.back')}</Link>}</p>
      {endpoint.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={endpoint.error} />
      {e && (
        <>
          <h2>
            {t('endpoint')} <bdi dir="ltr">{e.url}</bdi>
          </h2>
          <p>
            {e.enabled ? t('enabled') : t('disabled')}
            {e.disabled_reason && <> ({e.disabled_reason})</>} · {t('failureStreak', { count: e.failure_streak })}
            {e.paused_until && <> · {t('pausedUntil', { at: e.paused_until })}</>}
          </p>
          <Actions endpoint={e} />
          <EditEndpoint key={e.updated_at} endpoint={e} />
          <Deliveries endpointId={e.id} />
        </>
      )}
    </article>
  );
}

function Actions({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation('webhooks');
  const client = useQueryClient();
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const refreshLog = () => client.invalidateQueries({ queryKey: ['console', 'webhook-deliveries', endpoint.id] });
  const rotate = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/webhooks/{id}/rotate-secret', { params: { path: { id: endpoint.id } }, headers: { 'Idempotency-Key': newRequestKey() } });
      if (error) throw error;
      return data.secret;
    },
    onSuccess: (secret) => setSecrets(secret ? [{ label: t('secret'), value: secret }] : []),
  });
  const test = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/webhooks/{id}/test', { params: { path: { id: endpoint.id } } });
      if (error) throw error;
      return data.event_id;
    },
    onSuccess: refreshLog,
  });
  const resendFailed = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/webhooks/{id}/resend-failed', { params: { path: { id: endpoint.id } } });
      if (error) throw error;
      return data.queued;
    },
    onSuccess: refreshLog,
  });
  return (
    <section className="card">
      {secrets.length > 0 && <ShownOnce secrets={secrets} onDone={() => setSecrets([])} />}
      <p className="acc-actions">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {t('sendTest')}
        </button>
        <button type="button" className="secondary" onClick={() => resendFailed.mutate()} disabled={resendFailed.isPending}>
          {t('resendFailed')}
        </button>
        <button type="button" className="secondary" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          {t('rotate')}
        </button>
      </p>
      <p aria-live="polite">
        {test.isSuccess && t('testSent', { event: test.data })}
        {resendFailed.isSuccess && t('queued', { count: resendFailed.data })}
      </p>
      <Problem error={test.error ?? resendFailed.error ?? rotate.error} />
    </section>
  );
}

function EditEndpoint({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation('webhooks');
  const id = useId();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: async (body: { url: string; events: ReturnType<typeof checkedEvents>; include_items: boolean; enabled: boolean }) => {
      const { data, error } = await adminApi.PATCH('/admin/api/webhooks/{id}', { params: { path: { id: endpoint.id } }, body });
      if (error) throw error;
      return data.endpoint;
    },
    onSuccess: (updated) => {
      client.setQueryData(['console', 'webhook', endpoint.id], updated);
      void client.invalidateQueries({ queryKey: ['console', 'webhooks'] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ url: String(form.get('url') ?? '').trim(), events: checkedEvents(form), include_items: form.get('include_items') === 'on', enabled: form.get('enabled') === 'on' });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('edit')}</h3>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-url`}>{t('url')}</label>
        <input id={`${id}-url`} name="url" type="url" required maxLength={2000} dir="ltr" defaultValue={endpoint.url} />
        <EventChoices chosen={endpoint.events} />
        <label className="acc-check">
          <input type="checkbox" name="include_items" defaultChecked={endpoint.include_items} /> {t('includeItems')}
        </label>
        <label className="acc-check">
          <input type="checkbox" name="enabled" defaultChecked={endpoint.enabled} /> {t('enabledLabel')}
        </label>
        <button type="submit" disabled={save.isPending}>
          {t('save')}
        </button>
        <p aria-live="polite">{save.isSuccess && t('saved')}</p>
        <Problem error={save.error} />
      </form>
    </section>
  );
}

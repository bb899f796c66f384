import { useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

type Status = NonNullable<NonNullable<operations['adminListOrderMails']['parameters']['query']>['status']>;
// Every status the API filters by; `satisfies` keeps the list in step with the generated types.
const STATUSES = ['pending', 'sending', 'sent', 'failed'] as const satisfies readonly Status[];

/** How mail leaves (GET /admin/api/settings: host and From, never credentials) and the mail log (GET /admin/api/mails) with re-send. */
export function MailPage() {
  const { t } = useTranslation('settings');
  const id = useId();
  const client = useQueryClient();
  const [status, setStatus] = useState<Status | ''>('');
  const settings = useQuery({
    queryKey: ['console', 'settings', 'fixed'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/settings');
      if (error) throw error;
      return data;
    },
  });
  const mails = useQuery({
    queryKey: ['console', 'settings', 'mails', status],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/mails', { params: { query: { status: status || undefined, limit: 200 } } });
      if (error) throw error;
      return data.mails;
    },
  });
  const resend = useMutation({
    mutationFn: async (mailId: number) => {
      const { error } = await adminApi.POST('/admin/api/mails/{id}/resend', { params: { path: { id: mailId } } });
      if (error) throw error;
      return mailId;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['console', 'settings', 'mails'] }),
  });
  const mail = settings.data?.mail;
  const rows = mails.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('mail.title')}</h3>
      <Problem error={settings.error} />
      {mail && (
        <dl className="card">
          <dt>{t('mail.transport')}</dt>
          <dd>{mail.transport === 'files' ? t('mail.files') : mail.transport.toUpperCase()}</dd>
          {mail.host && (
            <>
              <dt>{t('mail.host')}</dt>
              <dd>
                <bdi dir="ltr">
                  {mail.host}:{mail.port}
                </bdi>
              </dd>
            </>
          )}
          <dt>{t('mail.from')}</dt>
          <dd>
            <bdi dir="ltr">{mail.from}</bdi>
          </dd>
          <dt>{t('mail.setIn')}</dt>
          <dd>
            <code dir="ltr">{mail.settings.join(', ')}</code> — {t('mail.noCredentials')}
          </dd>
        </dl>
      )}
      <h3>{t('mail.log')}</h3>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('mail.status')}</label>
        <select id={`${id}-status`} value={status} onChange={(event) => setStatus(STATUSES.find((s) => s === event.target.value) ?? '')}>
          <option value="">{t('mail.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`mail.statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {mails.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={mails.error} />
      <Problem error={resend.error} />
      {resend.isSuccess && <p role="status">{t('mail.resent')}</p>}
      {mails.isSuccess && rows.length === 0 && <p>{t('mail.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('mail.recipient')}</th>
                <th scope="col">{t('mail.order')}</th>
                <th scope="col">{t('mail.status')}</th>
                <th scope="col">{t('mail.attempts')}</th>
                <th scope="col">{t('mail.lastError')}</th>
                <th scope="col">{t('mail.created')}</th>
                <th scope="col">{t('mail.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} className={m.status === 'failed' ? 'attention' : undefined}>
                  <td>
                    <bdi dir="ltr">{m.recipient}</bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">{m.order_id}</bdi>
                  </td>
                  <td>{t(`mail.statuses.${m.status}`)}</td>
                  <td>{m.attempts}</td>
                  <td>{m.last_error ?? '—'}</td>
                  <td>
                    <time dateTime={m.created_at}>{m.created_at}</time>
                  </td>
                  <td>
                    {(m.status === 'failed' || m.status === 'sent') && (
                      <button type="button" className="secondary" onClick={() => resend.mutate(m.id)} disabled={resend.isPending}>
                        {t('mail.resend')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// GET /admin/api/webhook-deliveries for one endpoint, filtered by status, newest first, a page at a
// time, each with its attempts; one delivery can be sent again.
import { useId, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { Problem } from '../Problem';

type Status = NonNullable<NonNullable<operations['adminListWebhookDeliveries']['parameters']['query']>['status']>;
const STATUSES = ['pending', 'sending', 'delivered', 'acked', 'dead'] as const satisfies readonly Status[];

export function Deliveries({ endpointId }: { endpointId: string }) {
  const { t } = useTranslation('webhooks');
  const id = useId();
  const client = useQueryClient();
  const [status, setStatus] = useState<Status | ''>('');
  const key = ['console', 'webhook-deliveries', endpointId];
  const deliveries = useInfiniteQuery({
    queryKey: [...key, status || 'all'],
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/webhook-deliveries', { params: { query: { endpoint: endpointId, before: pageParam, limit: 50, ...(status ? { status } : {}) } } });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_before ?? undefined,
    // Deliveries move on by themselves (sending, retried, delivered): keep the log fresh while it is open.
    refetchInterval: 5000,
  });
  const resend = useMutation({
    mutationFn: async (deliveryId: number) => {
      const { error } = await adminApi.POST('/admin/api/webhook-deliveries/{id}/resend', { params: { path: { id: deliveryId } } });
      if (error) throw error;
    },
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('log.title')}</h3>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('log.status')}</label>
        <select id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value as Status | '')}>
          <option value="">{t('log.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`log.statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {deliveries.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={deliveries.error} />
      {deliveries.isSuccess && rows.length === 0 && <p>{t('log.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-labelledby={`${id}-title`}>
            <thead>
              <tr>
                <th scope="col">{t('log.event')}</th>
                <th scope="col">{t('log.status')}</th>
                <th scope="col">{t('log.attempts')}</th>
                <th scope="col">{t('log.last')}</th>
                <th scope="col">{t('log.created')}</th>
                <th scope="col">{t('log.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <bdi dir="ltr">{d.type}</bdi>
                    <br />
                    <small className="codes">{d.event_id}</small>
                  </th>
                  <td>{t(`log.statuses.${d.status}`, { defaultValue: d.status })}</td>
                  <td>
                    {d.attempts}
                    {d.attempt_log.length > 0 && (
                      <details>
                        <summary>{t('log.history')}</summary>
                        <ol>
                          {d.attempt_log.map((a, index) => (
                            <li key={index}>
                              <time dateTime={a.attempted_at}>{a.attempted_at}</time>: {a.status_code ?? '—'} {a.error && <bdi>{a.error}</bdi>} ({a.duration_ms} ms)
                            </li>
                          ))}
                        </ol>
                      </details>
                    )}
                  </td>
                  <td>
                    {d.last_status_code ?? '—'} {d.last_error && <bdi>{d.last_error}</bdi>}
                  </td>
                  <td>
                    <time dateTime={d.created_at}>{d.created_at}</time>
                  </td>
                  <td>
                    <button type="button" className="secondary" onClick={() => resend.mutate(d.id)} disabled={resend.isPending}>
                      {t('log.resend', { event: d.type })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Problem error={resend.error} />
      {deliveries.hasNextPage && (
        <p>
          <button type="button" className="secondary" onClick={() => void deliveries.fetchNextPage()} disabled={deliveries.isFetchingNextPage}>
            {t('log.more')}
          </button>
        </p>
      )}
    </section>
  );
}

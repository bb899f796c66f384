import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Connect } from './Connect';
import { Mapping } from './Mapping';
import { Problem } from '../Problem';

/** GET /admin/api/zid/stores/{id}: one store's state, counts, product mapping (with suggestions) and recent fulfilments; sync on request. */
export function StorePage() {
  const { t } = useTranslation('zid');
  const id = Number(useParams().id);
  const client = useQueryClient();
  const store = useQuery({
    queryKey: ['console', 'zid', 'store', id],
    enabled: Number.isInteger(id) && id > 0,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/zid/stores/{id}', { params: { path: { id } } });
      if (error) throw error;
      return data.store;
    },
  });
  const sync = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/zid/stores/{id}/sync', { params: { path: { id } } });
      if (error) throw error;
      return data.queued;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['console', 'zid'] }),
  });
  const s = store.data;
  return (
    <article>
      <p>
        <Link to="/zid">{t('translation:common.back')}</Link>
      </p>
      {store.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={store.error} />
      {s && (
        <>
          <h2>
            <bdi>{s.name}</bdi>
          </h2>
          {s.status === 'needs_reconnect' && (
            <div className="attention" role="alert">
              <p>{t('store.reconnectNeeded')}</p>
              <Connect label={t('store.reconnect')} />
            </div>
          )}
          <dl className="card">
            <dt>{t('stores.status')}</dt>
            <dd>{t(`status.${s.status}`, { defaultValue: s.status })}</dd>
            <dt>{t('stores.zidId')}</dt>
            <dd>
              <bdi dir="ltr">{s.zid_store_id}</bdi>
              {s.currency && (
                <>
                  {' '}
                  · <bdi dir="ltr">{s.currency}</bdi>
                </>
              )}
              {s.country && <> · {s.country}</>}
            </dd>
            <dt>{t('store.account')}</dt>
            <dd>#{s.account_id}</dd>
            <dt>{t('store.connectedBy')}</dt>
            <dd>
              <bdi>{s.connected_by}</bdi> · <time dateTime={s.created_at}>{s.created_at}</time>
            </dd>
            <dt>{t('store.webhooks')}</dt>
            <dd>{s.webhooks > 0 ? t('store.webhooksOn', { count: s.webhooks }) : t('store.webhooksOff')}</dd>
            <dt>{t('stores.lastSync')}</dt>
            <dd>
              {s.sync_in_progress ? t('store.syncing') : s.last_sync_at ? <time dateTime={s.last_sync_at}>{s.last_sync_at}</time> : '—'}
              {s.last_order_sync_at && (
                <>
                  {' '}
                  · {t('store.orderSync')} <time dateTime={s.last_order_sync_at}>{s.last_order_sync_at}</time>
                </>
              )}
            </dd>
            <dt>{t('store.lastError')}</dt>
            <dd>{s.last_error ?? '—'}</dd>
            <dt>{t('store.counts')}</dt>
            <dd>{t('store.countsText', s.counts)}</dd>
          </dl>
          <p className="actions">
            <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
              {t('store.sync')}
            </button>
          </p>
          <Problem error={sync.error} />
          {sync.isSuccess && <p role="status">{sync.data ? t('store.syncQueued') : t('store.syncAlready')}</p>}
          <Mapping storeId={s.id} rows={s.mapping} />
          <h3>{t('fulfilments.title')}</h3>
          {s.recent_fulfilments.length === 0 && <p>{t('fulfilments.none')}</p>}
          {s.recent_fulfilments.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('fulfilments.zidOrder')}</th>
                    <th scope="col">{t('fulfilments.order')}</th>
                    <th scope="col">{t('fulfilments.product')}</th>
                    <th scope="col">{t('fulfilments.quantity')}</th>
                    <th scope="col">{t('fulfilments.status')}</th>
                    <th scope="col">{t('fulfilments.at')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.recent_fulfilments.map((f) => (
                    <tr key={`${f.zid_order_id}:${f.zid_product_id}:${f.order_id}`}>
                      <td>
                        <bdi dir="ltr">{f.order_number ?? f.zid_order_id}</bdi>
                      </td>
                      <td>
                        <Link to={`/orders/${encodeURIComponent(f.order_id)}`}>
                          <bdi dir="ltr">{f.order_number_souk}</bdi>
                        </Link>
                      </td>
                      <td>
                        <bdi dir="ltr">{f.zid_product_id}</bdi>
                      </td>
                      <td>{f.quantity}</td>
                      <td>{f.status}</td>
                      <td>
                        <time dateTime={f.created_at}>{f.created_at}</time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </article>
  );
}

import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Connect } from './Connect';
import { Problem } from '../Problem';

/** GET /admin/api/zid/stores: each connected Zid store and its state; one Zid refused to refresh is marked for reconnection. */
export function StoresPage() {
  const { t } = useTranslation('zid');
  const stores = useQuery({
    queryKey: ['console', 'zid', 'stores'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/zid/stores');
      if (error) throw error;
      return data.stores;
    },
  });
  const rows = stores.data ?? [];
  const needing = rows.filter((s) => s.status === 'needs_reconnect');
  return (
    <section>
      <h2>{t('title')}</h2>
      <p>{t('connect.explain')}</p>
      <Connect label={t('connect.button')} />
      {needing.length > 0 && (
        <p className="attention" role="alert">
          {t('stores.needing', { count: needing.length })}
        </p>
      )}
      <h3>{t('stores.title')}</h3>
      {stores.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={stores.error} />
      {stores.isSuccess && rows.length === 0 && <p>{t('stores.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('stores.name')}</th>
                <th scope="col">{t('stores.zidId')}</th>
                <th scope="col">{t('stores.status')}</th>
                <th scope="col">{t('stores.lastSync')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id} className={s.status === 'needs_reconnect' ? 'attention' : undefined}>
                  <th scope="row">
                    <Link to={`/zid/${s.id}`}>
                      <bdi>{s.name}</bdi>
                    </Link>
                  </th>
                  <td>
                    <bdi dir="ltr">{s.zid_store_id}</bdi>
                  </td>
                  <td>
                    <strong>{t(`status.${s.status}`, { defaultValue: s.status })}</strong>
                  </td>
                  <td>{s.last_sync_at ? <time dateTime={s.last_sync_at}>{s.last_sync_at}</time> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

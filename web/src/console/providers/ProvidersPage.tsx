import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AddProvider } from './AddProvider';
import { useProviders } from './queries';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

/** The upstream providers Souk buys from, with what the last ping saw, and the form that adds one. */
export function ProvidersPage() {
  const { t } = useTranslation('providers');
  const providers = useProviders();
  const rows = providers.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      {providers.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={providers.error} />
      {providers.isSuccess && rows.length === 0 && <p>{t('list.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('list.name')}</th>
                <th scope="col">{t('list.dialect')}</th>
                <th scope="col">{t('list.state')}</th>
                <th scope="col">{t('list.balance')}</th>
                <th scope="col">{t('list.markup')}</th>
                <th scope="col">{t('list.lastSync')}</th>
                <th scope="col">{t('list.lastError')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.provider_id} className={!p.enabled || p.reachability === 'down' ? 'attention' : undefined}>
                  <th scope="row">
                    <Link to={`/providers/${p.provider_id}`}>
                      <bdi>{p.name}</bdi>
                    </Link>
                  </th>
                  <td>{p.dialect}</td>
                  <td>
                    {p.enabled ? t('list.enabled') : t('list.disabled')} · {t(`reach.${p.reachability === 'up' || p.reachability === 'down' ? p.reachability : 'unknown'}`)}
                  </td>
                  <td>
                    <bdi dir="ltr">{p.balance === null ? '—' : `${p.balance} ${p.currency}`}</bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">
                      {p.markup_percent}% + {p.markup_fixed} {p.sell_currency}
                    </bdi>
                  </td>
                  <td>{p.last_sync_at ? <time dateTime={p.last_sync_at}>{p.last_sync_at}</time> : '—'}</td>
                  <td>{p.last_error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddProvider />
    </section>
  );
}

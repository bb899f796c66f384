import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Endpoint } from './endpoints';

/** Endpoints with a link to each one's page (settings, secret, tests and delivery log). */
export function EndpointTable({ endpoints, showAccount = false }: { endpoints: Endpoint[]; showAccount?: boolean }) {
  const { t } = useTranslation('webhooks');
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('url')}</th>
            {showAccount && <th scope="col">{t('account')}</th>}
            <th scope="col">{t('events')}</th>
            <th scope="col">{t('state')}</th>
            <th scope="col">{t('failures')}</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((endpoint) => (
            <tr key={endpoint.id}>
              <th scope="row">
                <Link to={`/webhooks/${encodeURIComponent(endpoint.id)}`}>
                  <bdi dir="ltr">{endpoint.url}</bdi>
                </Link>
              </th>
              {showAccount && (
                <td>
                  <Link to={`/accounts/${endpoint.account_id}`}>{endpoint.account_id}</Link>
                </td>
              )}
              <td dir="ltr">{endpoint.events.length ? endpoint.events.join(', ') : t('allEvents')}</td>
              <td>
                {endpoint.enabled ? t('enabled') : t('disabled')}
                {endpoint.disabled_reason && <> ({endpoint.disabled_reason})</>}
                {endpoint.paused_until && <> {t('pausedUntil', { at: endpoint.paused_until })}</>}
              </td>
              <td>{endpoint.failure_streak}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

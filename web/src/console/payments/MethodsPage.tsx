import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

/** GET /admin/api/payments/methods: what buyers are offered, each gateway's settings and health, each coin's way in. Read-only: these are set in Souk's environment. */
export function MethodsPage() {
  const { t } = useTranslation('payments');
  const methods = useQuery({
    queryKey: ['console', 'payments', 'methods'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/payments/methods');
      if (error) throw error;
      return data;
    },
  });
  const m = methods.data;
  const yesNo = (value: boolean) => (value ? t('methods.yes') : t('methods.no'));
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('methods.title')}</h3>
      {methods.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={methods.error} />
      {m && (
        <>
          <ul className="badges">
            {m.methods.map((method) => (
              <li key={method.name} className={method.available ? 'ok' : 'off'}>
                <bdi>{method.name}</bdi>: {method.available ? t('methods.offered') : t('methods.notOffered')}
              </li>
            ))}
          </ul>
          <p>{m.wallet_checkout ? t('methods.walletOn') : t('methods.walletOff')}</p>
          <h3>{t('methods.gateways')}</h3>
          <p>{t('methods.envNote')}</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('methods.gateway')}</th>
                  <th scope="col">{t('methods.configured')}</th>
                  <th scope="col">{t('methods.healthy')}</th>
                  <th scope="col">{t('methods.lastCheck')}</th>
                  <th scope="col">{t('methods.settings')}</th>
                </tr>
              </thead>
              <tbody>
                {m.gateways.map((g) => (
                  <tr key={g.name} className={g.configured && !g.healthy ? 'attention' : undefined}>
                    <th scope="row">
                      <bdi>{g.name}</bdi> ({g.method}
                      {g.coins.length > 0 && <>: {g.coins.join(', ')}</>})
                    </th>
                    <td>{yesNo(g.configured)}</td>
                    <td>{g.configured ? yesNo(g.healthy) : '—'}</td>
                    <td>
                      {g.checked_at ? <time dateTime={g.checked_at}>{g.checked_at}</time> : '—'}
                      {g.problem && <> — {g.problem}</>}
                    </td>
                    <td>
                      <code dir="ltr">{g.settings.join(', ')}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>{t('methods.coins')}</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('methods.coin')}</th>
                  <th scope="col">{t('methods.addressSet')}</th>
                  <th scope="col">{t('methods.ownOffered')}</th>
                  <th scope="col">{t('methods.viaGateway')}</th>
                  <th scope="col">{t('methods.watcher')}</th>
                </tr>
              </thead>
              <tbody>
                {m.coins.map((c) => (
                  <tr key={c.coin}>
                    <th scope="row">
                      <bdi>{c.coin}</bdi>
                    </th>
                    <td>{yesNo(c.address_set)}</td>
                    <td>{yesNo(c.own_address_offered)}</td>
                    <td>{c.gateway ?? '—'}</td>
                    <td>
                      {c.watch_setting ? (
                        <>
                          {c.watched ? t('methods.watched') : t('methods.byHand')} (<code dir="ltr">{c.watch_setting}</code>)
                        </>
                      ) : (
                        t('methods.byHand')
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

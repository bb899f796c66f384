import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

type State = NonNullable<NonNullable<operations['adminListUpstreamOrders']['parameters']['query']>['state']>;
// Every state the API filters by; `satisfies` keeps the list in step with the generated types.
const STATES = ['stuck', 'new', 'sending', 'pending', 'delivered', 'failed', 'cancelled'] as const satisfies readonly State[];
const isState = (value: string | null): value is State => (STATES as readonly string[]).includes(value ?? '');

/** GET /admin/api/upstream-orders (stuck ones first: they wait for a person) and POST …/{id}/resolve after a person checked the provider's panel. */
export function UpstreamOrdersPage() {
  const { t } = useTranslation('providers');
  const id = useId();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const raw = params.get('state');
  const state: State | undefined = raw === 'all' ? undefined : isState(raw) ? raw : 'stuck';
  const [resolving, setResolving] = useState<string | null>(null);
  const orders = useQuery({
    queryKey: ['console', 'upstream-orders', state ?? 'all'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/upstream-orders', { params: { query: { state, limit: 200 } } });
      if (error) throw error;
      return data.upstream_orders;
    },
  });
  const resolve = useMutation({
    mutationFn: async (orderId: string) => {
      const { data, error } = await adminApi.POST('/admin/api/upstream-orders/{id}/resolve', { params: { path: { id: orderId } }, body: { outcome: 'not_bought' } });
      if (error) throw error;
      return data.upstream_order;
    },
    onSettled: () => {
      setResolving(null);
      void client.invalidateQueries({ queryKey: ['console', 'upstream-orders'] });
    },
  });
  const rows = orders.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('orders.title')}</h3>
      <p>{t('orders.explain')}</p>
      <div className="filters">
        <label htmlFor={`${id}-state`}>{t('orders.state')}</label>
        <select id={`${id}-state`} value={state ?? 'all'} onChange={(event) => setParams({ state: event.target.value })}>
          <option value="all">{t('orders.all')}</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t(`orders.states.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {orders.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={orders.error} />
      <Problem error={resolve.error} />
      {resolve.isSuccess && <p role="status">{t('orders.resolved')}</p>}
      {orders.isSuccess && rows.length === 0 && <p>{t('orders.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('orders.order')}</th>
                <th scope="col">{t('orders.provider')}</th>
                <th scope="col">{t('orders.state')}</th>
                <th scope="col">{t('orders.upstreamId')}</th>
                <th scope="col">{t('list.lastError')}</th>
                <th scope="col">{t('orders.updated')}</th>
                <th scope="col">{t('orders.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.order_id} className={o.state === 'stuck' ? 'attention' : undefined}>
                  <th scope="row">
                    <Link to={`/orders/${encodeURIComponent(o.order_id)}`}>
                      <bdi dir="ltr">{o.order_id}</bdi>
                    </Link>
                  </th>
                  <td>
                    <Link to={`/providers/${o.provider_id}`}>#{o.provider_id}</Link> <bdi dir="ltr">{o.upstream_ref}</bdi>
                  </td>
                  <td>{isState(o.state) ? t(`orders.states.${o.state}`) : o.state}</td>
                  <td>
                    <bdi dir="ltr">{o.upstream_order_id ?? '—'}</bdi>
                  </td>
                  <td>{o.last_error ?? '—'}</td>
                  <td>
                    <time dateTime={o.updated_at}>{o.updated_at}</time>
                  </td>
                  <td>
                    {o.state === 'stuck' &&
                      (resolving === o.order_id ? (
                        <span role="group" aria-label={t('orders.confirmResolve')}>
                          {t('orders.confirmResolve')}{' '}
                          <button type="button" onClick={() => resolve.mutate(o.order_id)} disabled={resolve.isPending}>
                            {t('orders.yesNotBought')}
                          </button>{' '}
                          <button type="button" className="secondary" onClick={() => setResolving(null)}>
                            {t('orders.cancel')}
                          </button>
                        </span>
                      ) : (
                        <button type="button" className="secondary" onClick={() => setResolving(o.order_id)}>
                          {t('orders.resolve')}
                        </button>
                      ))}
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

import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, errorMessage } from '../../api/clients';
import type { operations } from '../../api/schema';

type Status = NonNullable<NonNullable<operations['adminListOrders']['parameters']['query']>['status']>;
// Every status the API filters by; `satisfies` keeps the list in step with the generated types.
const STATUSES = ['awaiting_payment', 'queued', 'processing', 'review', 'fulfilled', 'rejected', 'cancelled', 'expired', 'refunded'] as const satisfies readonly Status[];
const isStatus = (value: string | null): value is Status => (STATUSES as readonly string[]).includes(value ?? '');

/** GET /admin/api/orders, newest first, filtered by status (kept in the URL), a page at a time. */
export function OrdersPage() {
  const { t } = useTranslation('orders');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = isStatus(raw) ? raw : undefined;
  const orders = useInfiniteQuery({
    queryKey: ['console', 'orders', status ?? 'all'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/orders', { params: { query: { status, cursor: pageParam, limit: 50 } } });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const rows = orders.data?.pages.flatMap((page) => page.orders) ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('status')}</label>
        <select id={`${id}-status`} value={status ?? ''} onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}>
          <option value="">{t('all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {orders.isPending && <p>{t('translation:common.loading')}</p>}
      {orders.isError && <p className="error" role="alert">{t('translation:common.error', { message: errorMessage(orders.error) })}</p>}
      {orders.isSuccess && rows.length === 0 && <p>{t('none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('number')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('quantity')}</th>
                <th scope="col">{t('amount')}</th>
                <th scope="col">{t('account')}</th>
                <th scope="col">{t('created')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => (
                <tr key={order.order_id}>
                  <td>
                    <Link to={`/orders/${encodeURIComponent(order.order_id)}`}>
                      <bdi>{order.number}</bdi>
                    </Link>
                  </td>
                  <td>{order.status}</td>
                  <td>{order.quantity}</td>
                  <td>
                    <bdi>
                      {order.amount} {order.currency}
                    </bdi>
                  </td>
                  <td>{order.account_id}</td>
                  <td>
                    <time dateTime={order.created_at}>{order.created_at}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {orders.hasNextPage && (
        <p>
          <button type="button" onClick={() => void orders.fetchNextPage()} disabled={orders.isFetchingNextPage}>
            {t('more')}
          </button>
        </p>
      )}
    </section>
  );
}

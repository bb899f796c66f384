import { useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { Problem } from '../Problem';
import { formatAmount } from '../format';

type Status = NonNullable<NonNullable<operations['adminListOrders']['parameters']['query']>['status']>;
// Every status the API filters by; `satisfies` keeps the list in step with the generated types.
export const STATUSES = ['awaiting_payment', 'queued', 'processing', 'review', 'fulfilled', 'rejected', 'cancelled', 'expired', 'refunded'] as const satisfies readonly Status[];
const isStatus = (value: string | null): value is Status => (STATUSES as readonly string[]).includes(value ?? '');
const isDay = (value: string | null): value is string => /^\d{4}-\d\d-\d\d$/.test(value ?? '');

/** The start of the day after `day` (yyyy-MM-dd), as the API's exclusive created_to: "to" includes its whole day. */
function dayAfter(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 19)}Z`;
}

/** The filters as kept in the URL (so a filtered list can be linked to and survives a reload). */
function filtersOf(params: URLSearchParams) {
  const status = params.get('status');
  const account = Number(params.get('account'));
  const from = params.get('from');
  const to = params.get('to');
  return {
    status: isStatus(status) ? status : undefined,
    q: params.get('q')?.trim() || undefined,
    account: Number.isInteger(account) && account > 0 ? account : undefined,
    from: isDay(from) ? from : undefined,
    to: isDay(to) ? to : undefined,
  };
}

/** GET /admin/api/orders, newest first: searched by number or e-mail, filtered by status, account and dates, a page at a time. */
export function OrdersPage() {
  const { t } = useTranslation('orders');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  // The form's fields, applied to the URL when it is submitted.
  const [draft, setDraft] = useState({ q: filters.q ?? '', account: filters.account ? String(filters.account) : '', from: filters.from ?? '', to: filters.to ?? '' });
  const orders = useInfiniteQuery({
    queryKey: ['console', 'orders', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/orders', {
        params: {
          query: {
            status: filters.status,
            q: filters.q,
            account: filters.account,
            created_from: filters.from ? `${filters.from}T00:00:00Z` : undefined,
            created_to: filters.to ? dayAfter(filters.to) : undefined,
            cursor: pageParam,
            limit: 50,
          },
        },
      });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const rows = orders.data?.pages.flatMap((page) => page.orders) ?? [];
  const apply = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value.trim()) next.set(key, value.trim());
      else next.delete(key);
    }
    setParams(next);
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const field = (name: keyof typeof draft) => ({ id: `${id}-${name}`, value: draft[name], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }) });
  return (
    <section>
      <h2>{t('title')}</h2>
      <form className="filters" role="search" onSubmit={search}>
        <label htmlFor={`${id}-q`}>{t('search.q')}</label>
        <input type="search" {...field('q')} maxLength={200} />
        <label htmlFor={`${id}-account`}>{t('search.account')}</label>
        <input type="number" min={1} inputMode="numeric" {...field('account')} className="narrow" />
        <label htmlFor={`${id}-from`}>{t('search.from')}</label>
        <input type="date" {...field('from')} />
        <label htmlFor={`${id}-to`}>{t('search.to')}</label>
        <input type="date" {...field('to')} />
        <button type="submit">{t('search.submit')}</button>
      </form>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('status')}</label>
        <select id={`${id}-status`} value={filters.status ?? ''} onChange={(event) => apply({ status: event.target.value })}>
          <option value="">{t('all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {orders.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={orders.error} />
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
                  <th scope="row">
                    <Link to={`/orders/${encodeURIComponent(order.order_id)}`}>
                      <bdi>{order.number}</bdi>
                    </Link>
                  </th>
                  <td>{t(`statuses.${order.status}`, { defaultValue: order.status })}</td>
                  <td>{order.quantity}</td>
                  <td>
                    <bdi>
                      {formatAmount(order.amount, order.currency)}
                    </bdi>
                  </td>
                  <td>{order.account_id}</td>
                  <td>
                    <time dir="ltr" dateTime={order.created_at}>{order.created_at}</time>
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

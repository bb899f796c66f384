import { useId, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { ApiError } from './ApiError';
import { keys, type Product } from './queries';
import { StockUpload } from './StockUpload';

type StockStatus = NonNullable<NonNullable<operations['adminGetStock']['parameters']['query']>['status']>;
const STATUSES = ['available', 'reserved', 'sold', 'void'] as const satisfies readonly StockStatus[];
const COUNTED = ['available', 'reserved', 'sold', 'void'] as const;

/** A stock product's counts by status, the upload, and its codes (masked by the API) page by page, each available one voidable. */
export function StockPanel({ product }: { product: Product }) {
  const { t } = useTranslation('catalog');
  const id = useId();
  const client = useQueryClient();
  const ref = product.code;
  const [status, setStatus] = useState<StockStatus | ''>('');
  const stock = useInfiniteQuery({
    queryKey: [...keys.stock(ref), status],
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/products/{ref}/stock', { params: { path: { ref }, query: { status: status || undefined, after: pageParam, limit: 100 } } });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_after ?? undefined,
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: keys.stock(ref) });
    void client.invalidateQueries({ queryKey: keys.products });
  };
  const voidItem = useMutation({
    mutationFn: async (itemId: number) => {
      const { error } = await adminApi.POST('/admin/api/stock/{id}/void', { params: { path: { id: itemId } } });
      if (error) throw error;
    },
    onSettled: refresh,
  });
  const counts = stock.data?.pages[0]?.counts;
  const items = stock.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="stock" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('stock.title')}</h3>
      {stock.isError && <ApiError error={stock.error} />}
      {counts && (
        <ul className="stock-counts" aria-label={t('stock.counts')}>
          {COUNTED.map((s) => (
            <li key={s}>{t(`stock.count.${s}`, { count: counts[s] })}</li>
          ))}
        </ul>
      )}
      <StockUpload productRef={ref} onUploaded={refresh} />
      <h3>{t('stock.items')}</h3>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('stock.status')}</label>
        <select id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value as StockStatus | '')}>
          <option value="">{t('all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`stock.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {voidItem.isError && <ApiError error={voidItem.error} />}
      {stock.isPending && <p>{t('translation:common.loading')}</p>}
      {stock.isSuccess && items.length === 0 && <p>{t('stock.none')}</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('stock.code')}</th>
                <th scope="col">{t('stock.status')}</th>
                <th scope="col">{t('stock.batch')}</th>
                <th scope="col">{t('stock.order')}</th>
                <th scope="col">{t('stock.added_at')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('stock.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td className="codes" dir="ltr">
                    {item.code}
                  </td>
                  <td>{t(`stock.state.${item.status}`, { defaultValue: item.status })}</td>
                  <td>{item.batch ? <bdi>{item.batch}</bdi> : '—'}</td>
                  <td>{item.order_id ? <bdi>{item.order_id}</bdi> : '—'}</td>
                  <td>
                    <time dateTime={item.created_at}>{item.created_at}</time>
                  </td>
                  <td>
                    {item.status === 'available' && (
                      <button
                        type="button"
                        className="secondary"
                        disabled={voidItem.isPending}
                        aria-label={t('stock.voidCode', { code: item.code })}
                        onClick={() => window.confirm(t('stock.voidConfirm', { code: item.code })) && voidItem.mutate(item.id)}
                      >
                        {t('stock.void')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {stock.hasNextPage && (
        <p>
          <button type="button" onClick={() => void stock.fetchNextPage()} disabled={stock.isFetchingNextPage}>
            {t('more')}
          </button>
        </p>
      )}
    </section>
  );
}

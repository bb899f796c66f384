// GET /admin/api/accounts/{id}/ledger: newest first, a page at a time, of every wallet or one currency's.
import { useId, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';
import type { Account } from '../accounts/account';

export function Ledger({ account, currencies }: { account: Account; currencies: string[] }) {
  const { t } = useTranslation('wallets');
  const id = useId();
  const [currency, setCurrency] = useState('');
  const ledger = useInfiniteQuery({
    queryKey: ['console', 'account', account.id, 'ledger', currency || 'all'],
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/accounts/{id}/ledger', {
        params: { path: { id: account.id }, query: { before: pageParam, limit: 50, ...(currency ? { currency } : {}) } },
      });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_before ?? undefined,
  });
  const rows = ledger.data?.pages.flatMap((page) => page.entries) ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('ledger.title')}</h3>
      <div className="filters">
        <label htmlFor={`${id}-currency`}>{t('ledger.showCurrency')}</label>
        <select id={`${id}-currency`} value={currency} onChange={(event) => setCurrency(event.target.value)}>
          <option value="">{t('ledger.all')}</option>
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      {ledger.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={ledger.error} />
      {ledger.isSuccess && rows.length === 0 && <p>{t('ledger.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-labelledby={`${id}-title`}>
            <thead>
              <tr>
                <th scope="col">{t('ledger.at')}</th>
                <th scope="col">{t('ledger.kind')}</th>
                <th scope="col">{t('amount')}</th>
                <th scope="col">{t('ledger.balanceAfter')}</th>
                <th scope="col">{t('reason')}</th>
                <th scope="col">{t('ledger.reference')}</th>
                <th scope="col">{t('ledger.actor')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row">
                    <time dateTime={entry.created_at}>{entry.created_at}</time>
                  </th>
                  <td>{t(`ledger.kinds.${entry.kind}`, { defaultValue: entry.kind })}</td>
                  <td>
                    <bdi>
                      {entry.amount} {entry.currency}
                    </bdi>
                  </td>
                  <td>
                    <bdi>
                      {entry.balance_after} {entry.currency}
                    </bdi>
                  </td>
                  <td>
                    <bdi>{entry.memo ?? '—'}</bdi>
                  </td>
                  <td>
                    <bdi>{entry.reference ?? '—'}</bdi>
                  </td>
                  <td>
                    <bdi>{entry.actor ?? '—'}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ledger.hasNextPage && (
        <p>
          <button type="button" className="secondary" onClick={() => void ledger.fetchNextPage()} disabled={ledger.isFetchingNextPage}>
            {t('ledger.more')}
          </button>
        </p>
      )}
    </section>
  );
}

// /accounts/:id/wallets: the account's wallets (balance, what orders hold, credit limit), a top-up,
// an adjustment that says why, and the ledger a page at a time. Amounts go to the API as typed.
import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { AccountFrame } from '../accounts/AccountFrame';
import { Problem } from '../Problem';
import type { Account } from '../accounts/account';
import { formatAmount } from '../format';
import { Ledger } from './Ledger';
import { MoveMoney } from './MoveMoney';

export function WalletsPage() {
  return <AccountFrame>{(account) => <Wallets account={account} />}</AccountFrame>;
}

/** The query key of an account's wallets, which every change of money refreshes. */
export const walletsKey = (accountId: number) => ['console', 'account', accountId, 'wallets'];

function Wallets({ account }: { account: Account }) {
  const { t } = useTranslation('wallets');
  const id = useId();
  const wallets = useQuery({
    queryKey: walletsKey(account.id),
    queryFn: async () => {
      // Only the wallets: the ledger is paged by its own endpoint below.
      const { data, error } = await adminApi.GET('/admin/api/accounts/{id}/wallets', { params: { path: { id: account.id }, query: { limit: 1 } } });
      if (error) throw error;
      return data.wallets;
    },
  });
  const currencies = [...new Set([account.currency, ...(wallets.data ?? []).map((w) => w.currency)])];
  return (
    <>
      <section className="card" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>{t('title')}</h3>
        {wallets.isPending && <p>{t('translation:common.loading')}</p>}
        <Problem error={wallets.error} />
        {wallets.isSuccess && wallets.data.length === 0 && <p>{t('none')}</p>}
        {wallets.data && wallets.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="acc-hidden">{t('title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('currency')}</th>
                  <th scope="col">{t('balance')}</th>
                  <th scope="col">{t('held')}</th>
                  <th scope="col">{t('creditLimit')}</th>
                  <th scope="col">{t('available')}</th>
                  <th scope="col">{t('updated')}</th>
                </tr>
              </thead>
              <tbody>
                {wallets.data.map((w) => (
                  <tr key={w.currency}>
                    <th scope="row">
                      <bdi>{w.currency}</bdi>
                    </th>
                    <td data-testid={`balance-${w.currency}`}>
                      <bdi>{formatAmount(w.balance, w.currency)}</bdi>
                    </td>
                    <td>
                      <bdi>{formatAmount(w.held, w.currency)}</bdi>
                    </td>
                    <td>
                      <bdi>{formatAmount(w.credit_limit, w.currency)}</bdi>
                    </td>
                    <td>
                      <bdi>{formatAmount(w.available, w.currency)}</bdi>
                    </td>
                    <td>
                      <time dateTime={w.updated_at}>{w.updated_at}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div className="acc-columns">
        <MoveMoney account={account} mode="topup" />
        <MoveMoney account={account} mode="adjust" />
      </div>
      <Ledger account={account} currencies={currencies} />
    </>
  );
}

import type { ReactNode } from 'react';
import { Link, NavLink, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Problem } from '../Problem';
import { useAccount, type Account } from './account';

/** The account's id from the route (/accounts/:id/…). */
export function useAccountId(): number {
  const { id = '' } = useParams();
  return Number(id);
}

/** The heading of an account's pages and the links between them; renders `children` with the account once it is read. */
export function AccountFrame({ children }: { children: (account: Account) => ReactNode }) {
  const { t } = useTranslation('accounts');
  const id = useAccountId();
  const account = useAccount(id);
  const base = `/accounts/${id}`;
  return (
    <article className="acc-area">
      <p>
        <Link to="/accounts">{t('translation:common.back')}</Link>
      </p>
      {account.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={account.error} />
      {account.data && (
        <>
          <h2>
            <bdi>{account.data.name}</bdi> <small>({t(`kinds.${account.data.kind}`, { defaultValue: account.data.kind })})</small>
          </h2>
          <nav className="acc-tabs" aria-label={t('tabs.label')}>
            <NavLink to={base} end>
              {t('tabs.settings')}
            </NavLink>
            <NavLink to={`${base}/keys`}>{t('tabs.keys')}</NavLink>
            <NavLink to={`${base}/wallets`}>{t('tabs.wallets')}</NavLink>
            <NavLink to={`${base}/webhooks`}>{t('tabs.webhooks')}</NavLink>
          </nav>
          {children(account.data)}
        </>
      )}
    </article>
  );
}

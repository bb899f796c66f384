import { Suspense } from 'react';
import { Link, Outlet, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../LanguageSwitcher';
import { setCustomerToken, useCustomerToken } from './session';
import { Loading } from './Loading';

export function ShopLayout() {
  const { t } = useTranslation();
  const token = useCustomerToken();
  const navigate = useNavigate();
  const queries = useQueryClient();
  // The token is a bearer token kept in this tab: logging out forgets it and every customer answer.
  const logOut = () => {
    setCustomerToken(null);
    queries.removeQueries({ queryKey: ['shop', 'me'] });
    queries.removeQueries({ queryKey: ['shop', 'topup'] });
    void navigate('/');
  };
  return (
    <>
      <header className="bar">
        <h1>
          <Link to="/">{t('shop.title')}</Link>
        </h1>
        <nav aria-label={t('shop.title')} className="shop-nav">
          <Link to="/">{t('shop.nav.products')}</Link>
          <Link to="/orders/lookup">{t('shop.nav.lookup')}</Link>
          {token ? (
            <>
              <Link to="/account">{t('shop.nav.account')}</Link>
              <button type="button" className="secondary" onClick={logOut}>
                {t('shop.account.logOut')}
              </button>
            </>
          ) : (
            <>
              <Link to="/account/login">{t('shop.account.logIn')}</Link>
              <Link to="/account/signup">{t('shop.account.signUp')}</Link>
            </>
          )}
        </nav>
        <LanguageSwitcher />
      </header>
      <main>
        {/* Inside the layout, so the header stays while a lazily loaded page arrives. */}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}

import { Link, Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../LanguageSwitcher';

export function ShopLayout() {
  const { t } = useTranslation();
  return (
    <>
      <header className="bar">
        <h1>
          <Link to="/">{t('shop.title')}</Link>
        </h1>
        <nav aria-label={t('shop.title')}>
          <Link to="/">{t('shop.nav.products')}</Link>
          <Link to="/orders/lookup">{t('shop.nav.lookup')}</Link>
        </nav>
        <LanguageSwitcher />
      </header>
      <main>
        <Outlet />
      </main>
    </>
  );
}

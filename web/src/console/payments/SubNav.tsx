import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';

/** The payments area's pages: invoices and payments, methods, receiving addresses. */
export function SubNav() {
  const { t } = useTranslation('payments');
  return (
    <nav className="subnav" aria-label={t('nav')}>
      <NavLink to="/payments" end>
        {t('list.tab')}
      </NavLink>
      <NavLink to="/payments/methods">{t('methods.tab')}</NavLink>
      <NavLink to="/payments/addresses">{t('addresses.tab')}</NavLink>
    </nav>
  );
}

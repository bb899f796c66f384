import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';

/** The providers area's pages: providers, orders forwarded to them, failed API calls. */
export function SubNav() {
  const { t } = useTranslation('providers');
  return (
    <nav className="subnav" aria-label={t('nav')}>
      <NavLink to="/providers" end>
        {t('list.tab')}
      </NavLink>
      <NavLink to="/providers/upstream-orders">{t('orders.tab')}</NavLink>
      <NavLink to="/providers/failures">{t('failures.tab')}</NavLink>
    </nav>
  );
}

import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';

/** The settings area's pages; each has one form, so its Save button is unambiguous. */
export function SubNav() {
  const { t } = useTranslation('settings');
  return (
    <nav className="subnav" aria-label={t('nav')}>
      <NavLink to="/settings" end>
        {t('general.tab')}
      </NavLink>
      <NavLink to="/settings/fx-rates">{t('fx.tab')}</NavLink>
      <NavLink to="/settings/mail">{t('mail.tab')}</NavLink>
    </nav>
  );
}

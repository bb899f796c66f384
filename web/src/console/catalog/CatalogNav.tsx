import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';

/** The catalog's own pages: products, categories and types, price tiers. */
export function CatalogNav() {
  const { t } = useTranslation('catalog');
  return (
    <nav className="subnav" aria-label={t('nav')}>
      <NavLink to="/catalog" end>
        {t('products.title')}
      </NavLink>
      <NavLink to="/catalog/categories">{t('categories.title')}</NavLink>
      <NavLink to="/catalog/price-tiers">{t('tiers.title')}</NavLink>
    </nav>
  );
}

import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/clients';
import { useProductName, useProducts } from './products';

export function ProductGrid() {
  const { t } = useTranslation();
  const products = useProducts();
  const nameOf = useProductName();
  const [search, setSearch] = useState('');
  const searchId = useId();
  const needle = search.trim().toLowerCase();
  const shown = (products.data ?? []).filter((p) => needle === '' || [p.name_en, p.name_zh, p.slug].some((text) => text.toLowerCase().includes(needle)));
  return (
    <section aria-labelledby={`${searchId}-title`}>
      <h2 id={`${searchId}-title`}>{t('shop.nav.products')}</h2>
      <div className="filters" role="search">
        <label htmlFor={searchId}>{t('shop.search')}</label>
        <input id={searchId} type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      </div>
      {products.isPending && <p>{t('common.loading')}</p>}
      {products.isError && <p className="error" role="alert">{t('common.error', { message: errorMessage(products.error) })}</p>}
      {products.isSuccess && shown.length === 0 && <p>{t('shop.noProducts')}</p>}
      <ul className="grid">
        {shown.map((product) => (
          <li key={product.id} className="card">
            <h3>
              <Link to={`/products/${encodeURIComponent(product.slug || product.id)}`}>{nameOf(product)}</Link>
            </h3>
            <p>
              {t('shop.price')}: <bdi>{product.price}</bdi>
            </p>
            <p>{t('shop.stock', { count: product.stock })}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

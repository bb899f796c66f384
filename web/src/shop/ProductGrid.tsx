import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './errors';
import { groupByCategory, useCategories, useCategoryName, useProductName, useProducts, useShopCurrency, type Product } from './products';

/** The product grid, one section per category (GET /api/categories), filtered by the search box. */
export function ProductGrid() {
  const { t } = useTranslation();
  const products = useProducts();
  const categories = useCategories();
  const nameOf = useProductName();
  const categoryName = useCategoryName();
  const [search, setSearch] = useState('');
  const searchId = useId();
  const needle = search.trim().toLowerCase();
  const shown = (products.data ?? []).filter((p) => needle === '' || [p.name_en, p.name_zh, p.slug].some((text) => text.toLowerCase().includes(needle)));
  // Without categories (the call failed) the grid still shows every product, ungrouped.
  const groups = groupByCategory(shown, categories.data ?? []);
  const grouped = groups.length > 1 || groups[0]?.category != null;
  return (
    <section aria-labelledby={`${searchId}-title`}>
      <h2 id={`${searchId}-title`}>{t('shop.nav.products')}</h2>
      <div className="filters" role="search">
        <label htmlFor={searchId}>{t('shop.search')}</label>
        <input id={searchId} type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      </div>
      {(products.isPending || categories.isPending) && <p>{t('common.loading')}</p>}
      <ErrorAlert error={products.error} />
      {products.isSuccess && shown.length === 0 && <p>{t('shop.noProducts')}</p>}
      {!categories.isPending &&
        groups.map((group) => {
          const title = group.category ? categoryName(group.category) : t('shop.otherProducts');
          const headingId = `${searchId}-${group.category?.id ?? 'other'}`;
          return (
            <section key={group.category?.id ?? 'other'} className="shop-category" aria-labelledby={grouped ? headingId : undefined}>
              {grouped && <h3 id={headingId}>{title}</h3>}
              <ul className="grid">
                {group.products.map((product) => (
                  <ProductCard key={product.id} product={product} name={nameOf(product)} level={grouped ? 'h4' : 'h3'} />
                ))}
              </ul>
            </section>
          );
        })}
    </section>
  );
}

/** One product in the grid; its heading sits one level under its category's (or the grid's). */
function ProductCard({ product, name, level: Heading }: { product: Product; name: string; level: 'h3' | 'h4' }) {
  const { t } = useTranslation();
  const currency = useShopCurrency();
  return (
    <li className="card">
      <Heading className="shop-product-name">
        <Link to={`/products/${encodeURIComponent(product.slug || product.id)}`}>{name}</Link>
      </Heading>
      <p>
        {t('shop.price')}: <bdi>{`${product.price} ${currency}`.trim()}</bdi>
      </p>
      <p>{product.stock > 0 ? t('shop.stock', { count: product.stock }) : t('shop.soldOut')}</p>
    </li>
  );
}

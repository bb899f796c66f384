import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from './ApiError';
import { CatalogNav } from './CatalogNav';
import { nameIn, useProducts } from './queries';
import { formatAmount } from '../format';

const STATUSES = ['active', 'inactive', 'archived'] as const;

/** GET /admin/api/products: every product with its price, status, delivery and stock. */
export function ProductsPage() {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const [status, setStatus] = useState('');
  const products = useProducts();
  const rows = (products.data ?? []).filter((p) => !status || p.status === status);
  return (
    <section>
      <h2>{t('title')}</h2>
      <CatalogNav />
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('product.status')}</label>
        <select id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">{t('all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
        <Link className="button" to="/catalog/new">
          {t('products.new')}
        </Link>
      </div>
      {products.isPending && <p>{t('translation:common.loading')}</p>}
      {products.isError && <ApiError error={products.error} />}
      {products.isSuccess && rows.length === 0 && <p>{t('products.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('product.code')}</th>
                <th scope="col">{t('product.name')}</th>
                <th scope="col">{t('product.price')}</th>
                <th scope="col">{t('product.status')}</th>
                <th scope="col">{t('product.fulfillment')}</th>
                <th scope="col">{t('products.stock')}</th>
                <th scope="col">{t('product.category')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((product) => (
                <tr key={product.id}>
                  <td>
                    <Link to={`/catalog/products/${encodeURIComponent(product.code)}`}>
                      <bdi className="nowrap">{product.code}</bdi>
                    </Link>
                  </td>
                  <td>
                    <bdi>{nameIn(product.names, i18n.language)}</bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">
                      {formatAmount(product.price, product.currency)}
                    </bdi>
                  </td>
                  <td>{t(`status.${product.status}`, { defaultValue: product.status })}</td>
                  <td>{t(`fulfillment.${product.fulfillment}`, { defaultValue: product.fulfillment })}</td>
                  <td>{product.fulfillment === 'stock' ? product.stock : '—'}</td>
                  <td>{product.category ? <bdi>{product.category.name}</bdi> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

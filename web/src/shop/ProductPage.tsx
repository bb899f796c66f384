import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../api/clients';
import { ErrorAlert } from './errors';
import { useProductName, useShopCurrency } from './products';
import { Checkout } from './checkout/Checkout';

/** One product (by slug or id) with its checkout form. */
export default function ProductPage() {
  const { t } = useTranslation();
  const { idOrSlug = '' } = useParams();
  const nameOf = useProductName();
  const currency = useShopCurrency();
  const product = useQuery({
    queryKey: ['shop', 'product', idOrSlug],
    queryFn: async () => {
      const { data, error, response } = await shopApi.GET('/api/products/{idOrSlug}', { params: { path: { idOrSlug } } });
      if (response.status === 404) return null;
      if (error) throw error;
      return data.product;
    },
  });
  return (
    <article>
      <p>
        <Link to="/">{t('common.back')}</Link>
      </p>
      {product.isPending && <p>{t('common.loading')}</p>}
      <ErrorAlert error={product.error} />
      {product.data === null && <p>{t('shop.notFound')}</p>}
      {product.data && (
        <div className="shop-product">
          <div className="card">
            <h2>{nameOf(product.data)}</h2>
            <p>
              {t('shop.price')}: <bdi>{`${product.data.price} ${currency}`.trim()}</bdi>
            </p>
            <p>{product.data.stock > 0 ? t('shop.stock', { count: product.data.stock }) : t('shop.soldOut')}</p>
            <p>{t('shop.minQuantity', { count: product.data.min_quantity })}</p>
          </div>
          <Checkout product={product.data} />
        </div>
      )}
    </article>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { ApiError } from './ApiError';
import { CatalogNav } from './CatalogNav';
import { ProductForm } from './ProductForm';
import { changesBetween, valuesOf, type ProductValues } from './product-values';
import { keys, nameIn, useProduct, type Product } from './queries';
import { StockPanel } from './StockPanel';

/** One product: its form (PATCH sends only what changed), archiving, and its stock when it is sold from stock. */
export function ProductPage() {
  const { t, i18n } = useTranslation('catalog');
  const { ref = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const product = useProduct(ref);
  const saved = (next: Product) => {
    client.setQueryData(keys.product(next.code), next);
    void client.invalidateQueries({ queryKey: keys.products, exact: true });
    if (next.code !== ref) void navigate(`/catalog/products/${encodeURIComponent(next.code)}`, { replace: true });
  };
  const update = useMutation({
    mutationFn: async ({ before, after }: { before: ProductValues; after: ProductValues }) => {
      const { data, error } = await adminApi.PATCH('/admin/api/products/{ref}', { params: { path: { ref } }, body: changesBetween(before, after) });
      if (error) throw error;
      return data.product;
    },
    onSuccess: saved,
  });
  const archive = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.DELETE('/admin/api/products/{ref}', { params: { path: { ref } } });
      if (error) throw error;
      return data.product;
    },
    onSuccess: saved,
  });
  const p = product.data;
  const created = (location.state as { created?: boolean } | null)?.created === true;
  return (
    <section>
      <CatalogNav />
      <p>
        <Link to="/catalog">{t('translation:common.back')}</Link>
      </p>
      {product.isPending && <p>{t('translation:common.loading')}</p>}
      {product.isError && <ApiError error={product.error} />}
      {p && (
        <>
          <h2>
            <bdi>{nameIn(p.names, i18n.language)}</bdi> (<bdi dir="ltr">{p.code}</bdi>)
          </h2>
          {created && <p role="status">{t('products.created')}</p>}
          {p.fulfillment === 'stock' ? <StockPanel product={p} /> : <p>{t('stock.notStock')}</p>}
          <h3>{t('products.edit')}</h3>
          <ProductForm
            key={`${p.id}-${p.updated_at}`}
            initial={valuesOf(p)}
            submitLabel={t('products.save')}
            pending={update.isPending}
            error={update.error}
            onSubmit={(after) => update.mutate({ before: valuesOf(p), after })}
            notice={update.isSuccess && <p role="status">{t('products.saved')}</p>}
          />
          {p.status !== 'archived' && (
            <p>
              <button type="button" className="secondary" disabled={archive.isPending} onClick={() => window.confirm(t('products.archiveConfirm')) && archive.mutate()}>
                {t('products.archive')}
              </button>
            </p>
          )}
          {archive.isError && <ApiError error={archive.error} />}
        </>
      )}
    </section>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { CatalogNav } from './CatalogNav';
import { ProductForm } from './ProductForm';
import { blankValues, createBody, type ProductValues } from './product-values';
import { keys } from './queries';

/** POST /admin/api/products, then on to the new product's page (where its stock is uploaded). */
export function NewProductPage() {
  const { t } = useTranslation('catalog');
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: async (values: ProductValues) => {
      const { data, error } = await adminApi.POST('/admin/api/products', { body: createBody(values) });
      if (error) throw error;
      return data.product;
    },
    onSuccess: (product) => {
      client.setQueryData(keys.product(product.code), product);
      void client.invalidateQueries({ queryKey: keys.products, exact: true });
      void navigate(`/catalog/products/${encodeURIComponent(product.code)}`, { state: { created: true } });
    },
  });
  return (
    <section>
      <h2>{t('products.newTitle')}</h2>
      <CatalogNav />
      <p>
        <Link to="/catalog">{t('translation:common.back')}</Link>
      </p>
      <ProductForm initial={blankValues()} submitLabel={t('products.create')} pending={create.isPending} error={create.error} onSubmit={(values) => create.mutate(values)} />
    </section>
  );
}

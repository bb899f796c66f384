import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { shopApi, type Schemas } from '../api/clients';

export type Product = Schemas['ShopProduct'];

/** The product's name in the reader's language: Chinese for zh, English otherwise (seed 004 has both). */
export function useProductName(): (product: Product) => string {
  const { i18n } = useTranslation();
  return (product) => (i18n.resolvedLanguage === 'zh' ? product.name_zh : product.name_en);
}

/** GET /api/products. */
export function useProducts() {
  return useQuery({
    queryKey: ['shop', 'products'],
    queryFn: async () => {
      const { data, error } = await shopApi.GET('/api/products');
      if (error) throw error;
      return data.products;
    },
  });
}

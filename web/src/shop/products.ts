import { useTranslation } from 'react-i18next';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { shopApi, type Schemas } from '../api/clients';

export type Product = Schemas['ShopProduct'];
export type Category = Schemas['ShopCategory'];

/** The product's name in the reader's language: Chinese for zh, English otherwise (seed 004 has both). */
export function useProductName(): (product: Product) => string {
  const { i18n } = useTranslation();
  return (product) => (i18n.resolvedLanguage === 'zh' ? product.name_zh : product.name_en);
}

/** The category's name in the reader's language (the API falls back to English). */
export function useCategoryName(): (category: Category) => string {
  const { i18n } = useTranslation();
  return (category) => {
    const language = i18n.resolvedLanguage;
    return language === 'zh' ? category.name_zh : language === 'ar' ? category.name_ar : category.name_en;
  };
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

// GET /api/categories (a Souk extension) answers the categories and the shop's currency, which
// seed 004's product answers leave unnamed; both hooks read the one cached answer.
const categoriesQuery = queryOptions({
  queryKey: ['shop', 'categories'],
  queryFn: async () => {
    const { data, error } = await shopApi.GET('/api/categories');
    if (error) throw error;
    return data;
  },
});

/** The categories in order, each naming its products' ids. */
export function useCategories() {
  return useQuery({ ...categoriesQuery, select: (data) => data.categories });
}

/** The shop's currency, in which the products are priced ('' until it is known). */
export function useShopCurrency(): string {
  return useQuery({ ...categoriesQuery, select: (data) => data.currency }).data ?? '';
}

export interface ProductGroup {
  /** null: the products in no category (or whose category is not listed). */
  category: Category | null;
  products: Product[];
}

/** Products grouped by their category, in the categories' order; empty groups left out, uncategorised last. */
export function groupByCategory(products: Product[], categories: Category[]): ProductGroup[] {
  const byId = new Map(products.map((product) => [product.id, product]));
  const placed = new Set<string>();
  const groups: ProductGroup[] = [];
  for (const category of categories) {
    const members = category.productIds.flatMap((id) => {
      const product = byId.get(id);
      return product && !placed.has(id) ? [product] : [];
    });
    for (const product of members) placed.add(product.id);
    if (members.length) groups.push({ category, products: members });
  }
  const rest = products.filter((product) => !placed.has(product.id));
  if (rest.length) groups.push({ category: null, products: rest });
  return groups;
}

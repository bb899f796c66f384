// The catalog's reads, shared by its pages: every call is the admin API through the typed client.
import { useQuery } from '@tanstack/react-query';
import { adminApi, type Schemas } from '../../api/clients';

export type Product = Schemas['Product'];
export type Category = Schemas['Category'];
export type CategoryType = Schemas['CategoryType'];

/** Query keys, so a change can refresh exactly what it touched. */
export const keys = {
  products: ['console', 'catalog', 'products'] as const,
  product: (ref: string) => ['console', 'catalog', 'products', ref] as const,
  categories: ['console', 'catalog', 'categories'] as const,
  stock: (ref: string) => ['console', 'catalog', 'stock', ref] as const,
  tiers: ['console', 'catalog', 'price-tiers'] as const,
};

/** GET /admin/api/products: every product, any status. */
export function useProducts() {
  return useQuery({
    queryKey: keys.products,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/products');
      if (error) throw error;
      return data.products;
    },
  });
}

/** GET /admin/api/products/{ref}. */
export function useProduct(ref: string) {
  return useQuery({
    queryKey: keys.product(ref),
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/products/{ref}', { params: { path: { ref } } });
      if (error) throw error;
      return data.product;
    },
  });
}

/** GET /admin/api/categories: every category and every type. */
export function useCategories() {
  return useQuery({
    queryKey: keys.categories,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/categories');
      if (error) throw error;
      return { categories: data.categories, types: data.types };
    },
  });
}

/** The three languages every name and description is asked in. */
export const TEXT_LANGUAGES = ['en', 'ar', 'zh'] as const;
export type TextLanguage = (typeof TEXT_LANGUAGES)[number];

/** Writing direction of a language's input, so Arabic is typed right to left in any console language. */
export const directionOf = (language: TextLanguage) => (language === 'ar' ? 'rtl' : 'ltr');

/** Names in each language as the API wants them: empty ones left out (English is required by the API). */
export function localized(texts: Record<TextLanguage, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(texts).filter(([, text]) => text.trim() !== ''));
}

/** A name in the console's language, English when it has none there. */
export function nameIn(names: Record<string, string>, language: string): string {
  return names[language.split('-')[0] ?? 'en'] ?? names.en ?? '';
}

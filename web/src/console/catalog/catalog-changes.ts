// Helpers shared by the category and type forms.
import { useQueryClient } from '@tanstack/react-query';
import { keys } from './queries';

/** A slug suggested from an English name; the API decides whether it is a good one. */
export const suggestSlug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** Refreshes what a category or type change touches: the categories and the products that show them. */
export function useRefreshCatalog() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: keys.categories });
    void client.invalidateQueries({ queryKey: keys.products });
  };
}

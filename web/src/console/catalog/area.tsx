import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { CategoriesPage } from './CategoriesPage';
import { NewProductPage } from './NewProductPage';
import { PriceTiersPage } from './PriceTiersPage';
import { ProductPage } from './ProductPage';
import { ProductsPage } from './ProductsPage';

export const area: ConsoleArea = {
  order: 30,
  nav: { to: '/catalog', label: 'nav' },
  routes: (
    <>
      <Route path="catalog" element={<ProductsPage />} />
      <Route path="catalog/new" element={<NewProductPage />} />
      <Route path="catalog/products/:ref" element={<ProductPage />} />
      <Route path="catalog/categories" element={<CategoriesPage />} />
      <Route path="catalog/price-tiers" element={<PriceTiersPage />} />
    </>
  ),
};

// The storefront: product grid with search, a product page, order lookup.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '../i18n';
import '../style.css';
import { NotFound } from '../NotFound';
import { ShopLayout } from './ShopLayout';
import { ProductGrid } from './ProductGrid';
import { ProductPage } from './ProductPage';
import { OrderLookup } from './OrderLookup';

const queries = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 30_000 } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <BrowserRouter>
        <Routes>
          <Route element={<ShopLayout />}>
            <Route index element={<ProductGrid />} />
            <Route path="products/:idOrSlug" element={<ProductPage />} />
            <Route path="orders/lookup" element={<OrderLookup />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);

// The storefront: product grid by category with search, product page with checkout, payment step,
// order page, order lookup, customer sign-up, log-in and wallet. Only the grid and the lookup load
// with the page; the rest (and the QR code library) load when first visited, which keeps the
// first-load JavaScript small (npm run web:size).
import { lazy, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '../i18n';
import '../style.css';
import { NotFound } from '../NotFound';
import { ShopLayout } from './ShopLayout';
import { ProductGrid } from './ProductGrid';
import { OrderLookup } from './OrderLookup';

const ProductPage = lazy(() => import('./ProductPage'));
const OrderPage = lazy(() => import('./orders/OrderPage'));
const AuthPage = lazy(() => import('./account/AuthPage'));
const AccountPage = lazy(() => import('./account/AccountPage'));
const TopUpPage = lazy(() => import('./account/TopUpPage'));

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
            <Route path="orders/:id" element={<OrderPage />} />
            <Route path="account" element={<AccountPage />} />
            <Route path="account/signup" element={<AuthPage key="signup" mode="signup" />} />
            <Route path="account/login" element={<AuthPage key="login" mode="login" />} />
            <Route path="account/topups/:id" element={<TopUpPage />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);

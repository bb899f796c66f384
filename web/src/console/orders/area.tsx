import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { OrdersPage } from './OrdersPage';
import { OrderPage } from './OrderPage';

export const area: ConsoleArea = {
  order: 20,
  nav: { to: '/orders', label: 'nav' },
  routes: (
    <>
      <Route path="orders" element={<OrdersPage />} />
      <Route path="orders/:id" element={<OrderPage />} />
    </>
  ),
};

import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { PaymentsPage } from './PaymentsPage';
import { MethodsPage } from './MethodsPage';
import { AddressesPage } from './AddressesPage';

export const area: ConsoleArea = {
  order: 80,
  nav: { to: '/payments', label: 'nav' },
  routes: (
    <>
      <Route path="payments" element={<PaymentsPage />} />
      <Route path="payments/methods" element={<MethodsPage />} />
      <Route path="payments/addresses" element={<AddressesPage />} />
    </>
  ),
};

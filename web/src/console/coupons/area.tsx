import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { CouponsPage } from './CouponsPage';

export const area: ConsoleArea = {
  order: 35,
  nav: { to: '/coupons', label: 'nav' },
  routes: <Route path="coupons" element={<CouponsPage />} />,
};

import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { StoresPage } from './StoresPage';
import { StorePage } from './StorePage';

export const area: ConsoleArea = {
  order: 70,
  nav: { to: '/zid', label: 'nav' },
  routes: (
    <>
      <Route path="zid" element={<StoresPage />} />
      <Route path="zid/:id" element={<StorePage />} />
    </>
  ),
};

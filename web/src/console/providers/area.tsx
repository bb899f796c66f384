import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { ProvidersPage } from './ProvidersPage';
import { ProviderPage } from './ProviderPage';
import { UpstreamOrdersPage } from './UpstreamOrdersPage';
import { FailuresPage } from './FailuresPage';

export const area: ConsoleArea = {
  order: 60,
  nav: { to: '/providers', label: 'nav' },
  routes: (
    <>
      <Route path="providers" element={<ProvidersPage />} />
      <Route path="providers/upstream-orders" element={<UpstreamOrdersPage />} />
      <Route path="providers/failures" element={<FailuresPage />} />
      <Route path="providers/:id" element={<ProviderPage />} />
    </>
  ),
};

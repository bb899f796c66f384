import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { DashboardPage } from './DashboardPage';

// First in the navigation, so the console opens on it.
export const area: ConsoleArea = {
  order: 10,
  nav: { to: '/dashboard', label: 'nav' },
  routes: <Route path="dashboard" element={<DashboardPage />} />,
};

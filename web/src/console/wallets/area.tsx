import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { WalletsPage } from './WalletsPage';

// No navigation link of its own: wallets are reached from an account's pages.
export const area: ConsoleArea = {
  order: 51,
  routes: <Route path="accounts/:id/wallets" element={<WalletsPage />} />,
};

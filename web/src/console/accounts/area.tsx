import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { AccountsPage } from './AccountsPage';
import { AccountPage } from './AccountPage';
import { KeysPage } from './KeysPage';

export const area: ConsoleArea = {
  order: 50,
  nav: { to: '/accounts', label: 'nav' },
  routes: (
    <>
      <Route path="accounts" element={<AccountsPage />} />
      <Route path="accounts/:id" element={<AccountPage />} />
      <Route path="accounts/:id/keys" element={<KeysPage />} />
    </>
  ),
};

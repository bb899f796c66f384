import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { GeneralPage } from './GeneralPage';
import { FxRatesPage } from './FxRatesPage';
import { MailPage } from './MailPage';

export const area: ConsoleArea = {
  order: 90,
  nav: { to: '/settings', label: 'nav' },
  routes: (
    <>
      <Route path="settings" element={<GeneralPage />} />
      <Route path="settings/fx-rates" element={<FxRatesPage />} />
      <Route path="settings/mail" element={<MailPage />} />
    </>
  ),
};

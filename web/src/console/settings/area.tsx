import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { GeneralPage } from './GeneralPage';
import { FxRatesPage } from './FxRatesPage';
import { PriceTiersPage } from './PriceTiersPage';
import { MailPage } from './MailPage';

export const area: ConsoleArea = {
  order: 90,
  nav: { to: '/settings', label: 'nav' },
  routes: (
    <>
      <Route path="settings" element={<GeneralPage />} />
      <Route path="settings/fx-rates" element={<FxRatesPage />} />
      <Route path="settings/price-tiers" element={<PriceTiersPage />} />
      <Route path="settings/mail" element={<MailPage />} />
    </>
  ),
};

import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { TradeInsPage } from './TradeInsPage';

export const area: ConsoleArea = {
  order: 26,
  nav: { to: '/trade-ins', label: 'nav' },
  routes: <Route path="trade-ins" element={<TradeInsPage />} />,
};

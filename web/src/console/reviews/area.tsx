import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { ReviewsPage } from './ReviewsPage';

export const area: ConsoleArea = {
  order: 25,
  nav: { to: '/reviews', label: 'nav' },
  routes: <Route path="reviews" element={<ReviewsPage />} />,
};

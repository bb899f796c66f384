import { Route } from 'react-router';
import type { ConsoleArea } from '../areas';
import { AccountWebhooksPage, AllWebhooksPage } from './WebhooksPage';
import { WebhookPage } from './WebhookPage';

export const area: ConsoleArea = {
  order: 52,
  nav: { to: '/webhooks', label: 'nav' },
  routes: (
    <>
      <Route path="webhooks" element={<AllWebhooksPage />} />
      <Route path="webhooks/:endpointId" element={<WebhookPage />} />
      <Route path="accounts/:id/webhooks" element={<AccountWebhooksPage />} />
    </>
  ),
};

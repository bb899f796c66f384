// Webhook endpoints as the admin API answers them, and the event types an endpoint can ask for.
import type { Schemas } from '../../api/clients';
import type { operations } from '../../api/schema';

export type Endpoint = Schemas['WebhookEndpoint'];
export type EventType = NonNullable<NonNullable<operations['adminCreateWebhook']['requestBody']>['content']['application/json']['events']>[number];

// Every event type the API accepts; `satisfies` keeps the list in step with the generated types.
export const EVENT_TYPES = [
  'order.created',
  'order.status_changed',
  'order.fulfilled',
  'order.cancelled',
  'order.rejected',
  'product.updated',
  'wallet.credited',
  'payout.completed',
  'payout.rejected',
  'webhook.test',
] as const satisfies readonly EventType[];

/** The event types ticked in a form's `events` checkboxes. */
export function checkedEvents(form: FormData): EventType[] {
  const ticked = new Set(form.getAll('events').map(String));
  return EVENT_TYPES.filter((type) => ticked.has(type));
}

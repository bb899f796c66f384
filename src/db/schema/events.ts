// Table types: The outbox and what reads it: feed cursors, webhook endpoints, secrets, deliveries and attempts, stock announcements, order mails.
import type { Generated } from 'kysely';

export interface OutboxEventsTable {
  id: Generated<number>;
  /** The public id (`evt_…`): the `webhook-id` of every delivery and what an ack names. */
  event_id: string;
  type: string;
  /** The owner; null for events every account may see (product updates). */
  account_id: number | null;
  order_id: string | null;
  /** Only this endpoint receives it (test events). */
  endpoint_id: string | null;
  /** The order's own callback URL, which receives the order's events too. */
  callback_url: string | null;
  payload: string;
  /** Set when the worker publishes the event; the polling cursor. */
  position: number | null;
  created_at: string;
}

export interface OutboxCursorsTable {
  consumer: string;
  position: number;
  updated_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: number;
  url: string;
  /** JSON array of event types; empty means every type. */
  events: string;
  include_items: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failure_streak: number;
  /** Set while the circuit breaker is open; left in the past once the pause is over, until a success closes it. */
  paused_until: string | null;
  /** While in the future, the one probe to this paused endpoint is in flight and nothing else is sent to it. */
  probe_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface CallbackSecretsTable {
  account_id: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  event_id: number;
  account_id: number;
  endpoint_id: string | null;
  callback_url: string | null;
  chain: string | null;
  status: 'pending' | 'sending' | 'delivered' | 'acked' | 'dead';
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: string;
}

export interface ProductUpdateMarksTable {
  product_id: number;
  stock_available: number;
  published_at: string;
}

export interface OrderMailsTable {
  id: Generated<number>;
  order_id: string;
  event_id: string;
  recipient: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

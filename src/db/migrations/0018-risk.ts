// Risk review (core/risk scores, core/orders holds for review): an order's score, verdict and
// reasons in words, and until when it may wait for a person; an account's own thresholds and its
// "review every order above this amount"; a product marked high-risk. Every column is nullable
// or defaulted, so orders placed before keep reading as "not scored".
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import { time } from './columns.js';

async function up(tx: Transaction<Database>): Promise<void> {
  const { schema } = tx;
  await schema.alterTable('orders').addColumn('risk_score', 'integer').execute();
  // 'allow' | 'review'; null when the order was not scored (no threshold on for its account).
  await schema.alterTable('orders').addColumn('risk_verdict', 'varchar(10)').execute();
  // JSON: [{rule, points, reason}], each rule that fired, in words.
  await schema.alterTable('orders').addColumn('risk_reasons', 'text').execute();
  // Set while the order waits in review: when the review sweep rejects and refunds it.
  await schema.alterTable('orders').addColumn('review_until', time).execute();
  // The client's IP as the API saw it, for the per-IP velocity rule.
  await schema.alterTable('orders').addColumn('client_ip', 'varchar(64)').execute();
  // The velocity windows count by ULID id, which starts with its creation time.
  await schema.createIndex('orders_client_ip').on('orders').columns(['client_ip', 'id']).execute();
  await sql`create index orders_buyer_email on orders (lower(buyer_email), id)`.execute(tx);
  await tx.schema.createIndex('orders_review_until').on('orders').columns(['status', 'review_until']).execute();
  await schema.alterTable('accounts').addColumn('risk_review_score', 'integer').execute();
  await schema.alterTable('accounts').addColumn('risk_reject_score', 'integer').execute();
  await schema.alterTable('accounts').addColumn('review_above_minor', 'bigint').execute();
  await schema.alterTable('products').addColumn('high_risk', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export const risk: Migration = { name: '0018-risk', up };

// Accounts, users, API keys, the replay guard and the catalog.
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';

type Table = CreateTableBuilder<string, never>;

/** An auto-numbered integer primary key in either dialect. */
function withId(table: Table, dialect: Dialect): Table {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const time = 'varchar(40)';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;

  await withId(schema.createTable('accounts'), dialect)
    .addColumn('kind', 'varchar(20)', notNull)
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('active'))
    .addColumn('rate_limit_per_minute', 'integer')
    .addColumn('credit_limit_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('tier', 'varchar(50)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await withId(schema.createTable('users'), dialect)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('username', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(300)', notNull)
    .addColumn('disabled_at', time)
    .addColumn('created_at', time, notNull)
    .execute();

  await schema
    .createTable('api_keys')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('prefix', 'varchar(40)', notNull)
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', notNull)
    .addColumn('label', 'varchar(200)')
    .addColumn('signing_secret_enc', 'text')
    .addColumn('require_signature', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, notNull)
    .addColumn('last_used_at', time)
    .addColumn('revoked_at', time)
    .execute();
  await schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();
  await schema.createIndex('api_keys_account').on('api_keys').column('account_id').execute();

  await schema
    .createTable('seen_signatures')
    .addColumn('key_id', 'varchar(40)', notNull)
    .addColumn('signature', 'varchar(128)', notNull)
    .addColumn('timestamp', 'bigint', notNull)
    .addColumn('seen_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('seen_signatures_pk', ['key_id', 'signature', 'timestamp'])
    .execute();
  await schema.createIndex('seen_signatures_seen_at').on('seen_signatures').column('seen_at').execute();

  await withId(schema.createTable('categories'), dialect)
    .addColumn('parent_id', 'integer', (c) => c.references('categories.id'))
    .addColumn('slug', 'varchar(120)', (c) => c.notNull().unique())
    .addColumn('name', 'text', notNull)
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await withId(schema.createTable('category_types'), dialect)
    .addColumn('category_id', 'integer', (c) => c.notNull().references('categories.id').onDelete('cascade'))
    .addColumn('slug', 'varchar(120)', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, notNull)
    .addUniqueConstraint('category_types_slug', ['category_id', 'slug'])
    .execute();

  await withId(schema.createTable('products'), dialect)
    .addColumn('code', 'varchar(120)', (c) => c.notNull().unique())
    .addColumn('slug', 'varchar(160)', (c) => c.notNull().unique())
    .addColumn('category_id', 'integer', (c) => c.references('categories.id'))
    .addColumn('type_id', 'integer', (c) => c.references('category_types.id'))
    .addColumn('name', 'text', notNull)
    .addColumn('description', 'text', notNull)
    .addColumn('price_minor', 'bigint', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('min_quantity', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_quantity', 'integer', (c) => c.notNull().defaultTo(200))
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('active'))
    .addColumn('fulfillment', 'varchar(20)', (c) => c.notNull().defaultTo('stock'))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('stock_available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addCheckConstraint('products_price_nonnegative', sqlCheck('price_minor >= 0'))
    .addCheckConstraint('products_quantity_bounds', sqlCheck('min_quantity >= 1 and max_quantity >= min_quantity'))
    .execute();
  await schema.createIndex('products_category').on('products').column('category_id').execute();

  await schema
    .createTable('settings')
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'text', notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
}

function sqlCheck(expression: string) {
  return sql.raw(expression);
}

export const foundation: Migration = { name: '0001-foundation', up };

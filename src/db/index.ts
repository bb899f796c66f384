// Opens the database named by the configuration: better-sqlite3 (WAL, foreign keys, busy
// timeout) when embedded, a pg pool otherwise. Everything above this file speaks Kysely.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type Compilable, type DatabaseConnection, type SqliteDialectConfig } from 'kysely';
import type { DatabaseTarget } from '../config.js';
import type { Database } from './schema.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';

export type { Database } from './schema.js';
export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /**
   * Embedded database of a long-running process: checkpoint the WAL on a worker thread instead of
   * inside commits (sqlite-checkpointer.ts). Does nothing on PostgreSQL or in memory.
   */
  checkpointInBackground(onError: (message: string) => void): void;
  close(): Promise<void>;
}

// int8 (bigint) columns hold money in minor units; they fit a JS number far past any real balance.
pg.types.setTypeParser(20, (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
  return n;
});

/**
 * SQLite transactions that take the write lock when they begin (BEGIN IMMEDIATE). A plain BEGIN
 * reads first and fails with SQLITE_BUSY when it later tries to write while another connection
 * writes; IMMEDIATE waits its turn (busy_timeout) instead, so writers simply queue.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

/**
 * better-sqlite3 with its prepared statements kept: Kysely asks for a new statement for every
 * query, and preparing was a tenth of the time of an order. Queries are built from a fixed set of
 * shapes, so a bounded cache by SQL text hits almost always. Safe because SQLite has one
 * connection here and Kysely runs one query on it at a time.
 */
function withStatementCache(sqlite: SQLite.Database, capacity = 1000): SqliteDialectConfig['database'] {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
        statements.set(text, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

const sqliteHandles = new WeakMap<Db, SQLite.Database>();

/** PostgreSQL connections reserved for placement batches: a pool, and a Kysely over it to compile queries. */
export interface PlacementConnections {
  db: Db;
  pool: pg.Pool;
}

const placementWriters = new WeakMap<Db, PlacementConnections>();

/** PostgreSQL: the connections reserved for writing placement batches (see core/orders/placement-postgres.ts). */
export function placementWriterOf(db: Db): PlacementConnections | undefined {
  return placementWriters.get(db);
}

/** PostgreSQL: named statements run alone (each its own transaction), and transactions, on the keyed writers' connections. */
export interface KeyedWriter {
  pool: pg.Pool;
  statements: PreparedRunner;
  transaction: PreparedTransaction;
}

const keyedWriters = new WeakMap<Db, KeyedWriter>();

/**
 * PostgreSQL: the connections reserved for batch writes whose every statement finds the batch's
 * rows by key (forwarded deliveries): planned once for any values, and never as a read of a whole
 * table whatever the statistics say (see openDatabase). Undefined on SQLite.
 */
export function keyedWriterOf(db: Db): KeyedWriter | undefined {
  return keyedWriters.get(db);
}

const postgresPools = new WeakMap<Db, pg.Pool>();

/** Runs compiled queries on a PostgreSQL pool or connection. */
export interface PreparedRunner {
  /** Named: prepared once per connection, for SQL whose text never changes; null: as usual. */
  rows<Row>(name: string | null, query: Compilable<Row>): Promise<Row[]>;
}

export function preparedRunner(target: pg.Pool | pg.PoolClient): PreparedRunner {
  return {
    async rows<Row>(name: string | null, query: Compilable<Row>) {
      const compiled = query.compile();
      const values = [...compiled.parameters];
      return (await target.query(name ? { name, text: compiled.sql, values } : { text: compiled.sql, values })).rows as Row[];
    },
  };
}

/**
 * Runs a frequent query as a named prepared statement on PostgreSQL (parsed and planned once per
 * connection, not on every call), outside any transaction; elsewhere as usual (SQLite keeps its
 * statements anyway). The name must always go with the same SQL text.
 */
export async function executePrepared<Row>(db: Db, name: string, query: Compilable<Row>): Promise<Row[]> {
  const statements = preparedStatements(db);
  return statements ? statements.rows(name, query) : (await db.executeQuery(query.compile())).rows;
}

/**
 * PostgreSQL: named statements run on the pool, each alone (its own transaction), parsed and
 * planned once per connection. Undefined on SQLite.
 */
export function preparedStatements(db: Db): PreparedRunner | undefined {
  const pool = postgresPools.get(db);
  return pool ? preparedRunner(pool) : undefined;
}

/**
 * A transaction on one connection of a PostgreSQL pool, for the hot paths that run named
 * statements on the client itself (placement batches, the worker's fan-out). `opening`, a
 * statement without parameters, goes in the same round trip as the BEGIN; its rows are handed to
 * the work. (Under load a round trip waits for two processes to be scheduled: 1 ms at the median
 * and 7 at the 90th percentile were measured on the 2-core machine.)
 */
export async function onPooledConnection<T>(pool: pg.Pool, work: (client: pg.PoolClient, opened: unknown[]) => Promise<T>, opening?: string): Promise<T> {
  const client = await pool.connect();
  // A connection that could not begin or roll back is not given back to the pool for reuse.
  let healthy = false;
  try {
    const begun: pg.QueryResult | pg.QueryResult[] = await client.query(opening ? `begin; ${opening}` : 'begin');
    healthy = true;
    const result = await work(client, Array.isArray(begun) ? (begun.at(-1)?.rows ?? []) : []);
    await client.query('commit');
    return result;
  } catch (error) {
    if (healthy) await client.query('rollback').catch(() => (healthy = false));
    throw error;
  } finally {
    client.release(!healthy);
  }
}

/**
 * PostgreSQL: a transaction on one pooled connection whose named statements are parsed and planned
 * once per connection, for the worker's hot transactions; queries are built with `db` and only run
 * here. Undefined on SQLite, whose statements are kept anyway.
 */
export function preparedTransaction(db: Db): PreparedTransaction | undefined {
  const pool = postgresPools.get(db);
  return pool && transactionOn(pool);
}

/** A transaction on one connection of `pool`, its named statements prepared once per connection. */
export type PreparedTransaction = <T>(work: (run: PreparedRunner, opened: unknown[]) => Promise<T>, opening?: string) => Promise<T>;

function transactionOn(pool: pg.Pool): PreparedTransaction {
  return (work, opening) => onPooledConnection(pool, (client, opened) => work(preparedRunner(client), opened), opening);
}

/** The better-sqlite3 connection behind an embedded database, for the few hot paths written against it directly. */
export function sqliteHandleOf(db: Db): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

/** WAL pages between checkpoints while a bulk write runs (64 MB of 4 KB pages, the journal size limit). */
const BULK_CHECKPOINT_PAGES = 16_384;
const bulkWriters = new WeakMap<SQLite.Database, { running: number; autocheckpoint: number }>();

/**
 * Runs a bulk write (a stock import) with the embedded database checkpointing every 64 MB of WAL
 * instead of every 4 MB. A bulk write rewrites the same index pages chunk after chunk; checkpointing
 * after every chunk copied each of them into the database file again and again, and made one
 * chunk's commit wait for two fsyncs. A connection already checkpointed on a background thread
 * (wal_autocheckpoint = 0) is left alone. Does nothing on PostgreSQL.
 */
export async function withBulkWrites<T>(db: Db, write: () => Promise<T>): Promise<T> {
  const sqlite = sqliteHandles.get(db);
  if (!sqlite) return write();
  let state = bulkWriters.get(sqlite);
  if (!state) {
    const autocheckpoint = Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));
    if (autocheckpoint <= 0) return write();
    state = { running: 0, autocheckpoint };
    bulkWriters.set(sqlite, state);
    sqlite.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
  }
  state.running += 1;
  try {
    return await write();
  } finally {
    state.running -= 1;
    if (state.running === 0) {
      bulkWriters.delete(sqlite);
      // Unless a background checkpointer took over meanwhile.
      if (Number(sqlite.pragma('wal_autocheckpoint', { simple: true })) === BULK_CHECKPOINT_PAGES) sqlite.pragma(`wal_autocheckpoint = ${state.autocheckpoint}`);
    }
  }
}

/** How the keyed writers' connections plan their statements (see openDatabase). */
const KEYED_WRITER_SETTINGS = 'set plan_cache_mode = force_generic_plan; set enable_seqscan = off; set enable_hashjoin = off; set enable_mergejoin = off';

export function openDatabase(target: DatabaseTarget, options: { poolSize?: number } = {}): DatabaseHandle {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(path.dirname(target.file), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // 64 MB of page cache (the default is 2 MB): the stock and order indexes of a busy shop stay in
    // memory instead of being read back from the OS on every import chunk and order batch.
    sqlite.pragma('cache_size = -65536');
    // After a checkpoint lets the WAL start over, its file is cut back to 64 MB at most.
    sqlite.pragma('journal_size_limit = 67108864');
    // Savepoints and sorts in memory rather than in temporary files.
    sqlite.pragma('temp_store = MEMORY');
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
    sqliteHandles.set(db, sqlite);
    let checkpointer: Checkpointer | undefined;
    return {
      db,
      dialect: 'sqlite',
      checkpointInBackground(onError) {
        if (checkpointer || target.file === ':memory:') return;
        checkpointer = startCheckpointer(target.file, onError);
        sqlite.pragma('wal_autocheckpoint = 0');
      },
      async close() {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  postgresPools.set(db, pool);
  // Placement batches get connections of their own: in the shared pool a batch queued behind
  // every request's key lookup, and each order of the batch waited with it. Opened on first use.
  // Each statement is planned once per connection, for any values: left to choose, PostgreSQL
  // planned the batch's read anew on every batch (0.8 ms, more than running it). Placement's reads
  // are written so that such a plan is the right one (core/inventory/claim-codes.ts).
  const writerPool = new pg.Pool({ connectionString: target.url, max: 2 });
  writerPool.on('error', () => undefined);
  // Set once the connection is open rather than as a startup option, which poolers such as
  // PgBouncer refuse; queued on the client before any statement of placement's.
  writerPool.on('connect', (client) => void client.query('set plan_cache_mode = force_generic_plan').catch(() => undefined));
  const writer = new Kysely<Database>({ dialect: new PostgresDialect({ pool: writerPool }) });
  placementWriters.set(db, { db: writer, pool: writerPool });
  // Forwarded deliveries, one batch at a time, get a connection of their own too, planned once as
  // well, and never to read a whole table, hash or merge join (unless nothing else can run a
  // statement): each finds a batch's rows by key. A plan made while a new shop's tables were
  // nearly empty, or from statistics of those days, otherwise read whole tables on every batch
  // until the next ANALYZE: 3.2 million rows of orders, runs and purchases in 10 s of the
  // forwarding benchmark. Placement's connections keep those plans: with such statistics the
  // planner cannot tell apart the indexes that start with account_id, and its probe of a
  // client_order_id, kept from a whole read, read the unique index whole instead, with a heap
  // fetch per entry: placement on a new shop went from 1,020-1,190 orders/s to 705-787.
  const keyedPool = new pg.Pool({ connectionString: target.url, max: 1 });
  keyedPool.on('error', () => undefined);
  keyedPool.on('connect', (client) => void client.query(KEYED_WRITER_SETTINGS).catch(() => undefined));
  keyedWriters.set(db, { pool: keyedPool, statements: preparedRunner(keyedPool), transaction: transactionOn(keyedPool) });
  return {
    db,
    dialect: 'postgres',
    checkpointInBackground() {},
    async close() {
      await writer.destroy();
      await keyedPool.end();
      await db.destroy();
    },
  };
}

export { runMigrations, type Migration } from './migrate.js';
export { migrations } from './migrations/index.js';
export { queryTemplate, type Placeholders, type QueryTemplate } from './template.js';
export { BatchQueue, GroupCommit } from './group-commit.js';
export { refreshPlannerStatistics, type StatisticsOptions } from './statistics.js';

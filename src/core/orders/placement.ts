// Placement's state for the life of the app: the group-commit queue that every order of this
// process goes through, with the writer of its database, and the cached reads orders are priced
// from. Created with the app (openSouk), never kept in module-level maps, so two apps in one
// process (tests, a CLI command beside a server) never share a queue or a cache.
import { placementWriterOf, sqliteHandleOf, type Db, type Dialect } from '../../db/index.js';
import { wakeDispatchers } from '../events/index.js';
import { PlacementQueue, type PlacementExtension, type PlacementOutcome, type PlacementPlan } from './placement-batch.js';
import { sqlitePlacementWriter } from './placement-sqlite.js';
import { postgresPlacementWriter } from './placement-postgres.js';
import { PlacementReads } from './plan-order.js';

export class Placement {
  /** What orders are priced from: cached, and asked again of the database before an order is refused on it. */
  readonly reads = new PlacementReads(true);
  private queue: PlacementQueue | undefined;
  private readonly extensions: PlacementExtension[] = [];

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** Lets another module write rows with the orders they belong to (a plan's `writtenWith`); before the first order only. */
  extend(extension: PlacementExtension): void {
    if (this.queue) throw new Error('placement extensions are registered before the first order');
    if (this.extensions.some((e) => e.name === extension.name)) throw new Error(`placement extension ${extension.name} is registered already`);
    this.extensions.push(extension);
  }

  /** Writes a plan in the next batch; resolves with its outcome once the batch has committed. */
  submit(plan: PlacementPlan): Promise<PlacementOutcome> {
    // Rows no registered extension writes would be dropped without a word: refused before anything is.
    const extension = plan.writtenWith?.extension;
    if (extension !== undefined && !this.extensions.some((e) => e.name === extension)) throw new Error(`no placement extension ${extension} is registered`);
    this.queue ??= this.openQueue();
    return this.queue.submit(plan);
  }

  private openQueue(): PlacementQueue {
    if (this.db.isTransaction) throw new Error('placement writes in transactions of its own: pass the database, not a transaction');
    const sqlite = sqliteHandleOf(this.db);
    if (this.dialect === 'sqlite' && !sqlite) throw new Error('no SQLite handle behind this database');
    const connections = placementWriterOf(this.db);
    if (this.dialect === 'postgres' && !connections) throw new Error('no placement connections behind this database');
    const write = sqlite ? sqlitePlacementWriter(this.db, sqlite, this.extensions) : postgresPlacementWriter(connections!, this.extensions);
    return new PlacementQueue(async (plans) => {
      const outcomes = await write(plans);
      // The batch's outbox events have committed.
      if (outcomes.some((o) => o.kind === 'placed')) wakeDispatchers(this.db);
      return outcomes;
    });
  }
}

// WAL checkpoints for the embedded database, on a thread of their own. By default SQLite runs a
// checkpoint inside whichever commit finds the WAL past 1,000 pages: that commit copies pages
// into the database file and waits for two fsyncs while every request of the process waits for
// it. Here the server's connection never checkpoints (wal_autocheckpoint = 0); a worker thread
// with its own connection does, a few times a second, without blocking writers or readers
// (PASSIVE). If the worker is gone, nothing is lost: the WAL only grows, and SQLite checkpoints
// it when the last connection closes.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain JavaScript evaluated in the worker (the sources are TypeScript run through a loader the
// worker would not have).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } finally { db.close(); }
    parentPort.close();
  }
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing `file` every `intervalMs` on a worker thread; failures go to `onError`. */
export function startCheckpointer(file: string, onError: (message: string) => void, intervalMs = 200): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError(message.error);
  });
  worker.on('error', (error) => onError(error.message));
  // It must not keep a process alive that has nothing else to do.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

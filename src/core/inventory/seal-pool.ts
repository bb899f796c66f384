// Sealing and fingerprinting codes on worker threads, for bulk imports: the crypto costs about as
// much as inserting the row, so doing it beside the inserts roughly doubles what an import can
// take. The workers get only the two derived keys, never the master key.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface SealedCodes {
  sealed: string[];
  fingerprints: string[];
}

export interface SealKeys {
  keyId: string;
  sealKey: Buffer;
  fingerprintKey: Buffer;
}

// Plain JavaScript evaluated in the worker (the sources are TypeScript run through a loader the
// worker would not have). It must seal exactly as SecretBox.seal and fingerprint exactly as
// CodeVault.fingerprint do; test/unit/crypto.test.ts checks that it does.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createCipheriv, createHmac, createSecretKey, randomBytes } = require('node:crypto');
const sealKey = createSecretKey(Buffer.from(workerData.sealKey));
const fingerprintKey = createSecretKey(Buffer.from(workerData.fingerprintKey));
const keyId = workerData.keyId;
parentPort.on('message', ({ job, codes }) => {
  const ivs = randomBytes(12 * codes.length);
  const sealed = new Array(codes.length);
  const fingerprints = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const iv = ivs.subarray(i * 12, i * 12 + 12);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    // GCM is a stream mode: update() returns every byte and final() none, so no concat.
    const body = cipher.update(codes[i], 'utf8');
    cipher.final();
    sealed[i] = keyId + '.' + iv.toString('base64url') + '.' + cipher.getAuthTag().toString('base64url') + '.' + body.toString('base64url');
    fingerprints[i] = createHmac('sha256', fingerprintKey).update(codes[i]).digest('hex');
  }
  parentPort.postMessage({ job, sealed, fingerprints });
});
`;

interface Pending {
  resolve(result: SealedCodes): void;
  reject(error: unknown): void;
}

/** A few worker threads sealing chunks of codes; idle workers do not keep the process alive. */
export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextJob = 0;

  constructor(
    private readonly keys: SealKeys,
    private readonly size = Math.max(1, Math.min(4, availableParallelism())),
  ) {}

  private worker(): Worker {
    if (this.workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { keyId: this.keys.keyId, sealKey: this.keys.sealKey, fingerprintKey: this.keys.fingerprintKey } });
      worker.on('message', (message: { job: number } & SealedCodes) => {
        const waiting = this.pending.get(message.job);
        this.pending.delete(message.job);
        this.settle(worker);
        waiting?.resolve({ sealed: message.sealed, fingerprints: message.fingerprints });
      });
      worker.on('error', (error) => this.fail(worker, error));
      worker.unref();
      this.workers.push(worker);
      this.busy.set(worker, 0);
      return worker;
    }
    // The least busy one.
    return this.workers.reduce((a, b) => ((this.busy.get(a) ?? 0) <= (this.busy.get(b) ?? 0) ? a : b));
  }

  private settle(worker: Worker): void {
    const jobs = (this.busy.get(worker) ?? 1) - 1;
    this.busy.set(worker, jobs);
    if (jobs === 0) worker.unref();
  }

  private fail(worker: Worker, error: unknown): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.workers.splice(this.workers.indexOf(worker), 1);
    this.busy.delete(worker);
  }

  seal(codes: string[]): Promise<SealedCodes> {
    const worker = this.worker();
    const job = this.nextJob++;
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      worker.postMessage({ job, codes });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }
}

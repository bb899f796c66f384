// Sealing and fingerprinting codes on worker threads, for bulk imports: the crypto costs about as
// much as inserting the row, so doing it beside the inserts roughly doubles what an import can
// take. The workers get only the two derived keys, never the master key.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MASK_SOURCE_JS } from './code-masks.js';

/**
 * Sealed codes as the insert statement takes them: a JSON array of `[sealed, fingerprint, sealed mask]` rows.
 * The worker writes the text itself, so the importing thread neither clones thousands of strings
 * out of the message nor serialises them again.
 */
export interface SealedRows {
  count: number;
  json: string;
}

export interface SealKeys {
  keyId: string;
  sealKey: Buffer;
  fingerprintKey: Buffer;
  maskKey: Buffer;
}

// Plain JavaScript evaluated in the worker (the sources are TypeScript run through a loader the
// worker would not have). It must seal exactly as SecretBox.seal, fingerprint exactly as
// CodeVault.fingerprint, and encrypt masks exactly as encryptMasks does (code-masks.ts: one CTR
// stream per piece; maskSource is that module's own text, MASK_SOURCE_JS);
// test/unit/crypto.test.ts checks that it does. The
// sealed texts and the hex fingerprint hold only base64url and hex characters, digits and dots (and
// the key id, checked below), so they need no JSON escaping. Rows are written into one buffer whose
// memory is handed over, not copied: every string made for a code dies young, so the collector has
// next to nothing to keep.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createCipheriv, createHmac, createSecretKey, randomBytes } = require('node:crypto');
const sealKey = createSecretKey(Buffer.from(workerData.sealKey));
const fingerprintKey = createSecretKey(Buffer.from(workerData.fingerprintKey));
const maskKey = createSecretKey(Buffer.from(workerData.maskKey));
const keyId = workerData.keyId;
${MASK_SOURCE_JS}
// A row of the longest code (500 characters of up to 4 UTF-8 bytes, in base64, and its mask) fits in this.
const ROW_MAX = 8192;
parentPort.on('message', ({ job, codes }) => {
  const ivs = randomBytes(12 * codes.length + 16);
  const maskIv = ivs.subarray(12 * codes.length);
  const maskIvText = maskIv.toString('base64url');
  // The piece's masks as one CTR stream, encrypted in one call.
  const sources = codes.map(maskSource);
  const masks = createCipheriv('aes-256-ctr', maskKey, maskIv).update(sources.join(''), 'utf8');
  let maskOffset = 0;
  let out = Buffer.allocUnsafeSlow(codes.length * 260 + ROW_MAX);
  let at = out.write('[', 0, 'latin1');
  for (let i = 0; i < codes.length; i++) {
    if (at + ROW_MAX > out.length) {
      const bigger = Buffer.allocUnsafeSlow(out.length * 2);
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    const iv = ivs.subarray(i * 12, i * 12 + 12);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    // GCM is a stream mode: update() returns every byte and final() none, so no concat.
    const body = cipher.update(codes[i], 'utf8');
    cipher.final();
    const sealed = keyId + '.' + iv.toString('base64url') + '.' + cipher.getAuthTag().toString('base64url') + '.' + body.toString('base64url');
    const fingerprint = createHmac('sha256', fingerprintKey).update(codes[i]).digest('hex');
    const maskLength = Buffer.byteLength(sources[i], 'utf8');
    const mask = maskIvText + '.' + maskOffset + '.' + masks.toString('base64url', maskOffset, maskOffset + maskLength);
    maskOffset += maskLength;
    at += out.write((i ? ',["' : '["') + sealed + '","' + fingerprint + '","' + mask + '"]', at, 'latin1');
  }
  at += out.write(']', at, 'latin1');
  parentPort.postMessage({ job, count: codes.length, rows: out.buffer, length: at }, [out.buffer]);
});
`;

interface Pending {
  resolve(result: SealedRows): void;
  reject(error: unknown): void;
}

/** A few worker threads sealing chunks of codes; idle workers do not keep the process alive. */
export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextJob = 0;

  readonly size: number;

  constructor(
    private readonly keys: SealKeys,
    size = Math.max(1, Math.min(4, availableParallelism())),
  ) {
    if (!/^[A-Za-z0-9_-]+$/.test(keys.keyId)) throw new Error(`key id ${keys.keyId} would need escaping in sealed rows`);
    this.size = size;
  }

  private worker(): Worker {
    if (this.workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { keyId: this.keys.keyId, sealKey: this.keys.sealKey, fingerprintKey: this.keys.fingerprintKey, maskKey: this.keys.maskKey },
      });
      worker.on('message', (message: { job: number; count: number; rows: ArrayBuffer; length: number }) => {
        const waiting = this.pending.get(message.job);
        this.pending.delete(message.job);
        this.settle(worker);
        waiting?.resolve({ count: message.count, json: Buffer.from(message.rows, 0, message.length).toString('latin1') });
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

  seal(codes: string[]): Promise<SealedRows> {
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

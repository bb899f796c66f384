// Reading codes from a file or standard input, with a progress bar on stderr.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Presets, SingleBar } from 'cli-progress';

/** Lines of a file, or of standard input for "-", with how far through the file we are. */
export async function openLines(file: string) {
  const stream = file === '-' ? process.stdin : createReadStream(file);
  const totalBytes = file === '-' ? undefined : (await stat(file)).size;
  let bytes = 0;
  // Nothing is read until the consumer starts iterating: the stream must not flow (and end) while
  // the database is still being opened.
  async function* lines() {
    stream.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  }
  return { lines: lines(), totalBytes, bytesRead: () => bytes };
}

/** A progress bar on stderr (stdout stays clean for --json); silent when stderr is not a terminal. */
export function progressBar(totalBytes: number | undefined) {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { stream: process.stderr, format: totalBytes ? 'importing [{bar}] {percentage}% | {imported} imported, {duplicates} duplicates' : 'importing {imported} imported, {duplicates} duplicates' },
    Presets.shades_classic,
  );
  bar.start(totalBytes ?? 0, 0, { imported: 0, duplicates: 0 });
  let stopped = false;
  return {
    update: (bytes: number, progress: { imported: number; duplicates: number }) => bar.update(totalBytes ? bytes : 0, progress),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

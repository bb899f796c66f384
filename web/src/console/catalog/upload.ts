// A stock upload from the browser: the text is cut into lines the way the API cuts a text/plain
// body, and sent in batches so the progress bar moves as batches are committed. The API skips codes
// it already holds, so a batch sent again after a failure only counts duplicates; the report is the
// sum of the batches' answers, with rejected lines numbered from the start of the whole text. A
// batch refused for the rate limit (429) was not imported: it is sent again once the API's wait is over.
import { adminApi } from '../../api/clients';

/** Lines per request: small enough that progress moves, large enough that a big file is few requests. */
export const LINES_PER_BATCH = 5_000;
/** Rate-limit waits one batch may sit through before the upload gives up. */
const MAX_WAITS = 5;

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface UploadReport {
  imported: number;
  duplicates: number;
  blank: number;
  rejected: number;
  /** The rejected lines the API listed (it lists the first ones of each batch). */
  rejectedLines: RejectedLine[];
  /** Lines the API answered for; fewer than the total when a batch was refused. */
  done: number;
  /** The refusal that stopped the upload, if one did: what came before it is committed. */
  failure?: unknown;
}

export interface UploadProgress {
  sent: number;
  total: number;
  /** Seconds the API asked to wait before the next batch (rate limit), while waiting. */
  waiting?: number;
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** The wait a 429 answer asks for, in seconds. */
function retryAfter(error: unknown, response: Response): number {
  const fromBody = error && typeof error === 'object' && 'retry_after_seconds' in error ? Number(error.retry_after_seconds) : NaN;
  const seconds = Number.isFinite(fromBody) ? fromBody : Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 120) : 5;
}

/** One code per line, as the API reads text: any line ending, the final newline ending the last line. */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Uploads `lines` to a product's stock in batches, reporting progress after each one; stops at the first refusal and says so in the report. */
export async function uploadStock(ref: string, lines: string[], options: { batch?: string; onProgress: (progress: UploadProgress) => void }): Promise<UploadReport> {
  const report: UploadReport = { imported: 0, duplicates: 0, blank: 0, rejected: 0, rejectedLines: [], done: 0 };
  options.onProgress({ sent: 0, total: lines.length });
  for (let start = 0; start < lines.length; start += LINES_PER_BATCH) {
    const codes = lines.slice(start, start + LINES_PER_BATCH);
    let answer;
    for (let waits = 0; ; waits++) {
      try {
        answer = await adminApi.POST('/admin/api/products/{ref}/stock', {
          params: { path: { ref } },
          body: { codes, skip_invalid: true, ...(options.batch ? { batch: options.batch } : {}) },
        });
      } catch (failure) {
        return { ...report, failure };
      }
      if (answer.response.status !== 429 || waits >= MAX_WAITS) break;
      const seconds = retryAfter(answer.error, answer.response);
      options.onProgress({ sent: start, total: lines.length, waiting: seconds });
      await sleep(seconds);
    }
    const { data, error } = answer;
    if (error) return { ...report, failure: error };
    report.imported += data.imported;
    report.duplicates += data.duplicates;
    report.blank += data.blank;
    report.rejected += data.rejected?.count ?? 0;
    for (const rejected of data.rejected?.lines ?? []) report.rejectedLines.push({ line: start + rejected.line, reason: rejected.reason });
    report.done = start + codes.length;
    options.onProgress({ sent: report.done, total: lines.length });
  }
  return report;
}

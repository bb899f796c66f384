// A stock upload from the browser: the text is cut into lines the way the API cuts a text/plain
// body, and sent in batches so the progress bar moves as batches are committed. The API skips codes
// it already holds, so a batch sent again after a failure only counts duplicates; the report is the
// sum of the batches' answers, with rejected lines numbered from the start of the whole text.
import { adminApi } from '../../api/clients';

/** Lines per request: small enough that progress moves, large enough that a big file is few requests. */
export const LINES_PER_BATCH = 2_000;

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
    try {
      answer = await adminApi.POST('/admin/api/products/{ref}/stock', {
        params: { path: { ref } },
        body: { codes, skip_invalid: true, ...(options.batch ? { batch: options.batch } : {}) },
      });
    } catch (failure) {
      return { ...report, failure };
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

import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from './ApiError';
import { linesOf, uploadStock, type UploadProgress, type UploadReport } from './upload';

/** Codes from a file or pasted text, sent in batches with a progress bar, then the import report. */
export function StockUpload({ productRef, onUploaded }: { productRef: string; onUploaded: () => void }) {
  const { t } = useTranslation('catalog');
  const id = useId();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const upload = useMutation({
    mutationFn: async (): Promise<UploadReport> => {
      const source = file ? await file.text() : text;
      return uploadStock(productRef, linesOf(source), { batch: file?.name.slice(0, 120), onProgress: setProgress });
    },
    onSuccess: (report) => {
      if (report.failure === undefined && !file) setText('');
    },
    onSettled: onUploaded,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProgress(null);
    upload.mutate();
  };
  const report = upload.data;
  return (
    <form className="stock-upload" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('stock.upload')}</h3>
      <div className="field">
        <label htmlFor={`${id}-codes`}>{t('stock.codes')}</label>
        <textarea id={`${id}-codes`} dir="ltr" rows={8} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} disabled={file !== null} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-file`}>{t('stock.file')}</label>
        <input id={`${id}-file`} type="file" accept=".txt,.csv,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} aria-describedby={`${id}-file-hint`} />
        <small id={`${id}-file-hint`}>{t('stock.fileHint')}</small>
      </div>
      <p>
        <button type="submit" disabled={upload.isPending || (!file && text.trim() === '')}>
          {t('stock.uploadButton')}
        </button>
      </p>
      {progress && progress.total > 0 && (
        <p className="upload-progress">
          <label htmlFor={`${id}-progress`}>{t('stock.progress', { sent: progress.sent, total: progress.total })}</label>{' '}
          <progress id={`${id}-progress`} max={progress.total} value={progress.sent} />
          {progress.waiting !== undefined && <span role="status"> {t('stock.waiting', { seconds: progress.waiting })}</span>}
        </p>
      )}
      {upload.isError && <ApiError error={upload.error} />}
      {report && (
        <section className="card import-report" aria-label={t('stock.report')} aria-live="polite">
          <h4>{t('stock.report')}</h4>
          {report.failure !== undefined && (
            <>
              <p className="error">{t('stock.stopped', { done: report.done })}</p>
              <ApiError error={report.failure} />
            </>
          )}
          <ul>
            <li>{t('stock.added', { count: report.imported })}</li>
            <li>{t('stock.duplicates', { count: report.duplicates })}</li>
            <li>{t('stock.blank', { count: report.blank })}</li>
            <li>{t('stock.rejected', { count: report.rejected })}</li>
          </ul>
          {report.rejectedLines.length > 0 && (
            <>
              <h5>{t('stock.rejectedLines')}</h5>
              <ul>
                {report.rejectedLines.map((r) => (
                  <li key={r.line}>{t('stock.rejectedLine', { line: r.line, reason: t(`stock.reason.${r.reason}`, { defaultValue: r.reason }) })}</li>
                ))}
              </ul>
              {report.rejected > report.rejectedLines.length && <p>{t('stock.moreRejected', { count: report.rejected - report.rejectedLines.length })}</p>}
            </>
          )}
        </section>
      )}
    </form>
  );
}

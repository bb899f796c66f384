// A secret the API shows once (an API key, a signing or webhook secret): kept only in this
// component's state, never in the query cache or storage, so a reload cannot bring it back.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Secret {
  /** What it is, e.g. "API key". */
  label: string;
  value: string;
}

/** The secrets with a copy button each and a warning that they will not be shown again; `onDone` forgets them. */
export function ShownOnce({ secrets, onDone }: { secrets: Secret[]; onDone: () => void }) {
  const { t } = useTranslation('accounts');
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (secret: Secret) => {
    try {
      await navigator.clipboard.writeText(secret.value);
      setCopied(secret.label);
    } catch {
      setCopied(null);
    }
  };
  return (
    <section className="card acc-shown-once" aria-labelledby="shown-once-title">
      <h3 id="shown-once-title">{t('secret.title')}</h3>
      <p className="acc-warning" role="alert">
        {t('secret.warning')}
      </p>
      {secrets.map((secret) => (
        <div key={secret.label} className="acc-secret-row">
          <label>
            {secret.label}
            <input readOnly value={secret.value} dir="ltr" className="acc-secret" onFocus={(event) => event.currentTarget.select()} />
          </label>
          <button type="button" className="secondary" onClick={() => void copy(secret)}>
            {t('secret.copy', { what: secret.label })}
          </button>
        </div>
      ))}
      <p aria-live="polite">{copied && t('secret.copied', { what: copied })}</p>
      <button type="button" onClick={onDone}>
        {t('secret.done')}
      </button>
    </section>
  );
}

// One act on the admin API behind a confirmation: the button opens a small form that says what will
// happen (and asks for a reason or codes when the act needs them); only its Confirm calls the API.
// The API's refusal is shown as it answered; on success the caller refreshes what changed.
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/clients';

export interface ActionInput {
  reason: string;
  codes: string[];
}

interface Props {
  /** The button that opens the confirmation. */
  label: string;
  /** What will happen, in words. */
  question: string;
  /** The label of the required reason field; none when the act takes no reason. */
  reasonLabel?: string;
  /** The label of the codes field (one per line); none when the act takes no codes. */
  codesLabel?: string;
  /** Calls the API; throws its error envelope when refused. */
  run: (input: ActionInput) => Promise<unknown>;
  /** After the API said yes: refresh what changed. */
  onDone: () => void | Promise<void>;
  danger?: boolean;
}

/** A button that asks first, then runs one admin API call and shows its error. */
export function ConfirmAction({ label, question, reasonLabel, codesLabel, run, onDone, danger }: Props) {
  const { t } = useTranslation('orders');
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [codes, setCodes] = useState('');
  const act = useMutation({
    mutationFn: () => run({ reason, codes: codes.split(/\r?\n/).map((c) => c.trim()).filter(Boolean) }),
    onSuccess: async () => {
      setOpen(false);
      setReason('');
      setCodes('');
      await onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    act.mutate();
  };
  if (!open) {
    return (
      <button type="button" className={danger ? 'secondary danger' : undefined} onClick={() => { act.reset(); setOpen(true); }}>
        {label}
      </button>
    );
  }
  return (
    <form className="confirm card" onSubmit={submit} aria-labelledby={`${id}-q`}>
      <p id={`${id}-q`}>{question}</p>
      {reasonLabel && (
        <>
          <label htmlFor={`${id}-reason`}>{reasonLabel}</label>
          <textarea id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={400} rows={2} />
        </>
      )}
      {codesLabel && (
        <>
          <label htmlFor={`${id}-codes`}>{codesLabel}</label>
          <textarea id={`${id}-codes`} value={codes} onChange={(e) => setCodes(e.target.value)} required rows={4} dir="ltr" />
        </>
      )}
      {act.isError && (
        <p className="error" role="alert">
          {t('translation:common.error', { message: errorMessage(act.error) })}
        </p>
      )}
      <div className="confirm-buttons">
        <button type="submit" disabled={act.isPending}>
          {act.isPending ? t('confirm.working') : t('confirm.yes', { action: label })}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)} disabled={act.isPending}>
          {t('confirm.no')}
        </button>
      </div>
    </form>
  );
}

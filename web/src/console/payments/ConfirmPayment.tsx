import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';

export interface ConfirmDraft {
  order: string;
  txid: string;
  amount: string;
}

/**
 * POST /admin/api/payments/confirm: credit a transfer a person saw on the chain to a crypto order.
 * Two steps: the form, then a summary to approve, because a credit cannot be taken back.
 */
export function ConfirmPayment({ draft, onDraft }: { draft: ConfirmDraft; onDraft: (draft: ConfirmDraft) => void }) {
  const { t } = useTranslation('payments');
  const id = useId();
  const client = useQueryClient();
  const [checking, setChecking] = useState(false);
  const confirm = useMutation({
    mutationFn: async (body: ConfirmDraft) => {
      const { data, error } = await adminApi.POST('/admin/api/payments/confirm', { body });
      if (error) throw error;
      return data;
    },
    onSuccess: () => {
      setChecking(false);
      onDraft({ order: '', txid: '', amount: '' });
      void client.invalidateQueries({ queryKey: ['console', 'payments'] });
    },
    onError: () => setChecking(false),
  });
  const set = (field: keyof ConfirmDraft) => (event: { target: { value: string } }) => {
    confirm.reset();
    setChecking(false);
    onDraft({ ...draft, [field]: event.target.value });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecking(true);
  };
  const result = confirm.data;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('confirm.title')}</h3>
      <p>{t('confirm.explain')}</p>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-order`}>{t('confirm.order')}</label>
        <input id={`${id}-order`} value={draft.order} onChange={set('order')} required maxLength={40} dir="ltr" />
        <label htmlFor={`${id}-txid`}>{t('confirm.txid')}</label>
        <input id={`${id}-txid`} value={draft.txid} onChange={set('txid')} required maxLength={100} dir="ltr" spellCheck={false} />
        <label htmlFor={`${id}-amount`}>{t('confirm.amount')}</label>
        <input id={`${id}-amount`} value={draft.amount} onChange={set('amount')} required inputMode="decimal" pattern="[0-9]+(\.[0-9]+)?" dir="ltr" />
        {!checking && (
          <p>
            <button type="submit">{t('confirm.submit')}</button>
          </p>
        )}
      </form>
      {checking && (
        <div className="confirm-step" role="group" aria-labelledby={`${id}-check`}>
          <p id={`${id}-check`}>
            {t('confirm.check', { order: draft.order, amount: draft.amount })} <bdi dir="ltr">{draft.txid}</bdi>
          </p>
          <p className="actions">
            <button type="button" onClick={() => confirm.mutate(draft)} disabled={confirm.isPending}>
              {t('confirm.yes')}
            </button>
            <button type="button" className="secondary" onClick={() => setChecking(false)} disabled={confirm.isPending}>
              {t('confirm.cancel')}
            </button>
          </p>
        </div>
      )}
      <Problem error={confirm.error} />
      {result && (
        <p role="status">
          {result.credited ? t('confirm.credited', { status: result.order_status ?? '—', payment: result.payment.status }) : t('confirm.already')}
        </p>
      )}
    </section>
  );
}

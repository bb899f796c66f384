// A top-up (POST …/wallets/topup) or an adjustment with its reason (POST …/wallets/adjust). The
// amount is sent as the decimal text typed; the API parses and checks it. One Idempotency-Key per
// attempt, so a double submit moves money once. Owners only: the API refuses anyone else.
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';
import { newRequestKey, type Account } from '../accounts/account';
import { formatAmount } from '../format';

export function MoveMoney({ account, mode }: { account: Account; mode: 'topup' | 'adjust' }) {
  const { t } = useTranslation('wallets');
  const id = useId();
  const client = useQueryClient();
  const [requestKey, setRequestKey] = useState(newRequestKey);
  const move = useMutation({
    mutationFn: async (body: { amount: string; currency: string; memo: string }) => {
      const init = { params: { path: { id: account.id } }, headers: { 'Idempotency-Key': requestKey } };
      const answer =
        mode === 'topup'
          ? await adminApi.POST('/admin/api/accounts/{id}/wallets/topup', { ...init, body: { amount: body.amount, currency: body.currency, ...(body.memo ? { memo: body.memo } : {}) } })
          : await adminApi.POST('/admin/api/accounts/{id}/wallets/adjust', { ...init, body });
      if (answer.error) throw answer.error;
      return answer.data.wallet;
    },
    onSuccess: async () => {
      setRequestKey(newRequestKey());
      await client.invalidateQueries({ queryKey: ['console', 'account', account.id] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    move.mutate(
      { amount: String(form.get('amount') ?? '').trim(), currency: String(form.get('currency') ?? '').trim(), memo: String(form.get('memo') ?? '').trim() },
      { onSuccess: () => formElement.reset() },
    );
  };
  const title = mode === 'topup' ? t('topup.title') : t('adjust.title');
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <form className="stack" onSubmit={submit} aria-label={title}>
        <label htmlFor={`${id}-amount`}>{t('amount')}</label>
        <input
          id={`${id}-amount`}
          name="amount"
          required
          inputMode="decimal"
          dir="ltr"
          maxLength={40}
          pattern={mode === 'topup' ? '\\s*[0-9]+(\\.[0-9]+)?\\s*' : '\\s*-?[0-9]+(\\.[0-9]+)?\\s*'}
          placeholder={mode === 'topup' ? '100.00' : '-25.50'}
          aria-describedby={`${id}-hint`}
        />
        <small id={`${id}-hint`}>{mode === 'topup' ? t('topup.hint') : t('adjust.hint')}</small>
        <label htmlFor={`${id}-currency`}>{t('currency')}</label>
        <input id={`${id}-currency`} name="currency" required defaultValue={account.currency} pattern="[A-Za-z]{3}" maxLength={3} dir="ltr" />
        <label htmlFor={`${id}-memo`}>{mode === 'topup' ? t('topup.note') : t('reason')}</label>
        <input id={`${id}-memo`} name="memo" maxLength={500} required={mode === 'adjust'} />
        <button type="submit" disabled={move.isPending}>
          {mode === 'topup' ? t('topup.submit') : t('adjust.submit')}
        </button>
        <p aria-live="polite">{move.data && t('done', { balance: formatAmount(move.data.balance, move.data.currency) })}</p>
        <Problem error={move.error} />
      </form>
    </section>
  );
}

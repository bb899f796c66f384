import { useId, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { AccountFrame } from './AccountFrame';
import { Logins } from './Logins';
import { Problem } from '../Problem';
import type { Account } from './account';
import { formatAmount } from '../format';

type Patch = NonNullable<operations['adminUpdateAccount']['requestBody']>['content']['application/json'];
const STATUSES = ['active', 'suspended', 'closed'] as const;

/** /accounts/:id: the account's settings, a form to change them, and its console logins. */
export function AccountPage() {
  return (
    <AccountFrame>
      {(account) => (
        <>
          <Details account={account} />
          <Settings key={account.id} account={account} />
          <Logins account={account} />
        </>
      )}
    </AccountFrame>
  );
}

function Details({ account }: { account: Account }) {
  const { t } = useTranslation('accounts');
  const dash = '—';
  return (
    <dl className="card acc-details">
      <dt>{t('currency')}</dt>
      <dd>
        <bdi>{account.currency}</bdi>
      </dd>
      <dt>{t('status')}</dt>
      <dd>{t(`statuses.${account.status}`, { defaultValue: account.status })}</dd>
      <dt>{t('creditLimit')}</dt>
      <dd>
        <bdi>{formatAmount(account.credit_limit, account.currency)}</bdi>
      </dd>
      <dt>{t('rateLimit')}</dt>
      <dd>{account.rate_limit_per_minute ?? t('shopDefault')}</dd>
      <dt>{t('tier')}</dt>
      <dd>
        <bdi>{account.tier ?? dash}</bdi>
      </dd>
      <dt>{t('riskReview')}</dt>
      <dd>{account.risk_review_score ?? t('shopDefault')}</dd>
      <dt>{t('riskReject')}</dt>
      <dd>{account.risk_reject_score ?? t('shopDefault')}</dd>
      <dt>{t('reviewAbove')}</dt>
      <dd>
        <bdi>{account.review_above === null ? dash : formatAmount(account.review_above, account.currency)}</bdi>
      </dd>
      <dt>{t('created')}</dt>
      <dd>
        <time dateTime={account.created_at}>{account.created_at}</time>
      </dd>
    </dl>
  );
}

/** An optional whole number from a form field: empty is null (the shop's default). */
function wholeOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** PATCH /admin/api/accounts/{id} with the fields the owner changed (owners only: the API refuses others). */
function Settings({ account }: { account: Account }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: async (body: Patch) => {
      const { data, error } = await adminApi.PATCH('/admin/api/accounts/{id}', { params: { path: { id: account.id } }, body });
      if (error) throw error;
      return data.account;
    },
    onSuccess: (updated) => {
      client.setQueryData(['console', 'account', account.id], updated);
      void client.invalidateQueries({ queryKey: ['console', 'accounts'] });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    // Only what changed goes to the API, so an untouched field never trips a rule it did not ask about.
    const body: Patch = {};
    if (text('name') !== account.name) body.name = text('name');
    if (text('status') !== account.status) body.status = text('status') as Patch['status'];
    if (text('credit_limit') !== String(account.credit_limit)) body.credit_limit = text('credit_limit');
    if (wholeOrNull(text('rate_limit')) !== account.rate_limit_per_minute) body.rate_limit_per_minute = wholeOrNull(text('rate_limit'));
    if ((text('tier') || null) !== account.tier) body.tier = text('tier') || null;
    if (wholeOrNull(text('risk_review')) !== account.risk_review_score) body.risk_review_score = wholeOrNull(text('risk_review'));
    if (wholeOrNull(text('risk_reject')) !== account.risk_reject_score) body.risk_reject_score = wholeOrNull(text('risk_reject'));
    if ((text('review_above') || null) !== (account.review_above === null ? null : String(account.review_above))) body.review_above = text('review_above') || null;
    save.mutate(body);
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('edit.title')}</h3>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-name`}>{t('create.name')}</label>
        <input id={`${id}-name`} name="name" required maxLength={200} defaultValue={account.name} />
        <label htmlFor={`${id}-status`}>{t('status')}</label>
        <select id={`${id}-status`} name="status" defaultValue={account.status}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-credit`}>{t('creditLimit')}</label>
        <input id={`${id}-credit`} name="credit_limit" inputMode="decimal" dir="ltr" maxLength={40} defaultValue={String(account.credit_limit)} />
        <label htmlFor={`${id}-rate`}>{t('rateLimit')}</label>
        <input id={`${id}-rate`} name="rate_limit" type="number" min={1} max={1000000} dir="ltr" defaultValue={account.rate_limit_per_minute ?? ''} aria-describedby={`${id}-default`} />
        <label htmlFor={`${id}-tier`}>{t('tier')}</label>
        <input id={`${id}-tier`} name="tier" maxLength={50} dir="ltr" defaultValue={account.tier ?? ''} aria-describedby={`${id}-default`} />
        <label htmlFor={`${id}-review`}>{t('riskReview')}</label>
        <input id={`${id}-review`} name="risk_review" type="number" min={0} max={100} dir="ltr" defaultValue={account.risk_review_score ?? ''} aria-describedby={`${id}-default`} />
        <label htmlFor={`${id}-reject`}>{t('riskReject')}</label>
        <input id={`${id}-reject`} name="risk_reject" type="number" min={0} max={100} dir="ltr" defaultValue={account.risk_reject_score ?? ''} aria-describedby={`${id}-default`} />
        <label htmlFor={`${id}-above`}>{t('reviewAbove')}</label>
        <input id={`${id}-above`} name="review_above" inputMode="decimal" dir="ltr" maxLength={40} defaultValue={account.review_above === null ? '' : String(account.review_above)} />
        <small id={`${id}-default`}>{t('edit.emptyDefault')}</small>
        <button type="submit" disabled={save.isPending}>
          {t('edit.submit')}
        </button>
        <p aria-live="polite">{save.isSuccess && t('edit.saved')}</p>
        <Problem error={save.error} />
      </form>
    </section>
  );
}

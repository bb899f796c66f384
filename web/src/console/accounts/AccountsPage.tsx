import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';
import { ACCOUNT_KINDS } from './account';
import { formatAmount } from '../format';

type Kind = (typeof ACCOUNT_KINDS)[number];
const isKind = (value: string | null): value is Kind => (ACCOUNT_KINDS as readonly string[]).includes(value ?? '');

/** GET /admin/api/accounts filtered by kind (kept in the URL), and the form that creates one. */
export function AccountsPage() {
  const { t } = useTranslation('accounts');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const raw = params.get('kind');
  const kind = isKind(raw) ? raw : undefined;
  const accounts = useQuery({
    queryKey: ['console', 'accounts', kind ?? 'all'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/accounts', { params: { query: { kind } } });
      if (error) throw error;
      return data.accounts;
    },
  });
  return (
    <section className="acc-area">
      <h2>{t('title')}</h2>
      <div className="filters">
        <label htmlFor={`${id}-kind`}>{t('filterKind')}</label>
        <select id={`${id}-kind`} value={kind ?? ''} onChange={(event) => setParams(event.target.value ? { kind: event.target.value } : {})}>
          <option value="">{t('all')}</option>
          {ACCOUNT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      {accounts.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={accounts.error} />
      {accounts.isSuccess && accounts.data.length === 0 && <p>{t('none')}</p>}
      {accounts.data && accounts.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('creditLimit')}</th>
                <th scope="col">{t('created')}</th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.map((account) => (
                <tr key={account.id}>
                  <th scope="row">
                    <Link to={`/accounts/${account.id}`}>
                      <bdi>{account.name}</bdi>
                    </Link>
                  </th>
                  <td>{t(`kinds.${account.kind}`, { defaultValue: account.kind })}</td>
                  <td>{t(`statuses.${account.status}`, { defaultValue: account.status })}</td>
                  <td>
                    <bdi>{formatAmount(account.credit_limit, account.currency)}</bdi>
                  </td>
                  <td>
                    <time dateTime={account.created_at}>{account.created_at}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateAccount initialKind={kind ?? 'reseller'} />
    </section>
  );
}

/** POST /admin/api/accounts (owners only: the API refuses anyone else), then the new account's page. */
function CreateAccount({ initialKind }: { initialKind: Kind }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>(initialKind);
  const create = useMutation({
    mutationFn: async (body: { name: string; kind: Kind; currency: string; credit_limit?: string; rate_limit_per_minute?: number }) => {
      const { data, error } = await adminApi.POST('/admin/api/accounts', { body });
      if (error) throw error;
      return data.account;
    },
    onSuccess: async (account) => {
      await client.invalidateQueries({ queryKey: ['console', 'accounts'] });
      void navigate(`/accounts/${account.id}`);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const credit = String(form.get('credit_limit') ?? '').trim();
    const rate = String(form.get('rate_limit') ?? '').trim();
    create.mutate({
      name: String(form.get('name') ?? '').trim(),
      kind,
      currency: String(form.get('currency') ?? '').trim(),
      ...(credit ? { credit_limit: credit } : {}),
      ...(rate ? { rate_limit_per_minute: Number(rate) } : {}),
    });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('create.title')}</h3>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-name`}>{t('create.name')}</label>
        <input id={`${id}-name`} name="name" required maxLength={200} />
        <label htmlFor={`${id}-kind`}>{t('kind')}</label>
        <select id={`${id}-kind`} value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
          {ACCOUNT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kinds.${k}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-currency`}>{t('currency')}</label>
        <input id={`${id}-currency`} name="currency" required defaultValue="USD" pattern="[A-Za-z]{3}" maxLength={3} dir="ltr" />
        <label htmlFor={`${id}-credit`}>{t('creditLimit')}</label>
        <input id={`${id}-credit`} name="credit_limit" inputMode="decimal" placeholder="0.00" dir="ltr" maxLength={40} />
        <label htmlFor={`${id}-rate`}>{t('rateLimit')}</label>
        <input id={`${id}-rate`} name="rate_limit" type="number" min={1} max={1000000} step={1} dir="ltr" aria-describedby={`${id}-rate-hint`} />
        <small id={`${id}-rate-hint`}>{t('rateLimitHint')}</small>
        <button type="submit" disabled={create.isPending}>
          {t('create.submit')}
        </button>
        <Problem error={create.error} />
      </form>
    </section>
  );
}

import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { ConfirmPayment, type ConfirmDraft } from './ConfirmPayment';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

type Status = NonNullable<NonNullable<operations['adminListPayments']['parameters']['query']>['status']>;
// Every status the API filters by; `satisfies` keeps the list in step with the generated types.
const STATUSES = ['open', 'partial', 'paid', 'overpaid', 'expired', 'late', 'unmatched'] as const satisfies readonly Status[];
const isStatus = (value: string | null): value is Status => (STATUSES as readonly string[]).includes(value ?? '');
// Statuses a person may still credit a transfer to (an own-address crypto invoice not yet paid in full).
const CONFIRMABLE = new Set<string>(['open', 'partial', 'expired']);

/** GET /admin/api/payments filtered by status (kept in the URL), and the hand confirmation of a crypto transfer. */
export function PaymentsPage() {
  const { t } = useTranslation('payments');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = isStatus(raw) ? raw : undefined;
  const [draft, setDraft] = useState<ConfirmDraft>({ order: '', txid: '', amount: '' });
  const payments = useQuery({
    queryKey: ['console', 'payments', status ?? 'all'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/payments', { params: { query: { status, limit: 200 } } });
      if (error) throw error;
      return data.payments;
    },
  });
  const rows = payments.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <ConfirmPayment draft={draft} onDraft={setDraft} />
      <h3>{t('list.title')}</h3>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('list.status')}</label>
        <select id={`${id}-status`} value={status ?? ''} onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}>
          <option value="">{t('list.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {payments.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={payments.error} />
      {payments.isSuccess && rows.length === 0 && <p>{t('list.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('list.order')}</th>
                <th scope="col">{t('list.method')}</th>
                <th scope="col">{t('list.status')}</th>
                <th scope="col">{t('list.amount')}</th>
                <th scope="col">{t('list.received')}</th>
                <th scope="col">{t('list.expires')}</th>
                <th scope="col">{t('list.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-testid="payment-row" className={p.refund_due ? 'attention' : undefined}>
                  <td>
                    {p.order_id ? (
                      <Link to={`/orders/${encodeURIComponent(p.order_id)}`}>
                        <bdi dir="ltr">{p.order_id}</bdi>
                      </Link>
                    ) : (
                      t(`purpose.${p.purpose === 'topup' ? 'topup' : 'order'}`)
                    )}
                  </td>
                  <td>
                    {p.method}
                    {p.coin && (
                      <>
                        {' '}
                        <bdi>({p.coin})</bdi>
                      </>
                    )}
                  </td>
                  <td>
                    {isStatus(p.status) ? t(`status.${p.status}`) : p.status}
                    {p.refund_due && <> — {t('list.refundDue')}</>}
                  </td>
                  <td>
                    <bdi dir="ltr">
                      {p.amount} {p.currency ?? p.coin}
                    </bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">{p.received}</bdi>
                  </td>
                  <td>
                    <time dateTime={p.expires_at}>{p.expires_at}</time>
                  </td>
                  <td>
                    {p.provider === 'crypto' && p.order_id && CONFIRMABLE.has(p.status) && (
                      <button type="button" className="secondary" onClick={() => setDraft({ order: p.order_id!, txid: '', amount: p.amount })}>
                        {t('list.confirmThis')}
                      </button>
                    )}
                    {p.status === 'unmatched' && p.txid && (
                      <button type="button" className="secondary" onClick={() => setDraft({ order: '', txid: p.txid!, amount: p.received })}>
                        {t('list.creditUnmatched')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

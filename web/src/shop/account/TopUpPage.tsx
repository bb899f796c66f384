// A top-up followed to its end (GET /api/wallet/topups/:id, polled while it waits for the money):
// its payment step, then the new balances once the payment service confirmed it.
import { useEffect } from 'react';
import { Link, Navigate, useLocation, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../../api/clients';
import { ErrorAlert } from '../errors';
import { PaymentStep } from '../payment/PaymentStep';
import { useCustomerToken } from '../session';

/** Top-up states that do not change any more ("late" is credited all the same). */
const FINAL = new Set(['paid', 'overpaid', 'expired', 'late']);
const POLL_MS = 3000;

export default function TopUpPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const token = useCustomerToken();
  const location = useLocation();
  const queries = useQueryClient();
  const topUp = useQuery({
    queryKey: ['shop', 'topup', id, token],
    enabled: token !== null,
    queryFn: async () => {
      const { data, error } = await shopApi.GET('/api/wallet/topups/{id}', { params: { path: { id } } });
      if (error) throw error;
      return data.topup;
    },
    refetchInterval: (query) => (query.state.data && FINAL.has(query.state.data.status) ? false : POLL_MS),
    retry: false,
  });
  const credited = topUp.data && FINAL.has(topUp.data.status) && topUp.data.status !== 'expired';
  useEffect(() => {
    if (credited) void queries.invalidateQueries({ queryKey: ['shop', 'me'] });
  }, [credited, queries]);
  if (!token) return <Navigate to="/account/login" state={{ from: location.pathname }} replace />;
  const data = topUp.data;
  return (
    <article className="shop-stack">
      <p>
        <Link to="/account">{t('shop.account.title')}</Link>
      </p>
      <h2>{t('shop.topup.title')}</h2>
      {topUp.isPending && <p>{t('common.loading')}</p>}
      <ErrorAlert error={topUp.error} />
      {data && (
        <>
          <p className="card">
            <bdi>
              {data.amount} {data.currency}
            </bdi>{' '}
            · <span role="status">{t(`shop.paymentStates.${data.status}`, { defaultValue: data.status })}</span>
          </p>
          {credited ? <p>{t('shop.topup.credited')}</p> : <PaymentStep payment={data.payment} />}
        </>
      )}
    </article>
  );
}

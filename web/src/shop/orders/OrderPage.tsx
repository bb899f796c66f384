// An order followed to its end: GET /api/orders/:id/status polled until a final status (its own
// limit is 30 a minute per address), the payment step while it waits for money, and the codes once
// delivered. The codes come only from the lookup (POST /api/orders/query, 3 a minute per address and
// 2 per order and e-mail), so it is asked once, never polled.
import { useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../../api/clients';
import { ErrorAlert } from '../errors';
import { PaymentStep } from '../payment/PaymentStep';
import { rememberedOrder, rememberOrder } from './remembered';

/** Order statuses that do not change any more (seed 004's words). */
const FINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'refunded']);
const POLL_MS = 3000;

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'errorCode' in error && error.errorCode === 'not_found';
}

export default function OrderPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const status = useQuery({
    queryKey: ['shop', 'order-status', id],
    queryFn: async () => {
      const { data, error } = await shopApi.GET('/api/orders/{id}/status', { params: { path: { id } } });
      if (error) throw error;
      return data.order;
    },
    // Until a final status; and not for an order that does not exist (404 not_found).
    refetchInterval: (query) => (FINAL.has(query.state.data?.status ?? '') || isNotFound(query.state.error) ? false : POLL_MS),
    // A 404 will not go away; a 429 or network failure is retried by the polling itself.
    retry: false,
  });
  const order = status.data;
  return (
    <article className="shop-stack">
      <p>
        <Link to="/">{t('common.back')}</Link>
      </p>
      <h2>
        {t('shop.order.title')} {order && <bdi className="shop-nowrap">{order.orderNo}</bdi>}
      </h2>
      {status.isPending && <p>{t('common.loading')}</p>}
      <ErrorAlert error={status.error} />
      {order && (
        <>
          <dl className="card shop-order-status" aria-live="polite">
            <dt>{t('shop.lookup.status')}</dt>
            <dd data-testid="order-status">{t(`shop.orderStates.${order.status}`, { defaultValue: order.status })}</dd>
            <dt>{t('shop.lookup.payment')}</dt>
            <dd>{t(`shop.paymentWords.${order.paymentStatus}`, { defaultValue: order.paymentStatus })}</dd>
            <dt>{t('shop.lookup.fulfillment')}</dt>
            <dd>{t(`shop.fulfillmentWords.${order.fulfillmentStatus}`, { defaultValue: order.fulfillmentStatus })}</dd>
          </dl>
          {order.payment && order.status === 'pending' && <PaymentStep payment={order.payment} />}
          {!FINAL.has(order.status) && <p className="shop-note">{t('shop.order.following')}</p>}
          {order.status === 'completed' && <Codes orderId={order.id} orderNo={order.orderNo} />}
        </>
      )}
    </article>
  );
}

/** The delivered codes, through the lookup: once with the e-mail this tab ordered with, else after asking for it. */
function Codes({ orderId, orderNo }: { orderId: string; orderNo: string }) {
  const { t } = useTranslation();
  const formId = useId();
  const [email, setEmail] = useState(() => rememberedOrder(orderId)?.email ?? '');
  const [asked, setAsked] = useState(() => rememberedOrder(orderId)?.email ?? '');
  const lookup = useQuery({
    queryKey: ['shop', 'codes', orderNo, asked],
    enabled: asked !== '',
    // The lookup is rate limited: ask once, keep the answer, never refetch on its own.
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    queryFn: async () => {
      const { data, error } = await shopApi.POST('/api/orders/query', { body: { orderNo, email: asked } });
      if (error) throw error;
      return data.order.items;
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rememberOrder(orderId, orderNo, email.trim());
    if (email.trim() === asked) void lookup.refetch();
    else setAsked(email.trim());
  };
  return (
    <section className="card" aria-labelledby={`${formId}-title`}>
      <h3 id={`${formId}-title`}>{t('shop.lookup.codes')}</h3>
      {lookup.isFetching && <p>{t('common.loading')}</p>}
      {lookup.data &&
        (lookup.data.length === 0 ? (
          <p>{t('shop.lookup.noCodes')}</p>
        ) : (
          <ul className="codes" aria-label={t('shop.lookup.codes')}>
            {lookup.data.map((code, index) => (
              <li key={index} dir="ltr">
                {code}
              </li>
            ))}
          </ul>
        ))}
      <ErrorAlert error={lookup.error} />
      {!lookup.data && !lookup.isFetching && (
        <form className="stack" onSubmit={submit}>
          <p>{t('shop.order.emailForCodes')}</p>
          <label htmlFor={`${formId}-email`}>{t('shop.lookup.email')}</label>
          <input id={`${formId}-email`} type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
          <button type="submit">{t('shop.order.showCodes')}</button>
        </form>
      )}
    </section>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../api/clients';
import { ErrorAlert } from './errors';
import { rememberOrder } from './orders/remembered';

/** POST /api/orders/query: an order by its number and the buyer's e-mail, with its codes once delivered. */
export function OrderLookup() {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [orderNo, setOrderNo] = useState('');
  const [email, setEmail] = useState('');
  const lookup = useMutation({
    mutationFn: async (body: { orderNo: string; email: string }) => {
      const { data, error } = await shopApi.POST('/api/orders/query', { body });
      if (error) throw error;
      return data.order;
    },
    onSuccess: (found, asked) => {
      // The order page may then show the codes from this answer: the lookup is not asked twice.
      rememberOrder(found.id, found.orderNo, asked.email);
      queries.setQueryData(['shop', 'codes', found.orderNo, asked.email], found.items);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    lookup.mutate({ orderNo: orderNo.trim(), email: email.trim() });
  };
  const order = lookup.data;
  return (
    <section>
      <h2>{t('shop.lookup.title')}</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-no`}>{t('shop.lookup.orderNo')}</label>
        <input id={`${id}-no`} name="orderNo" required value={orderNo} onChange={(event) => setOrderNo(event.target.value)} />
        <label htmlFor={`${id}-email`}>{t('shop.lookup.email')}</label>
        <input id={`${id}-email`} name="email" type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <button type="submit" disabled={lookup.isPending}>
          {t('shop.lookup.submit')}
        </button>
      </form>
      <div aria-live="polite">
        <ErrorAlert error={lookup.error} />
        {order && (
          <div className="card">
            <h3>
              <bdi>{order.orderNo}</bdi> · <bdi>{order.productName}</bdi> × {order.quantity}
            </h3>
            <dl>
              <dt>{t('shop.lookup.status')}</dt>
              <dd>{t(`shop.orderStates.${order.status}`, { defaultValue: order.status })}</dd>
              <dt>{t('shop.lookup.payment')}</dt>
              <dd>{t(`shop.paymentWords.${order.paymentStatus}`, { defaultValue: order.paymentStatus })}</dd>
              <dt>{t('shop.lookup.fulfillment')}</dt>
              <dd>{t(`shop.fulfillmentWords.${order.fulfillmentStatus}`, { defaultValue: order.fulfillmentStatus })}</dd>
            </dl>
            <p>
              <Link to={`/orders/${encodeURIComponent(order.id)}`}>{t('shop.lookup.follow')}</Link>
            </p>
            <h4>{t('shop.lookup.codes')}</h4>
            {order.items.length === 0 ? (
              <p>{t('shop.lookup.noCodes')}</p>
            ) : (
              <ul className="codes">
                {order.items.map((code, index) => (
                  <li key={index} dir="ltr">
                    {code}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

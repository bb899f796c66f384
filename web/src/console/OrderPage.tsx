import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, errorMessage } from '../api/clients';

/** GET /admin/api/orders/{id}: the order, its delivered codes (masked by the API) and its timeline. */
export function OrderPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const order = useQuery({
    queryKey: ['console', 'order', id],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/orders/{id}', { params: { path: { id } } });
      if (error) throw error;
      return data.order;
    },
  });
  const o = order.data;
  return (
    <article>
      <p>
        <Link to="/orders">{t('common.back')}</Link>
      </p>
      {order.isPending && <p>{t('common.loading')}</p>}
      {order.isError && <p className="error" role="alert">{t('common.error', { message: errorMessage(order.error) })}</p>}
      {o && (
        <>
          <h2>{t('console.order.title', { number: o.number })}</h2>
          <dl className="card">
            <dt>{t('console.orders.status')}</dt>
            <dd>{o.status}</dd>
            <dt>{t('console.orders.product')}</dt>
            <dd>
              <bdi>{o.product.name}</bdi> × {o.quantity}
            </dd>
            <dt>{t('console.orders.amount')}</dt>
            <dd>
              <bdi>
                {o.amount} {o.currency}
              </bdi>
            </dd>
            <dt>{t('console.order.buyer')}</dt>
            <dd>
              <bdi>{o.buyer.email ?? o.buyer.name ?? '—'}</bdi>
            </dd>
          </dl>
          <h3>{t('console.order.codes')}</h3>
          <ul className="codes">
            {o.items.map((item) => (
              <li key={item.id} dir="ltr">
                {item.code}
              </li>
            ))}
          </ul>
          <h3>{t('console.order.timeline')}</h3>
          <ol>
            {o.timeline.map((event, index) => (
              <li key={index}>
                <time dateTime={event.at}>{event.at}</time>: {event.from ?? '—'} → {event.to} ({t('console.order.by', { actor: event.actor })})
                {event.reason && <> — {event.reason}</>}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

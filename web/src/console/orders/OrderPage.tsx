import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, errorMessage } from '../../api/clients';

/** GET /admin/api/orders/{id}: the order, its delivered codes (masked by the API) and its timeline. */
export function OrderPage() {
  const { t } = useTranslation('orders');
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
        <Link to="/orders">{t('translation:common.back')}</Link>
      </p>
      {order.isPending && <p>{t('translation:common.loading')}</p>}
      {order.isError && <p className="error" role="alert">{t('translation:common.error', { message: errorMessage(order.error) })}</p>}
      {o && (
        <>
          <h2>{t('order.title', { number: o.number })}</h2>
          <dl className="card">
            <dt>{t('status')}</dt>
            <dd>{o.status}</dd>
            <dt>{t('product')}</dt>
            <dd>
              <bdi>{o.product.name}</bdi> × {o.quantity}
            </dd>
            <dt>{t('amount')}</dt>
            <dd>
              <bdi>
                {o.amount} {o.currency}
              </bdi>
            </dd>
            <dt>{t('order.buyer')}</dt>
            <dd>
              <bdi>{o.buyer.email ?? o.buyer.name ?? '—'}</bdi>
            </dd>
          </dl>
          <h3>{t('order.codes')}</h3>
          <ul className="codes">
            {o.items.map((item) => (
              <li key={item.id} dir="ltr">
                {item.code}
              </li>
            ))}
          </ul>
          <h3>{t('order.timeline')}</h3>
          <ol>
            {o.timeline.map((event, index) => (
              <li key={index}>
                <time dateTime={event.at}>{event.at}</time>: {event.from ?? '—'} → {event.to} ({t('order.by', { actor: event.actor })})
                {event.reason && <> — {event.reason}</>}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

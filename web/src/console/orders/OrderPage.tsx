import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { DeliveredCodes } from './DeliveredCodes';
import { OrderActions } from './OrderActions';
import { Problem } from '../Problem';
import { formatAmount } from '../format';

/** GET /admin/api/orders/{id}: the order, its risk reasons, its delivered codes (masked, revealed one by one), its timeline and the acts still open. */
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
      <Problem error={order.error} />
      {o && (
        <>
          <h2>
            {t('order.heading')} <bdi>{o.number}</bdi>
          </h2>
          <dl className="card facts">
            <dt>{t('status')}</dt>
            <dd data-testid="order-status">{t(`statuses.${o.status}`, { defaultValue: o.status })}</dd>
            <dt>{t('order.payment')}</dt>
            <dd>{t(`paymentStatuses.${o.payment_status}`, { defaultValue: o.payment_status })}</dd>
            <dt>{t('order.fulfillment')}</dt>
            <dd>{t(`fulfillments.${o.fulfillment}`, { defaultValue: o.fulfillment })}</dd>
            <dt>{t('product')}</dt>
            <dd>
              <bdi>{o.product.name}</bdi> × {o.quantity}
            </dd>
            <dt>{t('amount')}</dt>
            <dd>
              <bdi>
                {formatAmount(o.amount, o.currency)}
              </bdi>
            </dd>
            <dt>{t('account')}</dt>
            <dd>
              <Link to={`/orders?account=${o.account_id}`}>{o.account_id}</Link> ({o.channel})
            </dd>
            <dt>{t('order.buyer')}</dt>
            <dd>
              <bdi>{o.buyer.email ?? o.buyer.name ?? '—'}</bdi>
            </dd>
            <dt>{t('created')}</dt>
            <dd>
              <time dir="ltr" dateTime={o.created_at}>{o.created_at}</time>
            </dd>
            {o.reason && (
              <>
                <dt>{t('order.reason')}</dt>
                <dd>
                  <bdi>{o.reason}</bdi>
                </dd>
              </>
            )}
          </dl>

          <section aria-labelledby="order-actions">
            <h3 id="order-actions">{t('actions.title')}</h3>
            <OrderActions order={o} />
          </section>

          <section aria-labelledby="order-risk">
            <h3 id="order-risk">{t('risk.title')}</h3>
            {o.risk.score === null ? (
              <p>{t('risk.unscored')}</p>
            ) : (
              <>
                <p>
                  {t('risk.score', { score: o.risk.score })}
                  {o.risk.verdict && <> — {t(`risk.verdicts.${o.risk.verdict}`)}</>}
                </p>
                {o.risk.reasons.length === 0 ? (
                  <p>{t('risk.noReasons')}</p>
                ) : (
                  <ul>
                    {o.risk.reasons.map((r) => (
                      <li key={r.rule}>
                        <bdi>{r.reason}</bdi> ({t('risk.points', { count: r.points })})
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </section>

          <section aria-labelledby="order-codes">
            <h3 id="order-codes">{t('order.codes')}</h3>
            <DeliveredCodes items={o.items} />
          </section>

          <section aria-labelledby="order-timeline">
            <h3 id="order-timeline">{t('order.timeline')}</h3>
            <ol className="timeline">
              {o.timeline.map((event, index) => (
                <li key={index}>
                  <time dir="ltr" dateTime={event.at}>{event.at}</time>: {event.from ? t(`statuses.${event.from}`, { defaultValue: event.from }) : '—'} →{' '}
                  {t(`statuses.${event.to}`, { defaultValue: event.to })} ({t('order.by', { actor: event.actor })})
                  {event.reason && (
                    <>
                      {' — '}
                      <bdi>{event.reason}</bdi>
                    </>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </article>
  );
}

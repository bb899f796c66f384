// The review queue: orders the risk score sent to a person (GET /admin/api/reviews), due soonest
// first, each with its score and the rules that fired; approve or reject (with a reason) each.
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, type Schemas } from '../../api/clients';
import { ConfirmAction } from '../orders/ConfirmAction';
import { Problem } from '../Problem';

type Review = Schemas['Review'];

function ReviewCard({ review }: { review: Review }) {
  const { t } = useTranslation('reviews');
  const client = useQueryClient();
  const refresh = async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: ['console', 'reviews'] }),
      client.invalidateQueries({ queryKey: ['console', 'order', review.order_id] }),
      client.invalidateQueries({ queryKey: ['console', 'orders'] }),
      client.invalidateQueries({ queryKey: ['console', 'dashboard'] }),
    ]);
  };
  const path = { params: { path: { order_id: review.order_id } } };
  return (
    <li className="card" aria-labelledby={`review-${review.order_id}`}>
      <h3 id={`review-${review.order_id}`}>
        <Link to={`/orders/${encodeURIComponent(review.order_id)}`}>
          <bdi>{review.number}</bdi>
        </Link>
      </h3>
      <p>
        <strong>{t('score', { score: review.risk_score ?? '—' })}</strong> · <bdi>{review.product_code}</bdi> × {review.quantity} ·{' '}
        <bdi>
          {review.amount} {review.currency}
        </bdi>{' '}
        · {t('paidWith', { provider: review.payment_provider })}
      </p>
      <p>
        {t('buyer')}: <bdi>{review.buyer_email ?? '—'}</bdi> · {t('ip')}: <bdi dir="ltr">{review.client_ip ?? '—'}</bdi> · {t('account', { id: review.account_id, channel: review.channel })}
      </p>
      <ul className="reasons">
        {review.reasons.map((reason) => (
          <li key={reason.rule}>
            <bdi>{reason.reason}</bdi> (+{reason.points})
          </li>
        ))}
      </ul>
      {review.review_until && (
        <p>
          {t('until')} <time dir="ltr" dateTime={review.review_until}>{review.review_until}</time>
        </p>
      )}
      <div className="order-actions">
        <ConfirmAction
          label={t('approve')}
          question={t('approveQuestion', { number: review.number })}
          run={async () => {
            const { error } = await adminApi.POST('/admin/api/reviews/{order_id}/approve', path);
            if (error) throw error;
          }}
          onDone={refresh}
        />
        <ConfirmAction
          label={t('reject')}
          question={t('rejectQuestion', { number: review.number })}
          reasonLabel={t('reason')}
          danger
          run={async ({ reason }) => {
            const { error } = await adminApi.POST('/admin/api/reviews/{order_id}/reject', { ...path, body: { reason } });
            if (error) throw error;
          }}
          onDone={refresh}
        />
      </div>
    </li>
  );
}

export function ReviewsPage() {
  const { t } = useTranslation('reviews');
  const reviews = useQuery({
    queryKey: ['console', 'reviews'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/reviews');
      if (error) throw error;
      return data.reviews;
    },
  });
  return (
    <section>
      <h2>{t('title')}</h2>
      {reviews.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={reviews.error} />
      {reviews.data?.length === 0 && <p>{t('none')}</p>}
      {reviews.data && reviews.data.length > 0 && (
        <ul className="cards">
          {reviews.data.map((review) => (
            <ReviewCard key={review.order_id} review={review} />
          ))}
        </ul>
      )}
    </section>
  );
}

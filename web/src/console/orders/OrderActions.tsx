// The acts an admin can still take on an order, as the API lists them in `actions`: each asks
// first, calls its admin API route, and then the order (and the lists it shows in) is read again.
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, type Schemas } from '../../api/clients';
import { ConfirmAction, type ActionInput } from './ConfirmAction';

type Order = Schemas['AdminOrder'];
type Action = Order['actions'][number];

/** Throws the API's error envelope, so ConfirmAction shows it. */
async function answered<T>(call: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data, error } = await call;
  if (error !== undefined) throw error;
  return data as T;
}

function callFor(action: Action, order: Order, input: ActionInput): Promise<unknown> {
  const id = order.order_id;
  switch (action) {
    case 'approve_review':
      return answered(adminApi.POST('/admin/api/reviews/{order_id}/approve', { params: { path: { order_id: id } } }));
    case 'reject_review':
      return answered(adminApi.POST('/admin/api/reviews/{order_id}/reject', { params: { path: { order_id: id } }, body: { reason: input.reason } }));
    case 'fulfil':
      return answered(adminApi.POST('/admin/api/orders/{id}/fulfil', { params: { path: { id } }, body: { codes: input.codes } }));
    case 'cancel':
      return answered(adminApi.POST('/admin/api/orders/{id}/cancel', { params: { path: { id } }, body: { reason: input.reason } }));
    case 'reject':
      return answered(adminApi.POST('/admin/api/orders/{id}/reject', { params: { path: { id } }, body: { reason: input.reason } }));
    case 'refund':
      return answered(adminApi.POST('/admin/api/orders/{id}/refund', { params: { path: { id } }, body: { reason: input.reason } }));
  }
}

const TAKES_REASON: readonly Action[] = ['reject_review', 'cancel', 'reject', 'refund'];
const DANGER: readonly Action[] = ['reject_review', 'cancel', 'reject', 'refund'];

/** A button per act the order allows now; none when it allows none. */
export function OrderActions({ order }: { order: Order }) {
  const { t } = useTranslation('orders');
  const client = useQueryClient();
  const refresh = async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: ['console', 'order', order.order_id] }),
      client.invalidateQueries({ queryKey: ['console', 'orders'] }),
      client.invalidateQueries({ queryKey: ['console', 'reviews'] }),
      client.invalidateQueries({ queryKey: ['console', 'dashboard'] }),
    ]);
  };
  if (order.actions.length === 0) return <p>{t('actions.none')}</p>;
  return (
    <div className="order-actions">
      {order.actions.map((action) => (
        <ConfirmAction
          key={action}
          label={t(`actions.${action}.label`)}
          question={t(`actions.${action}.question`, { number: order.number, quantity: order.quantity })}
          reasonLabel={TAKES_REASON.includes(action) ? t('actions.reason') : undefined}
          codesLabel={action === 'fulfil' ? t('actions.codes', { count: order.quantity }) : undefined}
          danger={DANGER.includes(action)}
          run={(input) => callFor(action, order, input)}
          onDone={refresh}
        />
      ))}
    </div>
  );
}

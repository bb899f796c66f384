// The console's home: GET /admin/api/dashboard in one read. Sales per day as a chart (loaded
// lazily) with the same figures in a table, orders by status, and what needs a look, each linking
// to where it is dealt with.
import { lazy, Suspense, useId, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { paths } from '../../api/schema';
import { Problem } from '../Problem';

const SalesChart = lazy(() => import('./SalesChart'));

type Dashboard = paths['/admin/api/dashboard']['get']['responses'][200]['content']['application/json'];
const WINDOWS = [7, 14, 30, 90] as const;

/** Every day (yyyy-MM-dd) from `since` to today, UTC. */
function daysOf(since: string, count: number): string[] {
  const start = Date.parse(since);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** A titled panel of the dashboard, found by its heading (a region named by it). */
function Panel({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <section className={wide ? 'card panel wide' : 'card panel'} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

export function DashboardPage() {
  const { t, i18n } = useTranslation('dashboard');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const asked = Number(params.get('days'));
  const days = (WINDOWS as readonly number[]).includes(asked) ? asked : 14;
  const board = useQuery({
    queryKey: ['console', 'dashboard', days],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/dashboard', { params: { query: { days } } });
      if (error) throw error;
      return data;
    },
  });
  return (
    <section>
      <h2>{t('title')}</h2>
      <div className="filters">
        <label htmlFor={`${id}-days`}>{t('window')}</label>
        <select id={`${id}-days`} value={days} onChange={(event) => setParams({ days: event.target.value })}>
          {WINDOWS.map((n) => (
            <option key={n} value={n}>
              {t('days', { count: n })}
            </option>
          ))}
        </select>
      </div>
      {board.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={board.error} />
      {board.data && <Figures board={board.data} rtl={i18n.dir() === 'rtl'} />}
    </section>
  );
}

function Figures({ board, rtl }: { board: Dashboard; rtl: boolean }) {
  const { t } = useTranslation('dashboard');
  const statuses = Object.entries(board.orders_by_status) as Array<[string, number]>;
  const p = board.payments;
  return (
    <div className="dashboard">
      <Panel title={t('sales.title')} wide>
        {board.sales.length === 0 ? (
          <p>{t('sales.none')}</p>
        ) : (
          <>
            <Suspense fallback={<p>{t('translation:common.loading')}</p>}>
              <SalesChart days={daysOf(board.since, board.days)} sales={board.sales} rtl={rtl} />
            </Suspense>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('sales.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('sales.day')}</th>
                    <th scope="col">{t('sales.orders')}</th>
                    <th scope="col">{t('sales.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {board.sales.map((s) => (
                    <tr key={`${s.day}-${s.currency}`}>
                      <th scope="row">
                        <time dir="ltr" dateTime={s.day}>{s.day}</time>
                      </th>
                      <td>{s.orders}</td>
                      <td>
                        <bdi>
                          {s.amount} {s.currency}
                        </bdi>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Panel>

      <Panel title={t('orders.title')}>
        <dl className="figures">
          {statuses.map(([status, count]) => (
            <div key={status}>
              <dt>
                <Link to={`/orders?status=${status}`}>{t(`orders:statuses.${status}`, { defaultValue: status })}</Link>
              </dt>
              <dd>{count}</dd>
            </div>
          ))}
        </dl>
      </Panel>

      <Panel title={t('reviews.title')}>
        <p className="figure">{t('reviews.waiting', { count: board.reviews.waiting })}</p>
        {board.reviews.due_first && (
          <p>
            {t('reviews.dueFirst')} <time dir="ltr" dateTime={board.reviews.due_first}>{board.reviews.due_first}</time>
          </p>
        )}
        <p>
          <Link to="/reviews">{t('reviews.open')}</Link>
        </p>
      </Panel>

      <Panel title={t('tradeIns.title')}>
        <p className="figure">{t('tradeIns.waiting', { count: board.trade_ins.waiting })}</p>
        <p>
          <Link to="/trade-ins">{t('tradeIns.open')}</Link>
        </p>
      </Panel>

      <Panel title={t('lowStock.title')}>
        <p>{t('lowStock.below', { count: board.low_stock.below, products: board.low_stock.count })}</p>
        {board.low_stock.products.length > 0 && (
          <ul>
            {board.low_stock.products.map((product) => (
              <li key={product.id}>
                <bdi>{product.name}</bdi> (<bdi>{product.code}</bdi>): {t('lowStock.available', { count: product.available })}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title={t('webhooks.title')}>
        {board.failing_webhooks.length === 0 ? (
          <p>{t('webhooks.none')}</p>
        ) : (
          <ul>
            {board.failing_webhooks.map((endpoint) => (
              <li key={endpoint.id}>
                <bdi dir="ltr">{endpoint.url}</bdi> — {t('webhooks.streak', { count: endpoint.failure_streak })}
                {!endpoint.enabled && <> — {t('webhooks.disabled', { reason: endpoint.disabled_reason ?? '' })}</>}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title={t('upstream.title')}>
        <p className="figure">{t('upstream.count', { count: board.upstream_failures.count })}</p>
        {board.upstream_failures.recent.length > 0 && (
          <ul>
            {board.upstream_failures.recent.map((failure) => (
              <li key={failure.id}>
                <time dir="ltr" dateTime={failure.created_at}>{failure.created_at}</time> <bdi dir="ltr">{failure.operation ?? '—'}</bdi>: <bdi dir="ltr">{failure.error_code}</bdi> — {failure.message}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title={t('zid.title')}>
        {board.zid_stores_to_reconnect.length === 0 ? (
          <p>{t('zid.none')}</p>
        ) : (
          <ul>
            {board.zid_stores_to_reconnect.map((store) => (
              <li key={store.id}>
                <bdi>{store.name}</bdi>
                {store.last_error && <> — <bdi dir="ltr">{store.last_error}</bdi></>}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title={t('payments.title')}>
        <dl className="figures">
          <div>
            <dt>{t('payments.partial')}</dt>
            <dd>{p.partial}</dd>
          </div>
          <div>
            <dt>{t('payments.unmatched')}</dt>
            <dd>{p.unmatched}</dd>
          </div>
          <div>
            <dt>{t('payments.late')}</dt>
            <dd>{p.late}</dd>
          </div>
          <div>
            <dt>{t('payments.refundsOwed')}</dt>
            <dd>{p.refunds_owed}</dd>
          </div>
        </dl>
        {p.recent.length > 0 && (
          <ul>
            {p.recent.map((payment) => (
              <li key={payment.id}>
                <bdi dir="ltr">{payment.id}</bdi>: {payment.status}
                {payment.refund_due && <> ({t('payments.refundDue')})</>} —{' '}
                <bdi>
                  {payment.received} / {payment.amount} {payment.currency ?? payment.coin}
                </bdi>
                {payment.order_id && (
                  <>
                    {' '}
                    <Link to={`/orders/${encodeURIComponent(payment.order_id)}`}>{t('payments.order')}</Link>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

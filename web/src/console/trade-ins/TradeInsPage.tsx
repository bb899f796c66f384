// Trade-ins (GET /admin/api/trade-ins), those waiting first; for each one still verifying, a
// decision per code (accept, or reject with a reason), sent in one POST …/decide: the codes are
// masked, so each rejected one is named by its position.
import { useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, type Schemas } from '../../api/clients';
import { ConfirmAction } from '../orders/ConfirmAction';
import { Problem } from '../Problem';

type TradeIn = Schemas['TradeIn'];
const STATUSES = ['verifying', 'completed', 'rejected'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string | null): value is Status => (STATUSES as readonly string[]).includes(value ?? '');

function Decision({ tradeIn }: { tradeIn: TradeIn }) {
  const { t } = useTranslation('trade-ins');
  const id = useId();
  const client = useQueryClient();
  // Position → the reason it is rejected; a code not listed is accepted.
  const [rejected, setRejected] = useState<Record<number, string>>({});
  const toggle = (position: number, reject: boolean) =>
    setRejected((current) => {
      const next = { ...current };
      if (reject) next[position] = '';
      else delete next[position];
      return next;
    });
  const rejections = Object.entries(rejected).map(([position, reason]) => ({ position: Number(position), reason: reason.trim() }));
  const missingReason = rejections.some((r) => !r.reason);
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('code')}</th>
              <th scope="col">{t('decision')}</th>
              <th scope="col">{t('reason')}</th>
            </tr>
          </thead>
          <tbody>
            {tradeIn.codes.map((code) => {
              const isRejected = code.position in rejected;
              return (
                <tr key={code.position}>
                  <th scope="row">{code.position + 1}</th>
                  <td>
                    <code dir="ltr">{code.code}</code>
                  </td>
                  <td>
                    <label className="visually-hidden" htmlFor={`${id}-d${code.position}`}>
                      {t('decisionFor', { n: code.position + 1 })}
                    </label>
                    <select id={`${id}-d${code.position}`} value={isRejected ? 'reject' : 'accept'} onChange={(e) => toggle(code.position, e.target.value === 'reject')}>
                      <option value="accept">{t('accept')}</option>
                      <option value="reject">{t('reject')}</option>
                    </select>
                  </td>
                  <td>
                    {isRejected && (
                      <>
                        <label className="visually-hidden" htmlFor={`${id}-r${code.position}`}>
                          {t('reasonFor', { n: code.position + 1 })}
                        </label>
                        <input
                          id={`${id}-r${code.position}`}
                          value={rejected[code.position]}
                          maxLength={500}
                          required
                          onChange={(e) => setRejected((current) => ({ ...current, [code.position]: e.target.value }))}
                        />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {missingReason ? (
        <p role="status">{t('needReasons')}</p>
      ) : (
        <ConfirmAction
          label={t('decide')}
          question={t('decideQuestion', { accepted: tradeIn.codes.length - rejections.length, rejected: rejections.length, unit: tradeIn.unit_price, currency: tradeIn.currency })}
          run={async () => {
            const { error } = await adminApi.POST('/admin/api/trade-ins/{id}/decide', { params: { path: { id: tradeIn.trade_in_id } }, body: { rejected: rejections } });
            if (error) throw error;
          }}
          onDone={async () => {
            setRejected({});
            await Promise.all([client.invalidateQueries({ queryKey: ['console', 'trade-ins'] }), client.invalidateQueries({ queryKey: ['console', 'dashboard'] })]);
          }}
        />
      )}
    </>
  );
}

function TradeInCard({ tradeIn }: { tradeIn: TradeIn }) {
  const { t } = useTranslation('trade-ins');
  return (
    <li className="card">
      <h3>
        <bdi dir="ltr">{tradeIn.partner_order_id ?? tradeIn.trade_in_id}</bdi> — <bdi>{tradeIn.product_code}</bdi>
      </h3>
      <p>
        {t(`statuses.${tradeIn.status}`)} · {t('submitted', { count: tradeIn.codes_submitted })} ·{' '}
        <bdi>
          {tradeIn.unit_price} {tradeIn.currency}
        </bdi>{' '}
        {t('each')} · {t('total')}{' '}
        <bdi>
          {tradeIn.credited ?? tradeIn.amount} {tradeIn.currency}
        </bdi>
        {' · '}
        <time dir="ltr" dateTime={tradeIn.created_at}>{tradeIn.created_at}</time>
      </p>
      {tradeIn.reason && (
        <p>
          <bdi>{tradeIn.reason}</bdi>
        </p>
      )}
      {tradeIn.status === 'verifying' ? (
        <Decision tradeIn={tradeIn} />
      ) : (
        <ul className="codes">
          {tradeIn.codes.map((code) => (
            <li key={code.position}>
              <code dir="ltr">{code.code}</code>: {t(`codeStatuses.${code.status}`)}
              {code.reason && (
                <>
                  {' — '}
                  <bdi>{code.reason}</bdi>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function TradeInsPage() {
  const { t } = useTranslation('trade-ins');
  const id = useId();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status: Status = isStatus(raw) ? raw : 'verifying';
  const tradeIns = useQuery({
    queryKey: ['console', 'trade-ins', status],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/trade-ins', { params: { query: { status } } });
      if (error) throw error;
      return data.trade_ins;
    },
  });
  return (
    <section>
      <h2>{t('title')}</h2>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('status')}</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setParams({ status: e.target.value })}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {tradeIns.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={tradeIns.error} />
      {tradeIns.data?.length === 0 && <p>{t('none')}</p>}
      {tradeIns.data && tradeIns.data.length > 0 && (
        <ul className="cards">
          {tradeIns.data.map((tradeIn) => (
            <TradeInCard key={tradeIn.trade_in_id} tradeIn={tradeIn} />
          ))}
        </ul>
      )}
    </section>
  );
}

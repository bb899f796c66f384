import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Catalog } from './Catalog';
import { Pricing } from './Pricing';
import { PROVIDERS_KEY } from './queries';
import { Problem } from '../Problem';

/** One provider: its settings (never its credentials), ping and balance, enable or disable, sync, and its catalog to import from. */
export function ProviderPage() {
  const { t } = useTranslation('providers');
  const id = Number(useParams().id);
  const client = useQueryClient();
  const key = [...PROVIDERS_KEY, id];
  const provider = useQuery({
    queryKey: key,
    enabled: Number.isInteger(id) && id > 0,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/providers/{id}', { params: { path: { id } } });
      if (error) throw error;
      return data.provider;
    },
  });
  const refresh = () => void client.invalidateQueries({ queryKey: PROVIDERS_KEY });
  const ping = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/providers/{id}/ping', { params: { path: { id } } });
      if (error) throw error;
      return data;
    },
    onSettled: refresh,
  });
  const balance = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/providers/{id}/balance', { params: { path: { id } } });
      if (error) throw error;
      return data;
    },
  });
  const toggle = useMutation({
    mutationFn: async (enable: boolean) => {
      const { data, error } = enable
        ? await adminApi.POST('/admin/api/providers/{id}/enable', { params: { path: { id } } })
        : await adminApi.POST('/admin/api/providers/{id}/disable', { params: { path: { id } } });
      if (error) throw error;
      return data.provider;
    },
    onSuccess: refresh,
  });
  const sync = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/providers/{id}/sync', { params: { path: { id } } });
      if (error) throw error;
      return data;
    },
    onSettled: refresh,
  });
  const p = provider.data;
  const failed = [ping, balance, toggle, sync].find((m) => m.isError);
  return (
    <article>
      <p>
        <Link to="/providers">{t('translation:common.back')}</Link>
      </p>
      {provider.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={provider.error} />
      {p && (
        <>
          <h2>
            <bdi>{p.name}</bdi>
          </h2>
          <dl className="card">
            <dt>{t('detail.url')}</dt>
            <dd>
              <bdi dir="ltr">{p.url}</bdi>
            </dd>
            <dt>{t('list.dialect')}</dt>
            <dd>{t(`dialects.${p.dialect}`, { defaultValue: p.dialect })}</dd>
            <dt>{t('list.state')}</dt>
            <dd>
              {p.enabled ? t('list.enabled') : t('list.disabled')} · {t(`reach.${p.reachability === 'up' || p.reachability === 'down' ? p.reachability : 'unknown'}`)}
              {p.latency_ms !== null && <> · {t('detail.latency', { ms: p.latency_ms })}</>}
            </dd>
            <dt>{t('list.balance')}</dt>
            <dd>
              <bdi dir="ltr" data-testid="provider-balance">
                {p.balance === null ? '—' : `${p.balance} ${p.currency}`}
              </bdi>
              {p.last_ping_at && (
                <>
                  {' '}
                  ({t('detail.seenAt')} <time dateTime={p.last_ping_at}>{p.last_ping_at}</time>)
                </>
              )}
            </dd>
            <dt>{t('list.markup')}</dt>
            <dd>
              <bdi dir="ltr">
                {p.markup_percent}% + {p.markup_fixed} {p.sell_currency}, {t('detail.rounding', { step: p.rounding })}
              </bdi>
            </dd>
            <dt>{t('list.lastSync')}</dt>
            <dd>
              {p.last_sync_at ? <time dateTime={p.last_sync_at}>{p.last_sync_at}</time> : '—'} ({t('detail.every', { seconds: p.sync_interval_seconds })})
            </dd>
            <dt>{t('list.lastError')}</dt>
            <dd>{p.last_error ?? '—'}</dd>
            <dt>{t('detail.credentials')}</dt>
            <dd>{t('detail.credentialsHidden')}</dd>
          </dl>
          <p className="actions">
            <button type="button" onClick={() => ping.mutate()} disabled={ping.isPending}>
              {t('detail.ping')}
            </button>
            <button type="button" className="secondary" onClick={() => balance.mutate()} disabled={balance.isPending}>
              {t('detail.balance')}
            </button>
            <button type="button" className="secondary" onClick={() => sync.mutate()} disabled={sync.isPending}>
              {t('detail.sync')}
            </button>
            <button type="button" className="secondary" onClick={() => toggle.mutate(!p.enabled)} disabled={toggle.isPending}>
              {p.enabled ? t('detail.disable') : t('detail.enable')}
            </button>
          </p>
          <Problem error={failed?.error} />
          {ping.data && (
            <p role="status">
              {ping.data.reachable
                ? t('detail.pinged', { ms: ping.data.latency_ms, balance: ping.data.balance === null ? '—' : `${ping.data.balance} ${ping.data.currency}` })
                : t('detail.unreachable', { error: ping.data.error ?? '—' })}
            </p>
          )}
          {balance.data && <p role="status">{t('detail.balanceNow', { balance: `${balance.data.balance} ${balance.data.currency}` })}</p>}
          {sync.data && <p role="status">{t('detail.synced', sync.data)}</p>}
          <Pricing key={`${p.provider_id}:${p.markup_percent}:${p.markup_fixed}:${p.rounding}:${p.sync_interval_seconds}`} provider={p} />
          <Catalog providerId={p.provider_id} markup={`${p.markup_percent}% + ${p.markup_fixed} ${p.sell_currency}`} />
        </>
      )}
    </article>
  );
}

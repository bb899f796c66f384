import { useId, useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { useProviders } from './queries';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

interface Filters {
  direction: '' | 'incoming' | 'upstream';
  provider: string;
  errorCode: string;
  orderId: string;
  since: string;
}
const NONE: Filters = { direction: '', provider: '', errorCode: '', orderId: '', since: '' };

/** GET /admin/api/api-failures: requests Souk refused and calls to providers that failed, newest first, filtered, a page at a time. */
export function FailuresPage() {
  const { t } = useTranslation('providers');
  const id = useId();
  const providers = useProviders();
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const failures = useInfiniteQuery({
    queryKey: ['console', 'api-failures', filters],
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await adminApi.GET('/admin/api/api-failures', {
        params: {
          query: {
            direction: filters.direction || undefined,
            provider_id: filters.provider ? Number(filters.provider) : undefined,
            error_code: filters.errorCode.trim() || undefined,
            order_id: filters.orderId.trim() || undefined,
            // A datetime-local value is the browser's local time; the API takes UTC.
            since: filters.since ? new Date(filters.since).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
            before: pageParam,
            limit: 100,
          },
        },
      });
      if (error) throw error;
      return data;
    },
    getNextPageParam: (page) => page.next_before ?? undefined,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value });
  const rows = failures.data?.pages.flatMap((page) => page.failures) ?? [];
  const providerName = new Map((providers.data ?? []).map((p) => [p.provider_id, p.name]));
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('failures.title')}</h3>
      <form className="filters" onSubmit={submit}>
        <label htmlFor={`${id}-direction`}>{t('failures.direction')}</label>
        <select id={`${id}-direction`} value={draft.direction} onChange={set('direction')}>
          <option value="">{t('failures.all')}</option>
          <option value="upstream">{t('failures.upstream')}</option>
          <option value="incoming">{t('failures.incoming')}</option>
        </select>
        <label htmlFor={`${id}-provider`}>{t('failures.provider')}</label>
        <select id={`${id}-provider`} value={draft.provider} onChange={set('provider')}>
          <option value="">{t('failures.all')}</option>
          {(providers.data ?? []).map((p) => (
            <option key={p.provider_id} value={String(p.provider_id)}>
              {p.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-code`}>{t('failures.errorCode')}</label>
        <input id={`${id}-code`} value={draft.errorCode} onChange={set('errorCode')} maxLength={60} dir="ltr" />
        <label htmlFor={`${id}-order`}>{t('failures.orderId')}</label>
        <input id={`${id}-order`} value={draft.orderId} onChange={set('orderId')} maxLength={40} dir="ltr" />
        <label htmlFor={`${id}-since`}>{t('failures.since')}</label>
        <input id={`${id}-since`} type="datetime-local" value={draft.since} onChange={set('since')} />
        <button type="submit">{t('failures.apply')}</button>
      </form>
      {failures.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={failures.error} />
      {failures.isSuccess && rows.length === 0 && <p>{t('failures.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('failures.at')}</th>
                <th scope="col">{t('failures.what')}</th>
                <th scope="col">{t('failures.status')}</th>
                <th scope="col">{t('failures.errorCode')}</th>
                <th scope="col">{t('failures.message')}</th>
                <th scope="col">{t('failures.orderId')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f.id}>
                  <td>
                    <time dateTime={f.created_at}>{f.created_at}</time>
                  </td>
                  <td>
                    {f.provider_id !== null ? (
                      <>
                        <bdi>{providerName.get(f.provider_id) ?? `#${f.provider_id}`}</bdi> · <bdi dir="ltr">{f.operation ?? f.route}</bdi>
                      </>
                    ) : (
                      <bdi dir="ltr">
                        {f.method} {f.route}
                      </bdi>
                    )}
                  </td>
                  <td>{f.status}</td>
                  <td>
                    <code dir="ltr">{f.error_code}</code>
                  </td>
                  <td>{f.message}</td>
                  <td>
                    <bdi dir="ltr">{f.order_id ?? '—'}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {failures.hasNextPage && (
        <p>
          <button type="button" onClick={() => void failures.fetchNextPage()} disabled={failures.isFetchingNextPage}>
            {t('failures.older')}
          </button>
        </p>
      )}
    </section>
  );
}

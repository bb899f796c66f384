import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';
import { formatAmount } from '../format';

/** GET /admin/api/providers/{id}/products (asked only on request: it calls the provider) and POST …/import of the chosen ones, or all, priced with the provider's markup. */
export function Catalog({ providerId, markup }: { providerId: number; markup: string }) {
  const { t } = useTranslation('providers');
  const client = useQueryClient();
  const [shown, setShown] = useState(false);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const products = useQuery({
    queryKey: ['console', 'providers', providerId, 'products'],
    enabled: shown,
    staleTime: 0,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/providers/{id}/products', { params: { path: { id: providerId } } });
      if (error) throw error;
      return data.products;
    },
  });
  const importer = useMutation({
    mutationFn: async (what: 'all' | 'chosen') => {
      const body = what === 'all' ? { all: true } : { refs: Object.entries(chosen).map(([ref, code]) => (code.trim() ? { ref, code: code.trim() } : { ref })) };
      const { data, error } = await adminApi.POST('/admin/api/providers/{id}/import', { params: { path: { id: providerId } }, body });
      if (error) throw error;
      return data.imported;
    },
    onSuccess: () => {
      setChosen({});
      void client.invalidateQueries({ queryKey: ['console', 'providers'] });
    },
  });
  const toggle = (ref: string, on: boolean) => {
    const next = { ...chosen };
    if (on) next[ref] = '';
    else delete next[ref];
    setChosen(next);
  };
  const rows = products.data ?? [];
  return (
    <section>
      <h3>{t('catalog.title')}</h3>
      <p>{t('catalog.markup', { markup })}</p>
      {!shown && (
        <button type="button" onClick={() => setShown(true)}>
          {t('catalog.load')}
        </button>
      )}
      {shown && products.isFetching && <p>{t('translation:common.loading')}</p>}
      <Problem error={products.error} />
      {products.isSuccess && rows.length === 0 && <p>{t('catalog.none')}</p>}
      {rows.length > 0 && (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('catalog.choose')}</th>
                  <th scope="col">{t('catalog.name')}</th>
                  <th scope="col">{t('catalog.ref')}</th>
                  <th scope="col">{t('catalog.price')}</th>
                  <th scope="col">{t('catalog.stock')}</th>
                  <th scope="col">{t('catalog.status')}</th>
                  <th scope="col">{t('catalog.code')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => {
                  const on = p.upstream_ref in chosen;
                  const label = t('catalog.chooseOne', { name: p.name });
                  return (
                    <tr key={p.upstream_ref}>
                      <td>
                        <input type="checkbox" aria-label={label} checked={on} onChange={(event) => toggle(p.upstream_ref, event.target.checked)} />
                      </td>
                      <th scope="row">
                        <bdi>{p.name}</bdi>
                      </th>
                      <td>
                        <bdi dir="ltr">{p.upstream_ref}</bdi>
                      </td>
                      <td>
                        <bdi dir="ltr">
                          {formatAmount(p.price, p.currency)}
                        </bdi>
                      </td>
                      <td>{p.stock ?? '∞'}</td>
                      <td>{p.status}</td>
                      <td>
                        {on && (
                          <input
                            aria-label={t('catalog.codeFor', { name: p.name })}
                            value={chosen[p.upstream_ref]}
                            onChange={(event) => setChosen({ ...chosen, [p.upstream_ref]: event.target.value })}
                            maxLength={120}
                            dir="ltr"
                            placeholder={t('catalog.codeAuto')}
                          />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="actions">
            <button type="button" onClick={() => importer.mutate('chosen')} disabled={importer.isPending || Object.keys(chosen).length === 0}>
              {t('catalog.importChosen', { count: Object.keys(chosen).length })}
            </button>
            <button type="button" className="secondary" onClick={() => importer.mutate('all')} disabled={importer.isPending}>
              {t('catalog.importAll')}
            </button>
            <button type="button" className="secondary" onClick={() => void products.refetch()} disabled={products.isFetching}>
              {t('catalog.reload')}
            </button>
          </p>
        </>
      )}
      <Problem error={importer.error} />
      {importer.data && (
        <div role="status">
          <p>{t('catalog.imported', { count: importer.data.length })}</p>
          <ul>
            {importer.data.map((item) => (
              <li key={item.product_id}>
                <bdi dir="ltr">
                  {item.code} ← {item.upstream_ref}
                </bdi>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

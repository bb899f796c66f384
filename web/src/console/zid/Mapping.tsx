import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { components } from '../../api/schema';
import { Problem } from '../Problem';
import { formatAmount } from '../format';

type MappingRow = components['schemas']['ZidStore']['mapping'][number];

/** Which Souk product fulfils each Zid product (PUT …/mapping/{zid_product_id}, null unmaps), and the API's suggestions for the unmapped ones (GET …/suggestions). */
export function Mapping({ storeId, rows }: { storeId: number; rows: MappingRow[] }) {
  const { t } = useTranslation('zid');
  const client = useQueryClient();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const suggestions = useQuery({
    queryKey: ['console', 'zid', 'suggestions', storeId],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/zid/stores/{id}/suggestions', { params: { path: { id: storeId } } });
      if (error) throw error;
      return data.suggestions;
    },
  });
  const map = useMutation({
    mutationFn: async ({ zidProductId, product }: { zidProductId: string; product: string | number | null }) => {
      const { data, error } = await adminApi.PUT('/admin/api/zid/stores/{id}/mapping/{zid_product_id}', { params: { path: { id: storeId, zid_product_id: zidProductId } }, body: { product } });
      if (error) throw error;
      return data;
    },
    onSuccess: (data) => {
      const next = { ...drafts };
      delete next[data.zid_product_id];
      setDrafts(next);
      void client.invalidateQueries({ queryKey: ['console', 'zid'] });
    },
  });
  const hints = suggestions.data ?? [];
  return (
    <section>
      <h3>{t('mapping.title')}</h3>
      <p>{t('mapping.explain')}</p>
      <Problem error={map.error} />
      <Problem error={suggestions.error} />
      {hints.length > 0 && (
        <>
          <h4>{t('mapping.suggestions')}</h4>
          <ul>
            {hints.map((s) => (
              <li key={`${s.zid_product_id}:${s.product_id}`}>
                <bdi>{s.zid_name}</bdi> → <bdi>{s.name}</bdi> (<bdi dir="ltr">{s.code}</bdi>) — {t(`mapping.reason.${s.reason}`)}, {Math.round(s.likeness * 100)}%{' '}
                <button type="button" className="secondary" onClick={() => map.mutate({ zidProductId: s.zid_product_id, product: s.product_id })} disabled={map.isPending}>
                  {t('mapping.apply')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {rows.length === 0 && <p>{t('mapping.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('mapping.zidProduct')}</th>
                <th scope="col">{t('mapping.sku')}</th>
                <th scope="col">{t('mapping.price')}</th>
                <th scope="col">{t('mapping.stock')}</th>
                <th scope="col">{t('mapping.soukProduct')}</th>
                <th scope="col">{t('mapping.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const draft = drafts[row.zid_product_id] ?? '';
                return (
                  <tr key={row.zid_product_id} className={row.gone ? 'muted' : undefined}>
                    <th scope="row">
                      <bdi>{row.name}</bdi>
                      {row.name_ar && (
                        <>
                          {' '}
                          / <bdi lang="ar">{row.name_ar}</bdi>
                        </>
                      )}
                      {row.gone && <> — {t('mapping.gone')}</>}
                      {!row.active && !row.gone && <> — {t('mapping.inactive')}</>}
                    </th>
                    <td>
                      <bdi dir="ltr">{row.sku ?? '—'}</bdi>
                    </td>
                    <td>
                      <bdi dir="ltr">
                        {formatAmount(row.price, row.currency)}
                      </bdi>
                    </td>
                    <td>{row.stock ?? '∞'}</td>
                    <td>{row.code ? <bdi dir="ltr">{row.code}</bdi> : t('mapping.unmapped')}</td>
                    <td>
                      <form
                        className="inline"
                        onSubmit={(event) => {
                          event.preventDefault();
                          if (draft.trim()) map.mutate({ zidProductId: row.zid_product_id, product: draft.trim() });
                        }}
                      >
                        <input
                          aria-label={t('mapping.productFor', { name: row.name })}
                          value={draft}
                          onChange={(event) => setDrafts({ ...drafts, [row.zid_product_id]: event.target.value })}
                          placeholder={t('mapping.placeholder')}
                          maxLength={120}
                          dir="ltr"
                        />{' '}
                        <button type="submit" disabled={map.isPending || !draft.trim()}>
                          {t('mapping.map')}
                        </button>
                        {row.product_id !== null && (
                          <>
                            {' '}
                            <button type="button" className="secondary" onClick={() => map.mutate({ zidProductId: row.zid_product_id, product: null })} disabled={map.isPending}>
                              {t('mapping.unmap')}
                            </button>
                          </>
                        )}
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

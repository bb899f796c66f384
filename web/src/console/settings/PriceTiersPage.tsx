import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, errorMessage } from '../../api/clients';
import { SubNav } from './SubNav';

/** GET /admin/api/price-tiers and PUT …/{name}: named discounts; an account is put in one from its own page. */
export function PriceTiersPage() {
  const { t } = useTranslation('settings');
  const id = useId();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [discount, setDiscount] = useState('');
  const tiers = useQuery({
    queryKey: ['console', 'settings', 'price-tiers'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/price-tiers');
      if (error) throw error;
      return data.tiers;
    },
  });
  const save = useMutation({
    mutationFn: async (body: { name: string; discount: string }) => {
      const { data, error } = await adminApi.PUT('/admin/api/price-tiers/{name}', { params: { path: { name: body.name } }, body: { discount_percent: body.discount } });
      if (error) throw error;
      return data.tier;
    },
    onSuccess: () => {
      setName('');
      setDiscount('');
      void client.invalidateQueries({ queryKey: ['console', 'settings', 'price-tiers'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ name: name.trim(), discount: discount.trim() });
  };
  const rows = tiers.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('tiers.title')}</h3>
      <p>{t('tiers.explain')}</p>
      {tiers.isPending && <p>{t('translation:common.loading')}</p>}
      {tiers.isError && <p className="error" role="alert">{t('translation:common.error', { message: errorMessage(tiers.error) })}</p>}
      {tiers.isSuccess && rows.length === 0 && <p>{t('tiers.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('tiers.nameColumn')}</th>
                <th scope="col">{t('tiers.discountColumn')}</th>
                <th scope="col">{t('tiers.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((tier) => (
                <tr key={tier.name}>
                  <th scope="row">
                    <bdi>{tier.name}</bdi>
                  </th>
                  <td>
                    <bdi dir="ltr">{tier.discount_percent}%</bdi>
                  </td>
                  <td>{tier.updated_at ? <time dateTime={tier.updated_at}>{tier.updated_at}</time> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="stack card" onSubmit={submit}>
        <label htmlFor={`${id}-name`}>{t('tiers.name')}</label>
        <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} required maxLength={50} pattern="[a-z0-9_\-]+" dir="ltr" autoComplete="off" />
        <label htmlFor={`${id}-discount`}>{t('tiers.discount')}</label>
        <input id={`${id}-discount`} value={discount} onChange={(event) => setDiscount(event.target.value)} required inputMode="decimal" pattern="[0-9]{1,3}(\.[0-9]{1,2})?" dir="ltr" autoComplete="off" />
        <p>
          <button type="submit" disabled={save.isPending}>
            {t('save')}
          </button>
        </p>
        {save.isError && <p className="error" role="alert">{t('translation:common.error', { message: errorMessage(save.error) })}</p>}
        {save.isSuccess && <p role="status">{t('tiers.saved', { name: save.data.name })}</p>}
      </form>
    </section>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { ApiError } from './ApiError';
import { CatalogNav } from './CatalogNav';
import { keys } from './queries';

/** Price tiers: named discounts off list prices that accounts are placed in; setting one is for owners (the API says so). */
export function PriceTiersPage() {
  const { t } = useTranslation('catalog');
  const id = useId();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [discount, setDiscount] = useState('');
  const tiers = useQuery({
    queryKey: keys.tiers,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/price-tiers');
      if (error) throw error;
      return data.tiers;
    },
  });
  const save = useMutation({
    mutationFn: async (tier: { name: string; discount: string }) => {
      const { data, error } = await adminApi.PUT('/admin/api/price-tiers/{name}', { params: { path: { name: tier.name } }, body: { discount_percent: tier.discount } });
      if (error) throw error;
      return data.tier;
    },
    onSuccess: () => {
      setName('');
      setDiscount('');
      void client.invalidateQueries({ queryKey: keys.tiers });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ name: name.trim(), discount: discount.trim() });
  };
  return (
    <section>
      <h2>{t('tiers.title')}</h2>
      <CatalogNav />
      <p>{t('tiers.intro')}</p>
      {tiers.isPending && <p>{t('translation:common.loading')}</p>}
      {tiers.isError && <ApiError error={tiers.error} />}
      {tiers.isSuccess && tiers.data.length === 0 && <p>{t('tiers.none')}</p>}
      {tiers.isSuccess && tiers.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('tiers.name')}</th>
                <th scope="col">{t('tiers.discount')}</th>
                <th scope="col">{t('tiers.updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('stock.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tiers.data.map((tier) => (
                <tr key={tier.name}>
                  <td>
                    <bdi>{tier.name}</bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">{tier.discount_percent}%</bdi>
                  </td>
                  <td>{tier.updated_at ? <time dateTime={tier.updated_at}>{tier.updated_at}</time> : '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('tiers.editOf', { name: tier.name })}
                      onClick={() => {
                        setName(tier.name);
                        setDiscount(String(tier.discount_percent));
                      }}
                    >
                      {t('tiers.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="card stack-wide" onSubmit={submit} aria-label={t('tiers.set')}>
        <h3>{t('tiers.set')}</h3>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('tiers.name')}</label>
          <input id={`${id}-name`} dir="ltr" required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={`${id}-name-hint`} />
          <small id={`${id}-name-hint`}>{t('tiers.nameHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-discount`}>{t('tiers.discount')}</label>
          <input id={`${id}-discount`} dir="ltr" inputMode="decimal" required maxLength={10} value={discount} onChange={(e) => setDiscount(e.target.value)} />
        </div>
        <p>
          <button type="submit" disabled={save.isPending}>
            {t('tiers.save')}
          </button>
        </p>
        <div aria-live="polite">
          {save.isError && <ApiError error={save.error} />}
          {save.isSuccess && <p role="status">{t('tiers.saved')}</p>}
        </div>
      </form>
    </section>
  );
}

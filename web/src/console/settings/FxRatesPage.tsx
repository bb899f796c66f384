import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

/** GET /admin/api/fx-rates and PUT …/{base}/{quote}: the rates wallets are charged at across currencies, and crypto prices. The rate is sent as typed. */
export function FxRatesPage() {
  const { t } = useTranslation('settings');
  const id = useId();
  const client = useQueryClient();
  const [form, setForm] = useState({ base: '', quote: '', rate: '' });
  const rates = useQuery({
    queryKey: ['console', 'settings', 'fx-rates'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/fx-rates');
      if (error) throw error;
      return data.rates;
    },
  });
  const save = useMutation({
    mutationFn: async (body: typeof form) => {
      const { data, error } = await adminApi.PUT('/admin/api/fx-rates/{base}/{quote}', { params: { path: { base: body.base, quote: body.quote } }, body: { rate: body.rate } });
      if (error) throw error;
      return data.rate;
    },
    onSuccess: () => {
      setForm({ base: '', quote: '', rate: '' });
      void client.invalidateQueries({ queryKey: ['console', 'settings', 'fx-rates'] });
    },
  });
  const field = (name: keyof typeof form) => ({
    id: `${id}-${name}`,
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
    required: true,
    dir: 'ltr' as const,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ base: form.base.trim().toUpperCase(), quote: form.quote.trim().toUpperCase(), rate: form.rate.trim() });
  };
  const rows = rates.data ?? [];
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('fx.title')}</h3>
      <p>{t('fx.explain')}</p>
      {rates.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={rates.error} />
      {rates.isSuccess && rows.length === 0 && <p>{t('fx.none')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('fx.pair')}</th>
                <th scope="col">{t('fx.rateColumn')}</th>
                <th scope="col">{t('fx.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.base}/${r.quote}`} data-testid={`fx-${r.base}-${r.quote}`}>
                  <th scope="row">
                    <bdi dir="ltr">
                      {r.base}/{r.quote}
                    </bdi>
                  </th>
                  <td>
                    <bdi dir="ltr">{r.rate}</bdi>
                  </td>
                  <td>{r.updated_at ? <time dateTime={r.updated_at}>{r.updated_at}</time> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="stack card" onSubmit={submit}>
        <label htmlFor={`${id}-base`}>{t('fx.base')}</label>
        <input {...field('base')} pattern="[A-Za-z]{3}" maxLength={3} autoComplete="off" />
        <label htmlFor={`${id}-quote`}>{t('fx.quote')}</label>
        <input {...field('quote')} pattern="[A-Za-z]{3}" maxLength={3} autoComplete="off" />
        <label htmlFor={`${id}-rate`}>{t('fx.rate')}</label>
        <input {...field('rate')} inputMode="decimal" pattern="[0-9]{1,12}(\.[0-9]{1,12})?" autoComplete="off" />
        <p>
          <button type="submit" disabled={save.isPending}>
            {t('save')}
          </button>
        </p>
        <Problem error={save.error} />
        {save.isSuccess && <p role="status">{t('fx.saved', { base: save.data.base, quote: save.data.quote, rate: save.data.rate })}</p>}
      </form>
    </section>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { components } from '../../api/schema';
import { PROVIDERS_KEY } from './queries';
import { Problem } from '../Problem';

type Provider = components['schemas']['Provider'];

/** PATCH /admin/api/providers/{id}: markup, rounding and sync interval (owner only); the next sync reprices what was imported. Values are sent as typed. */
export function Pricing({ provider }: { provider: Provider }) {
  const { t } = useTranslation('providers');
  const id = useId();
  const client = useQueryClient();
  const initial = { markup_percent: provider.markup_percent, markup_fixed: provider.markup_fixed, rounding: provider.rounding, sync_interval_seconds: String(provider.sync_interval_seconds) };
  const [fields, setFields] = useState(initial);
  const change = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.PATCH('/admin/api/providers/{id}', {
        params: { path: { id: provider.provider_id } },
        body: { markup_percent: fields.markup_percent.trim(), markup_fixed: fields.markup_fixed.trim(), rounding: fields.rounding.trim(), sync_interval_seconds: Number(fields.sync_interval_seconds) },
      });
      if (error) throw error;
      return data.provider;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: PROVIDERS_KEY }),
  });
  const input = (name: keyof typeof fields) => ({
    id: `${id}-${name}`,
    value: fields[name],
    onChange: (event: { target: { value: string } }) => {
      change.reset();
      setFields({ ...fields, [name]: event.target.value });
    },
    required: true,
    dir: 'ltr' as const,
    autoComplete: 'off',
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('pricing.title')}</h3>
      <p>{t('pricing.explain', { currency: provider.sell_currency })}</p>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-markup_percent`}>{t('add.markupPercent')}</label>
        <input {...input('markup_percent')} inputMode="decimal" maxLength={30} />
        <label htmlFor={`${id}-markup_fixed`}>{t('add.markupFixed')}</label>
        <input {...input('markup_fixed')} inputMode="decimal" maxLength={30} />
        <label htmlFor={`${id}-rounding`}>{t('add.rounding')}</label>
        <input {...input('rounding')} inputMode="decimal" maxLength={30} />
        <label htmlFor={`${id}-sync_interval_seconds`}>{t('add.syncInterval')}</label>
        <input {...input('sync_interval_seconds')} type="number" min={10} max={86400} />
        <p>
          <button type="submit" disabled={change.isPending}>
            {t('pricing.save')}
          </button>
        </p>
        <Problem error={change.error} />
        {change.isSuccess && <p role="status">{t('pricing.saved')}</p>}
      </form>
    </section>
  );
}

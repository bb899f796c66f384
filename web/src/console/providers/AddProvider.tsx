import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { PROVIDERS_KEY } from './queries';
import { Problem } from '../Problem';

type AddBody = NonNullable<operations['adminAddProvider']['requestBody']>['content']['application/json'];
type Dialect = AddBody['dialect'];
// Every dialect the API speaks; `satisfies` keeps the list in step with the generated types.
const DIALECTS = ['souk', 'partner', 'store', 'shop', 'smm'] as const satisfies readonly Dialect[];
const EMPTY = { name: '', url: '', key: '', secret: '', username: '', password: '', currency: '', sell_currency: '', markup_percent: '', markup_fixed: '', rounding: '', sync_interval_seconds: '' };
type Fields = typeof EMPTY;
// Optional fields are sent only when filled: the API's defaults apply otherwise.
const OPTIONAL = ['key', 'secret', 'username', 'password', 'currency', 'sell_currency', 'markup_percent', 'markup_fixed', 'rounding'] as const;

/** POST /admin/api/providers. The credentials are write-only: sealed by the server and never shown again. */
export function AddProvider() {
  const { t } = useTranslation('providers');
  const id = useId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [dialect, setDialect] = useState<Dialect>('souk');
  const [fields, setFields] = useState<Fields>(EMPTY);
  const add = useMutation({
    mutationFn: async (body: AddBody) => {
      const { data, error } = await adminApi.POST('/admin/api/providers', { body });
      if (error) throw error;
      return data.provider;
    },
    onSuccess: (provider) => {
      setFields(EMPTY);
      void client.invalidateQueries({ queryKey: PROVIDERS_KEY });
      void navigate(`/providers/${provider.provider_id}`);
    },
  });
  const input = (name: keyof Fields, extra: Record<string, unknown> = {}) => ({
    id: `${id}-${name}`,
    value: fields[name],
    onChange: (event: { target: { value: string } }) => setFields({ ...fields, [name]: event.target.value }),
    dir: 'ltr' as const,
    autoComplete: 'off',
    ...extra,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: AddBody = { name: fields.name.trim(), url: fields.url.trim(), dialect };
    for (const name of OPTIONAL) if (fields[name].trim()) body[name] = fields[name].trim();
    if (fields.sync_interval_seconds.trim()) body.sync_interval_seconds = Number(fields.sync_interval_seconds);
    add.mutate(body);
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('add.title')}</h3>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-name`}>{t('add.name')}</label>
        <input {...input('name', { required: true, maxLength: 120, dir: 'auto' })} />
        <label htmlFor={`${id}-url`}>{t('add.url')}</label>
        <input {...input('url', { required: true, maxLength: 500, type: 'url' })} />
        <label htmlFor={`${id}-dialect`}>{t('add.dialect')}</label>
        <select id={`${id}-dialect`} value={dialect} onChange={(event) => setDialect(DIALECTS.find((d) => d === event.target.value) ?? 'souk')}>
          {DIALECTS.map((d) => (
            <option key={d} value={d}>
              {t(`dialects.${d}`)}
            </option>
          ))}
        </select>
        <fieldset className="stack">
          <legend>{t('add.credentials')}</legend>
          <p>{t('add.writeOnly')}</p>
          <label htmlFor={`${id}-key`}>{t('add.key')}</label>
          <input {...input('key', { type: 'password', maxLength: 500, autoComplete: 'new-password' })} />
          <label htmlFor={`${id}-secret`}>{t('add.secret')}</label>
          <input {...input('secret', { type: 'password', maxLength: 1000, autoComplete: 'new-password' })} />
          <label htmlFor={`${id}-username`}>{t('add.username')}</label>
          <input {...input('username', { maxLength: 320 })} />
          <label htmlFor={`${id}-password`}>{t('add.password')}</label>
          <input {...input('password', { type: 'password', maxLength: 500, autoComplete: 'new-password' })} />
        </fieldset>
        <fieldset className="stack">
          <legend>{t('add.pricing')}</legend>
          <label htmlFor={`${id}-currency`}>{t('add.currency')}</label>
          <input {...input('currency', { maxLength: 3, pattern: '[A-Za-z]{3}' })} />
          <label htmlFor={`${id}-sell_currency`}>{t('add.sellCurrency')}</label>
          <input {...input('sell_currency', { maxLength: 3, pattern: '[A-Za-z]{3}' })} />
          <label htmlFor={`${id}-markup_percent`}>{t('add.markupPercent')}</label>
          <input {...input('markup_percent', { inputMode: 'decimal', maxLength: 30 })} />
          <label htmlFor={`${id}-markup_fixed`}>{t('add.markupFixed')}</label>
          <input {...input('markup_fixed', { inputMode: 'decimal', maxLength: 30 })} />
          <label htmlFor={`${id}-rounding`}>{t('add.rounding')}</label>
          <input {...input('rounding', { inputMode: 'decimal', maxLength: 30 })} />
          <label htmlFor={`${id}-sync_interval_seconds`}>{t('add.syncInterval')}</label>
          <input {...input('sync_interval_seconds', { type: 'number', min: 10, max: 86400 })} />
        </fieldset>
        <p>
          <button type="submit" disabled={add.isPending}>
            {t('add.submit')}
          </button>
        </p>
        <Problem error={add.error} />
      </form>
    </section>
  );
}

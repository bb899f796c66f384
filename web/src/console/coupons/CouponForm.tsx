import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { paths } from '../../api/schema';
import { ApiError } from '../catalog/ApiError';
import { nameIn, useProducts } from '../catalog/queries';

type CouponBody = NonNullable<paths['/admin/api/coupons']['post']['requestBody']>['content']['application/json'];

/** A datetime-local value (the admin's clock) as an instant with its offset, as the API wants it. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);
const whole = (text: string) => (text.trim() ? Number(text) : undefined);

/** POST /admin/api/coupons: a percentage or a fixed amount off, for every product or one, with limits and a validity window. */
export function CouponForm() {
  const { t, i18n } = useTranslation('coupons');
  const id = useId();
  const client = useQueryClient();
  const products = useProducts();
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [value, setValue] = useState('');
  const [currency, setCurrency] = useState('');
  const [product, setProduct] = useState('');
  const [usageLimit, setUsageLimit] = useState('');
  const [perCustomer, setPerCustomer] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      const body = {
        code: code.trim(),
        ...(kind === 'percent' ? { percent: value.trim() } : { amount: value.trim(), currency: currency.trim() }),
        ...(product ? { product: Number(product) } : {}),
        ...(whole(usageLimit) !== undefined ? { usage_limit: whole(usageLimit) } : {}),
        ...(whole(perCustomer) !== undefined ? { per_customer_limit: whole(perCustomer) } : {}),
        ...(instant(startsAt) ? { starts_at: instant(startsAt) } : {}),
        ...(instant(endsAt) ? { ends_at: instant(endsAt) } : {}),
      } as CouponBody;
      const { data, error } = await adminApi.POST('/admin/api/coupons', { body });
      if (error) throw error;
      return data.coupon;
    },
    onSuccess: () => {
      setCode('');
      setValue('');
      setUsageLimit('');
      setPerCustomer('');
      setStartsAt('');
      setEndsAt('');
      void client.invalidateQueries({ queryKey: ['console', 'coupons'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const field = (name: string) => `${id}-${name}`;
  return (
    <form className="card stack-wide" onSubmit={submit} aria-label={t('new')}>
      <h3>{t('new')}</h3>
      <div className="field">
        <label htmlFor={field('code')}>{t('code')}</label>
        <input id={field('code')} dir="ltr" required maxLength={64} value={code} onChange={(e) => setCode(e.target.value)} aria-describedby={field('code-hint')} />
        <small id={field('code-hint')}>{t('codeHint')}</small>
      </div>
      <fieldset>
        <legend>{t('discount')}</legend>
        <div className="field">
          <label htmlFor={field('kind')}>{t('kind')}</label>
          <select id={field('kind')} value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'amount')}>
            <option value="percent">{t('kinds.percent')}</option>
            <option value="amount">{t('kinds.amount')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('value')}>{kind === 'percent' ? t('percent') : t('amount')}</label>
          <input id={field('value')} dir="ltr" inputMode="decimal" required value={value} onChange={(e) => setValue(e.target.value)} />
        </div>
        {kind === 'amount' && (
          <div className="field">
            <label htmlFor={field('currency')}>{t('currency')}</label>
            <input id={field('currency')} dir="ltr" required maxLength={3} size={4} value={currency} onChange={(e) => setCurrency(e.target.value)} />
          </div>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={field('product')}>{t('product')}</label>
        <select id={field('product')} value={product} onChange={(e) => setProduct(e.target.value)}>
          <option value="">{t('allProducts')}</option>
          {(products.data ?? []).map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.code} — {nameIn(p.names, i18n.language)}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>{t('limits')}</legend>
        <div className="field">
          <label htmlFor={field('usage')}>{t('usageLimit')}</label>
          <input id={field('usage')} type="number" min={1} value={usageLimit} onChange={(e) => setUsageLimit(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('per-customer')}>{t('perCustomerLimit')}</label>
          <input id={field('per-customer')} type="number" min={1} value={perCustomer} onChange={(e) => setPerCustomer(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('starts')}>{t('startsAt')}</label>
          <input id={field('starts')} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('ends')}>{t('endsAt')}</label>
          <input id={field('ends')} type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
        </div>
      </fieldset>
      <p>
        <button type="submit" disabled={create.isPending}>
          {t('create')}
        </button>
      </p>
      <div aria-live="polite">
        {create.isError && <ApiError error={create.error} />}
        {create.isSuccess && <p role="status">{t('created', { code: create.data.code })}</p>}
      </div>
    </form>
  );
}

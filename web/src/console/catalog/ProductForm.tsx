import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './ApiError';
import { FieldsEditor } from './FieldsEditor';
import { FULFILLMENTS, STATUSES, STOCK_MODES, type ProductValues } from './product-values';
import { directionOf, nameIn, TEXT_LANGUAGES, useCategories } from './queries';

interface Props {
  initial: ProductValues;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (values: ProductValues) => void;
  /** Shown after the form's own message, such as "Saved". */
  notice?: ReactNode;
}

/** Every field of a product an admin sets: code, names and descriptions per language, price, quantities, delivery, status, place in the catalog. */
export function ProductForm({ initial, submitLabel, pending, error, onSubmit, notice }: Props) {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const [v, setV] = useState(initial);
  const catalog = useCategories();
  const set = <K extends keyof ProductValues>(key: K, value: ProductValues[K]) => setV((current) => ({ ...current, [key]: value }));
  const types = (catalog.data?.types ?? []).filter((type) => String(type.category_id) === v.category);
  const statuses: string[] = (STATUSES as readonly string[]).includes(initial.status) ? [...STATUSES] : [...STATUSES, initial.status];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(v);
  };
  const field = (key: string) => `${id}-${key}`;
  return (
    <form className="product-form" onSubmit={submit} aria-label={submitLabel}>
      <fieldset>
        <legend>{t('product.identity')}</legend>
        <div className="field">
          <label htmlFor={field('code')}>{t('product.code')}</label>
          <input id={field('code')} dir="ltr" required maxLength={120} value={v.code} onChange={(e) => set('code', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('slug')}>{t('product.slug')}</label>
          <input id={field('slug')} dir="ltr" maxLength={160} value={v.slug} onChange={(e) => set('slug', e.target.value)} aria-describedby={field('slug-hint')} />
          <small id={field('slug-hint')}>{t('product.slugHint')}</small>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('product.texts')}</legend>
        {TEXT_LANGUAGES.map((language) => (
          <div className="field" key={`name-${language}`}>
            <label htmlFor={field(`name-${language}`)}>{t(`product.nameIn.${language}`)}</label>
            <input
              id={field(`name-${language}`)}
              lang={language}
              dir={directionOf(language)}
              required={language === 'en'}
              maxLength={200}
              value={v.names[language]}
              onChange={(e) => set('names', { ...v.names, [language]: e.target.value })}
            />
          </div>
        ))}
        {TEXT_LANGUAGES.map((language) => (
          <div className="field" key={`description-${language}`}>
            <label htmlFor={field(`description-${language}`)}>{t(`product.descriptionIn.${language}`)}</label>
            <textarea
              id={field(`description-${language}`)}
              lang={language}
              dir={directionOf(language)}
              rows={3}
              maxLength={10000}
              value={v.descriptions[language]}
              onChange={(e) => set('descriptions', { ...v.descriptions, [language]: e.target.value })}
            />
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('product.pricing')}</legend>
        <div className="field">
          <label htmlFor={field('price')}>{t('product.price')}</label>
          <input id={field('price')} dir="ltr" inputMode="decimal" required value={v.price} onChange={(e) => set('price', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('currency')}>{t('product.currency')}</label>
          <input id={field('currency')} dir="ltr" maxLength={3} size={4} value={v.currency} onChange={(e) => set('currency', e.target.value)} aria-describedby={field('currency-hint')} />
          <small id={field('currency-hint')}>{t('product.currencyHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={field('buyback')}>{t('product.buyback')}</label>
          <input id={field('buyback')} dir="ltr" inputMode="decimal" value={v.buyback} onChange={(e) => set('buyback', e.target.value)} aria-describedby={field('buyback-hint')} />
          <small id={field('buyback-hint')}>{t('product.buybackHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={field('min')}>{t('product.minQuantity')}</label>
          <input id={field('min')} type="number" min={1} max={100000} value={v.minQuantity} onChange={(e) => set('minQuantity', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={field('max')}>{t('product.maxQuantity')}</label>
          <input id={field('max')} type="number" min={1} max={100000} value={v.maxQuantity} onChange={(e) => set('maxQuantity', e.target.value)} />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('product.delivery')}</legend>
        <div className="field">
          <label htmlFor={field('fulfillment')}>{t('product.fulfillment')}</label>
          <select id={field('fulfillment')} value={v.fulfillment} onChange={(e) => set('fulfillment', e.target.value)}>
            {FULFILLMENTS.map((f) => (
              <option key={f} value={f}>
                {t(`fulfillment.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('stock-mode')}>{t('product.stockMode')}</label>
          <select id={field('stock-mode')} value={v.stockMode} onChange={(e) => set('stockMode', e.target.value)}>
            {STOCK_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`stockMode.${m}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('status')}>{t('product.status')}</label>
          <select id={field('status')} value={v.status} onChange={(e) => set('status', e.target.value)}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`, { defaultValue: s })}
              </option>
            ))}
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('product.placement')}</legend>
        <div className="field">
          <label htmlFor={field('category')}>{t('product.category')}</label>
          <select
            id={field('category')}
            value={v.category}
            onChange={(e) => setV((current) => ({ ...current, category: e.target.value, type: '' }))}
          >
            <option value="">{t('product.noCategory')}</option>
            {(catalog.data?.categories ?? []).map((c) => (
              <option key={c.id} value={String(c.id)}>
                {nameIn(c.names, i18n.language)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('type')}>{t('product.type')}</label>
          <select id={field('type')} value={v.type} onChange={(e) => set('type', e.target.value)} disabled={types.length === 0 && v.type === ''}>
            <option value="">{t('product.noType')}</option>
            {types.map((type) => (
              <option key={type.id} value={String(type.id)}>
                {nameIn(type.names, i18n.language)}
              </option>
            ))}
          </select>
        </div>
      </fieldset>
      <FieldsEditor id={`${id}-fields`} fields={v.fields} onChange={(fields) => set('fields', fields)} />
      <p>
        <button type="submit" disabled={pending}>
          {submitLabel}
        </button>
      </p>
      <div aria-live="polite">
        {error ? <ApiError error={error} /> : null}
        {notice}
      </div>
    </form>
  );
}

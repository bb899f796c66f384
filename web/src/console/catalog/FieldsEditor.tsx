import { useTranslation } from 'react-i18next';
import { blankField, type FieldValues } from './product-values';
import { directionOf, TEXT_LANGUAGES } from './queries';

/** The values a buyer must give at checkout (a game's player id …): name, label per language, required, pattern, length. */
export function FieldsEditor({ id, fields, onChange }: { id: string; fields: FieldValues[]; onChange: (fields: FieldValues[]) => void }) {
  const { t } = useTranslation('catalog');
  const change = (index: number, patch: Partial<FieldValues>) => onChange(fields.map((f, i) => (i === index ? { ...f, ...patch } : f)));
  return (
    <fieldset>
      <legend>{t('fields.title')}</legend>
      <p>
        <small>{t('fields.intro')}</small>
      </p>
      {fields.map((f, index) => {
        const at = (key: string) => `${id}-field-${index}-${key}`;
        return (
          <fieldset key={index} className="checkout-field">
            <legend>{t('fields.one', { number: index + 1 })}</legend>
            <div className="field">
              <label htmlFor={at('name')}>{t('fields.name')}</label>
              <input id={at('name')} dir="ltr" required maxLength={64} value={f.name} onChange={(e) => change(index, { name: e.target.value })} aria-describedby={at('name-hint')} />
              <small id={at('name-hint')}>{t('fields.nameHint')}</small>
            </div>
            {TEXT_LANGUAGES.map((language) => (
              <div className="field" key={language}>
                <label htmlFor={at(`label-${language}`)}>{t(`fields.labelIn.${language}`)}</label>
                <input
                  id={at(`label-${language}`)}
                  lang={language}
                  dir={directionOf(language)}
                  maxLength={200}
                  value={f.label[language]}
                  onChange={(e) => change(index, { label: { ...f.label, [language]: e.target.value } })}
                />
              </div>
            ))}
            <div className="field checkbox">
              <input id={at('required')} type="checkbox" checked={f.required} onChange={(e) => change(index, { required: e.target.checked })} />
              <label htmlFor={at('required')}>{t('fields.required')}</label>
            </div>
            <div className="field">
              <label htmlFor={at('pattern')}>{t('fields.pattern')}</label>
              <input id={at('pattern')} dir="ltr" maxLength={200} value={f.pattern} onChange={(e) => change(index, { pattern: e.target.value })} aria-describedby={at('pattern-hint')} />
              <small id={at('pattern-hint')}>{t('fields.patternHint')}</small>
            </div>
            <div className="field">
              <label htmlFor={at('max')}>{t('fields.maxLength')}</label>
              <input id={at('max')} type="number" min={1} max={2000} value={f.maxLength} onChange={(e) => change(index, { maxLength: e.target.value })} />
            </div>
            <p>
              <button type="button" className="secondary" onClick={() => onChange(fields.filter((_, i) => i !== index))}>
                {t('fields.remove', { number: index + 1 })}
              </button>
            </p>
          </fieldset>
        );
      })}
      <p>
        <button type="button" className="secondary" onClick={() => onChange([...fields, blankField()])}>
          {t('fields.add')}
        </button>
      </p>
    </fieldset>
  );
}

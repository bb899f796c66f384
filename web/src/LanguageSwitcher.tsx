import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from './i18n';

/** A labelled select of the three languages; the choice is remembered (see i18n/index.ts). */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const current = i18n.resolvedLanguage ?? 'en';
  return (
    <span className="language">
      <label htmlFor={id}>{t('common.language')}</label>
      <select id={id} value={current} onChange={(event) => void i18n.changeLanguage(event.target.value)}>
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </span>
  );
}

import { useTranslation } from 'react-i18next';
import { directionOf, TEXT_LANGUAGES, type TextLanguage } from './queries';

/** A name in each language, English required: one labelled input per language, typed in its own direction. */
export function NamesFields({ id, names, onChange }: { id: string; names: Record<TextLanguage, string>; onChange: (names: Record<TextLanguage, string>) => void }) {
  const { t } = useTranslation('catalog');
  return (
    <>
      {TEXT_LANGUAGES.map((language) => (
        <div className="field" key={language}>
          <label htmlFor={`${id}-${language}`}>{t(`product.nameIn.${language}`)}</label>
          <input
            id={`${id}-${language}`}
            lang={language}
            dir={directionOf(language)}
            required={language === 'en'}
            maxLength={200}
            value={names[language]}
            onChange={(e) => onChange({ ...names, [language]: e.target.value })}
          />
        </div>
      ))}
    </>
  );
}

/** Empty names in every language. */
export const noNames = (): Record<TextLanguage, string> => ({ en: '', ar: '', zh: '' });

/** Names as the inputs show them. */
export const namesOf = (names: Record<string, string>): Record<TextLanguage, string> => ({ en: names.en ?? '', ar: names.ar ?? '', zh: names.zh ?? '' });

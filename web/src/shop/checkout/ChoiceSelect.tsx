import { useTranslation } from 'react-i18next';

/** A labelled select of names (payment methods, coins), each shown in the reader's words: `shop.<words>.<name>`. */
export function ChoiceSelect({ id, label, value, names, words, onChange }: { id: string; label: string; value: string; names: readonly string[]; words: 'methods' | 'coins'; onChange: (name: string) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {names.map((name) => (
          <option key={name} value={name}>
            {t(`shop.${words}.${name}`)}
          </option>
        ))}
      </select>
    </>
  );
}

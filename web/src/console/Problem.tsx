// An API refusal as the admin API words it: its message and, for a validation error, each field's problem.
import { errorMessage } from '../api/clients';
import { useTranslation } from 'react-i18next';

function fieldsOf(error: unknown): Array<{ field: string; message: string }> {
  if (error && typeof error === 'object' && 'fields' in error && Array.isArray(error.fields)) return error.fields as Array<{ field: string; message: string }>;
  return [];
}

/** Shows `error` (when there is one) in a role="alert" paragraph, with the fields the API named. */
export function Problem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const fields = fieldsOf(error);
  return (
    <div className="error" role="alert">
      <p>{t('common.error', { message: errorMessage(error) })}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field}>
              <bdi>{f.field}</bdi>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

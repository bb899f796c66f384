import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/clients';

/** The error envelope's fields, when it names them (validation errors). */
function fieldsOf(error: unknown): Array<{ field: string; message: string }> {
  if (error && typeof error === 'object' && 'fields' in error && Array.isArray(error.fields)) return error.fields as Array<{ field: string; message: string }>;
  return [];
}

/** An API refusal as the API worded it, with each field it names; an alert so screen readers say it. */
export function ApiError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const fields = fieldsOf(error);
  return (
    <div className="error" role="alert">
      <p>{t('common.error', { message: errorMessage(error) })}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              <bdi dir="ltr">{f.field}</bdi>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The shop API's errors in the reader's language: a known `errorCode` has its own sentence under
// shop.errors; anything else shows the API's message. Invalid fields are listed by name.
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/clients';

interface ApiError {
  errorCode?: string;
  error?: string;
  message?: string;
  fields?: Array<{ field: string; message: string }>;
  retry_after_seconds?: number;
}

/** A function turning any thrown API error (or network failure) into a sentence for the buyer. */
export function useShopError(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    const api = (error && typeof error === 'object' ? error : {}) as ApiError;
    const code = api.errorCode ?? api.error;
    const key = `shop.errors.${code}`;
    let sentence = code && i18n.exists(key) ? t(key, { seconds: api.retry_after_seconds ?? 60 }) : t('common.error', { message: errorMessage(error) });
    if (api.fields?.length) sentence += ` (${api.fields.map((f) => `${f.field}: ${f.message}`).join('; ')})`;
    return sentence;
  };
}

/** An error as an alert, or nothing. */
export function ErrorAlert({ error }: { error: unknown }) {
  const explain = useShopError();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {explain(error)}
    </p>
  );
}

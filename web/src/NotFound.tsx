import { useTranslation } from 'react-i18next';

/** A page path the app has no page for. */
export function NotFound() {
  const { t } = useTranslation();
  return <p role="alert">{t('common.notFound')}</p>;
}

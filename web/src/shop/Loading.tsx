import { useTranslation } from 'react-i18next';

/** What a page shows while its code or data loads. */
export function Loading() {
  const { t } = useTranslation();
  return <p role="status">{t('common.loading')}</p>;
}

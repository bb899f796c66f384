// An order's delivered codes, masked as the API sends them; each is shown in full only when the
// admin asks (POST /admin/api/stock/{id}/reveal, which the API writes to the audit log).
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, errorMessage, type Schemas } from '../../api/clients';

type Item = Schemas['AdminOrder']['items'][number];

function DeliveredCode({ item }: { item: Item }) {
  const { t } = useTranslation('orders');
  const [code, setCode] = useState<string>();
  const reveal = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/stock/{id}/reveal', { params: { path: { id: item.id } } });
      if (error) throw error;
      return data.code;
    },
    onSuccess: setCode,
  });
  return (
    <li>
      <code dir="ltr" data-testid="delivered-code">{code ?? item.code}</code>{' '}
      {code === undefined && (
        <button type="button" className="secondary" onClick={() => reveal.mutate()} disabled={reveal.isPending} aria-label={t('codes.revealOne', { mask: item.code })}>
          {t('codes.reveal')}
        </button>
      )}
      {reveal.isError && (
        <span className="error" role="alert">
          {' '}
          {t('translation:common.error', { message: errorMessage(reveal.error) })}
        </span>
      )}
    </li>
  );
}

/** The list of delivered codes, each with its own Reveal button. */
export function DeliveredCodes({ items }: { items: Item[] }) {
  const { t } = useTranslation('orders');
  if (items.length === 0) return <p>{t('codes.none')}</p>;
  return (
    <>
      <p className="hint">{t('codes.audited')}</p>
      <ul className="codes">
        {items.map((item) => (
          <DeliveredCode key={item.id} item={item} />
        ))}
      </ul>
    </>
  );
}

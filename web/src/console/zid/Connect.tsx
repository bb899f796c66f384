import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { Problem } from '../Problem';

/** POST /admin/api/zid/connect: starts Zid's OAuth. The link it answers is single-use for ten minutes; following it asks the merchant to approve, and Zid sends them back to Souk. */
export function Connect({ label }: { label: string }) {
  const { t } = useTranslation('zid');
  const connect = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/zid/connect');
      if (error) throw error;
      return data.authorize_url;
    },
  });
  return (
    <div className="zid-connect">
      <button type="button" onClick={() => connect.mutate()} disabled={connect.isPending}>
        {label}
      </button>
      <Problem error={connect.error} />
      {connect.data && (
        <p role="status">
          {t('connect.ready')}{' '}
          <a href={connect.data} rel="noopener noreferrer">
            {t('connect.open')}
          </a>
        </p>
      )}
    </div>
  );
}

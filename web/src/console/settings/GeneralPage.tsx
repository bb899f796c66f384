import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

/** Wallet checkout (GET/PUT /admin/api/settings/wallet-checkout) and the shop currency, which is shown with the setting it comes from: it cannot change while Souk runs. */
export function GeneralPage() {
  const { t } = useTranslation('settings');
  const id = useId();
  const client = useQueryClient();
  const wallet = useQuery({
    queryKey: ['console', 'settings', 'wallet-checkout'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/settings/wallet-checkout');
      if (error) throw error;
      return data.enabled;
    },
  });
  const settings = useQuery({
    queryKey: ['console', 'settings', 'fixed'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/settings');
      if (error) throw error;
      return data;
    },
  });
  const [enabled, setEnabled] = useState(false);
  useEffect(() => {
    if (wallet.data !== undefined) setEnabled(wallet.data);
  }, [wallet.data]);
  const save = useMutation({
    mutationFn: async (value: boolean) => {
      const { data, error } = await adminApi.PUT('/admin/api/settings/wallet-checkout', { body: { enabled: value } });
      if (error) throw error;
      return data.enabled;
    },
    onSuccess: (value) => client.setQueryData(['console', 'settings', 'wallet-checkout'], value),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(enabled);
  };
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('general.wallet')}</h3>
      <p>{t('general.walletExplain')}</p>
      {wallet.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={wallet.error} />
      {wallet.isSuccess && (
        <form className="stack card" onSubmit={submit}>
          <p className="check">
            <input id={`${id}-wallet`} type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
            <label htmlFor={`${id}-wallet`}>{t('general.walletLabel')}</label>
          </p>
          <p>
            <button type="submit" disabled={save.isPending}>
              {t('save')}
            </button>
          </p>
          <Problem error={save.error} />
          {save.isSuccess && <p role="status">{save.data ? t('general.walletOn') : t('general.walletOff')}</p>}
        </form>
      )}
      <h3>{t('general.currency')}</h3>
      <Problem error={settings.error} />
      {settings.data && (
        <dl className="card">
          <dt>{t('general.currency')}</dt>
          <dd>
            <bdi dir="ltr" data-testid="shop-currency">
              {settings.data.shop_currency.currency}
            </bdi>
          </dd>
          <dt>{t('general.setIn')}</dt>
          <dd>
            <code dir="ltr">{settings.data.shop_currency.setting}</code> — {t('general.currencyFixed')}
          </dd>
        </dl>
      )}
    </section>
  );
}

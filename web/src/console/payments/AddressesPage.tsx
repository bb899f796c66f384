import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { operations } from '../../api/schema';
import { SubNav } from './SubNav';
import { Problem } from '../Problem';

type Coin = operations['adminSetPaymentAddress']['parameters']['path']['coin'];
// Seed 004's coins; `satisfies` keeps the list in step with the generated types.
const COINS = ['trc20_usdt', 'erc20_usdt', 'bep20_usdt', 'btc', 'eth', 'trx', 'bnb'] as const satisfies readonly Coin[];

/** GET /admin/api/payments/addresses and PUT …/{coin}: the shop's receiving address per coin (the API checks its format and checksum). */
export function AddressesPage() {
  const { t } = useTranslation('payments');
  const id = useId();
  const client = useQueryClient();
  const [coin, setCoin] = useState<Coin>('trc20_usdt');
  const [address, setAddress] = useState('');
  const addresses = useQuery({
    queryKey: ['console', 'payments', 'addresses'],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/payments/addresses');
      if (error) throw error;
      return data.addresses;
    },
  });
  const save = useMutation({
    mutationFn: async (body: { coin: Coin; address: string }) => {
      const { data, error } = await adminApi.PUT('/admin/api/payments/addresses/{coin}', { params: { path: { coin: body.coin } }, body: { address: body.address } });
      if (error) throw error;
      return data.address;
    },
    onSuccess: () => {
      setAddress('');
      void client.invalidateQueries({ queryKey: ['console', 'payments'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ coin, address: address.trim() });
  };
  const byCoin = new Map((addresses.data ?? []).map((a) => [a.coin, a]));
  return (
    <section>
      <h2>{t('title')}</h2>
      <SubNav />
      <h3>{t('addresses.title')}</h3>
      <p>{t('addresses.explain')}</p>
      {addresses.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={addresses.error} />
      {addresses.isSuccess && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('addresses.coinColumn')}</th>
                <th scope="col">{t('addresses.addressColumn')}</th>
                <th scope="col">{t('addresses.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {COINS.map((c) => {
                const row = byCoin.get(c);
                return (
                  <tr key={c} data-testid={`address-${c}`}>
                    <th scope="row">
                      <bdi>{c}</bdi>
                    </th>
                    <td className="codes">{row ? <bdi dir="ltr">{row.address}</bdi> : t('addresses.unset')}</td>
                    <td>{row ? <>{row.updated_at} ({row.updated_by})</> : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <form className="stack card" onSubmit={submit}>
        <label htmlFor={`${id}-coin`}>{t('addresses.coin')}</label>
        <select id={`${id}-coin`} value={coin} onChange={(event) => setCoin(event.target.value as Coin)}>
          {COINS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-address`}>{t('addresses.address')}</label>
        <input id={`${id}-address`} value={address} onChange={(event) => setAddress(event.target.value)} required maxLength={200} dir="ltr" spellCheck={false} autoComplete="off" />
        <p>
          <button type="submit" disabled={save.isPending}>
            {t('addresses.save')}
          </button>
        </p>
        <Problem error={save.error} />
        {save.isSuccess && <p role="status">{t('addresses.saved', { coin: save.data.coin })}</p>}
      </form>
    </section>
  );
}

// The logged-in customer: e-mail, both balances (GET /api/auth/me) and a top-up form
// (POST /api/wallet/topups) through the methods GET /api/payment-config opens for it.
import { useId, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../../api/clients';
import { ErrorAlert } from '../errors';
import { useCustomer, useCustomerToken } from '../session';
import { usePaymentConfig } from '../checkout/payment-config';
import { checkoutRedirect } from '../payment/redirect';
import { ChoiceSelect } from '../checkout/ChoiceSelect';

/** What POST /api/wallet/topups takes as paymentMethod. */
const TOP_UP_METHODS = ['alipay', 'wechat', 'crypto'] as const;
type TopUpMethod = (typeof TOP_UP_METHODS)[number];
type Coin = 'trc20_usdt' | 'erc20_usdt' | 'bep20_usdt' | 'btc' | 'eth' | 'trx' | 'bnb';

export default function AccountPage() {
  const { t } = useTranslation();
  const token = useCustomerToken();
  const location = useLocation();
  const customer = useCustomer();
  if (!token) return <Navigate to="/account/login" state={{ from: location.pathname }} replace />;
  return (
    <section className="shop-stack">
      <h2>{t('shop.account.title')}</h2>
      {customer.isPending && <p>{t('common.loading')}</p>}
      <ErrorAlert error={customer.error} />
      {customer.data && (
        <div className="card">
          <p>
            {t('shop.account.signedInAs')} <bdi>{customer.data.email}</bdi>
          </p>
          <dl className="shop-balances">
            <dt>{t('shop.account.balance')}</dt>
            <dd>
              <bdi data-testid="balance">{customer.data.balance}</bdi>
            </dd>
            <dt>{t('shop.account.balanceCrypto')}</dt>
            <dd>
              <bdi>
                <span data-testid="balance-crypto">{customer.data.balance_crypto}</span> USD
              </bdi>
            </dd>
          </dl>
          <button type="button" className="secondary" onClick={() => void customer.refetch()} disabled={customer.isFetching}>
            {t('shop.account.refresh')}
          </button>
        </div>
      )}
      <TopUpForm />
    </section>
  );
}

function TopUpForm() {
  const { t } = useTranslation();
  const id = useId();
  const navigate = useNavigate();
  const config = usePaymentConfig();
  const [balance, setBalance] = useState<'balance_cny' | 'balance_crypto'>('balance_cny');
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState('');
  const [coin, setCoin] = useState('');
  const methods = TOP_UP_METHODS.filter((name) => (config.data?.methods as string[] | undefined)?.includes(name));
  const coins = config.data?.coins ?? [];
  const chosenMethod = (methods as readonly string[]).includes(method) ? method : (methods[0] ?? '');
  const chosenCoin: string = (coins as string[]).includes(coin) ? coin : (coins[0] ?? '');
  const topUp = useMutation({
    mutationFn: async () => {
      const { data, error } = await shopApi.POST('/api/wallet/topups', {
        body: { balance, amount: amount.trim(), paymentMethod: chosenMethod as TopUpMethod, ...(chosenMethod === 'crypto' ? { coin: chosenCoin as Coin } : {}) },
      });
      if (error) throw error;
      return data.topup;
    },
    onSuccess: (started) => {
      void navigate(`/account/topups/${encodeURIComponent(started.id)}`);
      const away = checkoutRedirect(started.payment);
      if (away) window.location.assign(away);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    topUp.mutate();
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('shop.topup.title')}</h3>
      {config.isPending && <p>{t('common.loading')}</p>}
      <ErrorAlert error={config.error} />
      {config.isSuccess && methods.length === 0 ? (
        <p>{t('shop.topup.unavailable')}</p>
      ) : (
        <form className="stack" onSubmit={submit}>
          <label htmlFor={`${id}-balance`}>{t('shop.topup.balance')}</label>
          <select id={`${id}-balance`} value={balance} onChange={(event) => setBalance(event.target.value as typeof balance)}>
            <option value="balance_cny">{t('shop.account.balance')}</option>
            <option value="balance_crypto">{t('shop.account.balanceCrypto')}</option>
          </select>
          <label htmlFor={`${id}-amount`}>{t('shop.topup.amount')}</label>
          <input
            id={`${id}-amount`}
            inputMode="decimal"
            required
            pattern="[0-9]{1,12}(\.[0-9]{1,2})?"
            value={amount}
            aria-describedby={`${id}-amount-hint`}
            onChange={(event) => setAmount(event.target.value)}
          />
          <small id={`${id}-amount-hint`}>{t('shop.topup.amountHint')}</small>
          <ChoiceSelect id={`${id}-method`} label={t('shop.checkout.method')} value={chosenMethod} names={methods} words="methods" onChange={setMethod} />
          {chosenMethod === 'crypto' && (
            <>
              <ChoiceSelect id={`${id}-coin`} label={t('shop.checkout.coin')} value={chosenCoin} names={coins} words="coins" onChange={setCoin} />
            </>
          )}
          <button type="submit" disabled={topUp.isPending || chosenMethod === ''}>
            {t('shop.topup.submit')}
          </button>
          <div aria-live="polite">
            <ErrorAlert error={topUp.error} />
          </div>
        </form>
      )}
    </section>
  );
}

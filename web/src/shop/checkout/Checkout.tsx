// Checkout as seed 004 describes it: a quantity from the product's minimum to 200 and the stock,
// a contact e-mail, one of the payment methods GET /api/payment-config opens (the balances only when
// logged in; crypto with its coin) and an optional coupon. The API checks all of it again.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../../api/clients';
import { ErrorAlert } from '../errors';
import { useCustomer, useCustomerToken } from '../session';
import type { Product } from '../products';
import { rememberOrder } from '../orders/remembered';
import { BALANCE_METHODS, usePaymentConfig } from './payment-config';
import { checkoutRedirect } from '../payment/redirect';
import { ChoiceSelect } from './ChoiceSelect';

/** Seed 004: "Maximum 200 per order". */
const MAX_PER_ORDER = 200;

type Method = 'crypto' | 'balance_cny' | 'balance_crypto' | 'alipay' | 'wechat';
type Coin = 'trc20_usdt' | 'erc20_usdt' | 'bep20_usdt' | 'btc' | 'eth' | 'trx' | 'bnb';

export function Checkout({ product }: { product: Product }) {
  const { t } = useTranslation();
  const id = useId();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const token = useCustomerToken();
  const customer = useCustomer();
  const config = usePaymentConfig();
  const min = Math.max(1, product.min_quantity);
  const max = Math.min(MAX_PER_ORDER, product.stock);
  const [quantity, setQuantity] = useState(String(min));
  const [email, setEmail] = useState('');
  const [method, setMethod] = useState('');
  const [coin, setCoin] = useState('');
  const [coupon, setCoupon] = useState('');

  const methods = (config.data?.methods ?? []).filter((name) => token !== null || !BALANCE_METHODS.includes(name));
  const coins = config.data?.coins ?? [];
  const chosenMethod: string = (methods as string[]).includes(method) ? method : (methods[0] ?? '');
  const chosenCoin: string = (coins as string[]).includes(coin) ? coin : (coins[0] ?? '');
  // A logged-in customer's e-mail fills the field once, still editable.
  const customerEmail = customer.data?.email;
  useEffect(() => {
    if (customerEmail) setEmail((typed) => typed || customerEmail);
  }, [customerEmail]);

  const order = useMutation({
    mutationFn: async () => {
      const { data, error } = await shopApi.POST('/api/orders', {
        body: {
          productId: product.id,
          quantity: Number(quantity),
          contactEmail: email.trim(),
          paymentMethod: chosenMethod as Method,
          ...(chosenMethod === 'crypto' ? { coin: chosenCoin as Coin } : {}),
          ...(coupon.trim() ? { couponCode: coupon.trim() } : {}),
        },
      });
      if (error) throw error;
      return data.order;
    },
    onSuccess: (placed) => {
      rememberOrder(placed.id, placed.orderNo, email.trim());
      void queries.invalidateQueries({ queryKey: ['shop', 'me'] });
      void queries.invalidateQueries({ queryKey: ['shop', 'products'] });
      void navigate(`/orders/${encodeURIComponent(placed.id)}`);
      // A gateway that pays on its own page: go there now; its way back (or Back) leads to the order page.
      const away = checkoutRedirect(placed.payment);
      if (away) window.location.assign(away);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    order.mutate();
  };

  if (max < min) {
    return (
      <section className="card" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>{t('shop.checkout.title')}</h3>
        <p>{t('shop.soldOut')}</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('shop.checkout.title')}</h3>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-quantity`}>{t('shop.checkout.quantity')}</label>
        <input
          id={`${id}-quantity`}
          type="number"
          inputMode="numeric"
          required
          min={min}
          max={max}
          step={1}
          value={quantity}
          aria-describedby={`${id}-quantity-hint`}
          onChange={(event) => setQuantity(event.target.value)}
        />
        <small id={`${id}-quantity-hint`}>{t('shop.checkout.quantityRange', { min, max })}</small>

        <label htmlFor={`${id}-email`}>{t('shop.checkout.email')}</label>
        <input
          id={`${id}-email`}
          type="email"
          autoComplete="email"
          required
          maxLength={320}
          value={email}
          aria-describedby={`${id}-email-hint`}
          onChange={(event) => setEmail(event.target.value)}
        />
        <small id={`${id}-email-hint`}>{t('shop.checkout.emailHint')}</small>

        {config.isPending && <p>{t('common.loading')}</p>}
        <ErrorAlert error={config.error} />
        {config.isSuccess && methods.length === 0 && <p role="alert">{t('shop.checkout.noMethods')}</p>}
        {methods.length > 0 && (
          <>
            <ChoiceSelect id={`${id}-method`} label={t('shop.checkout.method')} value={chosenMethod} names={methods} words="methods" onChange={setMethod} />
          </>
        )}
        {token === null && config.data?.methods.some((name) => BALANCE_METHODS.includes(name)) && (
          <small>
            <Link to="/account/login">{t('shop.checkout.logInForBalance')}</Link>
          </small>
        )}
        {chosenMethod === 'crypto' && (
          <>
            <ChoiceSelect id={`${id}-coin`} label={t('shop.checkout.coin')} value={chosenCoin} names={coins} words="coins" onChange={setCoin} />
          </>
        )}
        {customer.data && BALANCE_METHODS.includes(chosenMethod) && (
          <small>
            {t('shop.checkout.yourBalance')}: <bdi>{chosenMethod === 'balance_cny' ? customer.data.balance : customer.data.balance_crypto}</bdi>
          </small>
        )}

        <label htmlFor={`${id}-coupon`}>{t('shop.checkout.coupon')}</label>
        <input id={`${id}-coupon`} maxLength={64} autoComplete="off" value={coupon} aria-describedby={`${id}-coupon-hint`} onChange={(event) => setCoupon(event.target.value)} />
        <small id={`${id}-coupon-hint`}>{t('shop.checkout.couponHint')}</small>

        <button type="submit" disabled={order.isPending || chosenMethod === '' || (chosenMethod === 'crypto' && chosenCoin === '')}>
          {order.isPending ? t('shop.checkout.buying') : t('shop.checkout.buy')}
        </button>
        <div aria-live="polite">
          <ErrorAlert error={order.error} />
        </div>
      </form>
    </section>
  );
}

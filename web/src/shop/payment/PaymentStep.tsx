// Where and how much to pay, for an order or a top-up (ShopPayment): for crypto to the shop's own
// address, the address and the exact amount with a QR code and the time left; through a gateway
// (Alipay, WeChat Pay, BTCPay), its checkout page to go to or its QR code to scan.
import { useState } from 'react';
import { QRCodeSVG } from 'qrcode.react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/clients';
import { Countdown } from './Countdown';

type Payment = Schemas['ShopPayment'];

/** Payment states after which nothing is left to pay. */
const SETTLED = new Set(['paid', 'overpaid', 'late']);

function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button type="button" className="secondary" onClick={copy} aria-label={`${t('shop.pay.copy')}: ${label}`}>
      {copied ? t('shop.pay.copied') : t('shop.pay.copy')}
    </button>
  );
}

function Qr({ value, caption }: { value: string; caption: string }) {
  const { t } = useTranslation();
  return (
    <figure className="shop-qr">
      <QRCodeSVG value={value} size={192} marginSize={2} role="img" aria-label={t('shop.pay.qr')} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

export function PaymentStep({ payment }: { payment: Payment }) {
  const { t } = useTranslation();
  const settled = SETTLED.has(payment.status);
  const status = t(`shop.paymentStates.${payment.status}`, { defaultValue: payment.status });
  if (settled || payment.status === 'expired') {
    return (
      <section className="card shop-payment">
        <h3>{t('shop.pay.title')}</h3>
        <p role="status">{status}</p>
      </section>
    );
  }
  const ownAddress = payment.method === 'crypto' && payment.address;
  return (
    <section className="card shop-payment" aria-label={t('shop.pay.title')}>
      <h3>{t('shop.pay.title')}</h3>
      <p>
        {t('shop.pay.status')}: <span role="status">{status}</span>
      </p>
      {ownAddress ? (
        <>
          <p>{t('shop.pay.sendExactly', { coin: t(`shop.coins.${payment.coin}`, { defaultValue: payment.coin ?? '' }) })}</p>
          <dl className="shop-pay-fields">
            <dt>{t('shop.pay.amount')}</dt>
            <dd>
              <bdi className="codes" data-testid="pay-amount">
                {payment.amount}
              </bdi>{' '}
              <CopyButton text={payment.amount} label={t('shop.pay.amount')} />
            </dd>
            <dt>{t('shop.pay.address')}</dt>
            <dd>
              <bdi className="codes shop-break" data-testid="pay-address">
                {payment.address}
              </bdi>{' '}
              <CopyButton text={payment.address ?? ''} label={t('shop.pay.address')} />
            </dd>
            {payment.received && !/^0(\.0*)?$/.test(payment.received) && (
              <>
                <dt>{t('shop.pay.received')}</dt>
                <dd>
                  <bdi className="codes">{payment.received}</bdi>
                </dd>
              </>
            )}
          </dl>
          <Qr value={payment.uri ?? payment.address ?? ''} caption={t('shop.pay.scanWallet')} />
          <p className="shop-note">{t('shop.pay.exactNote')}</p>
        </>
      ) : (
        <>
          <p>
            {t('shop.pay.amount')}:{' '}
            <bdi className="codes" data-testid="pay-amount">
              {payment.amount} {payment.currency ?? ''}
            </bdi>
            {payment.coinAmount && (
              <>
                {' '}
                (<bdi>{payment.coinAmount}</bdi> {t(`shop.coins.${payment.coin}`, { defaultValue: payment.coin ?? '' })})
              </>
            )}
          </p>
          {payment.checkoutUrl && (
            <p>
              <a className="button" href={payment.checkoutUrl} rel="noopener noreferrer">
                {t(`shop.pay.goTo.${payment.provider ?? payment.method}`, { defaultValue: t('shop.pay.goTo.other') })}
              </a>
            </p>
          )}
          {payment.qrCode && <Qr value={payment.qrCode} caption={t(`shop.pay.scan.${payment.method}`, { defaultValue: t('shop.pay.scan.other') })} />}
        </>
      )}
      <Countdown deadline={payment.expiresAt} />
    </section>
  );
}

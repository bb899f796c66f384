import type { Schemas } from '../../api/clients';

/**
 * The gateway page to send the buyer to straight after ordering: when the payment is a checkout
 * page only (Alipay's page pay, BTCPay), not a QR code to scan here. Only http(s) addresses.
 */
export function checkoutRedirect(payment: Schemas['ShopPayment'] | undefined): string | undefined {
  if (!payment?.checkoutUrl || payment.qrCode) return undefined;
  return /^https?:\/\//i.test(payment.checkoutUrl) ? payment.checkoutUrl : undefined;
}

// BTCPay-Sig, the signature of a BTCPay webhook: `sha256=` and the hex HMAC-SHA256 of the body's
// bytes, keyed with the webhook's secret (BTCPay's WebhookSender). Compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The BTCPay-Sig header value for `body` under `secret`. */
export function btcPaySignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

/** True when `header` is the BTCPay-Sig of `body` under `secret` (hex in either case). */
export function isGenuineSignature(header: string | undefined, body: string, secret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = Buffer.from(btcPaySignature(body, secret).slice('sha256='.length), 'hex');
  return timingSafeEqual(given, expected);
}

// A payment gateway the test scripts, standing in for a payment service where a test is about what
// Souk does with any gateway (payment-gateway-core, wire-times): it opens charges, takes
// notifications whose JSON body carries `"sig": "good"` (any other is forged), and answers lookups
// from what the test says was paid. Each real gateway is tested against a fake of its own service.
import type { Souk } from '../../src/app.js';
import { gatewayPayment, GatewayUnavailable, NotificationRefused, type ChargeState, type GatewayCharge, type PaymentGateway, type RefundOutcome } from '../../src/core/payments/gateways/index.js';

/** A payment service as the test scripts it: charges it opened, and what it will say was paid. */
export class ScriptedGateway implements PaymentGateway {
  readonly name = 'alipay' as const;
  readonly method = 'alipay' as const;
  readonly currency = 'CNY';
  readonly coins = [] as const;
  readonly charges = new Map<string, GatewayCharge>();
  readonly paid = new Map<string, number>();
  readonly refunds: string[] = [];
  /** What the gateway answers a refund; a `pending` one is finished (looked up as refunded) once the test adds it to `refundsDone`. */
  refundOutcome: RefundOutcome = 'refunded';
  readonly refundsDone = new Set<string>();
  down = false;

  async open(charge: GatewayCharge) {
    if (this.down) throw new GatewayUnavailable('alipay', 'no answer');
    this.charges.set(charge.reference, charge);
    return { externalId: charge.reference, qrCode: `https://qr.example/${charge.reference}` };
  }
  state(externalId: string): ChargeState {
    const paid = this.paid.get(externalId);
    if (this.refundsDone.has(externalId)) return { externalId, outcome: 'refunded' };
    return paid === undefined ? { externalId, outcome: 'waiting' } : { externalId, outcome: 'paid', paymentId: `T-${externalId}`, paidMinor: paid, currency: 'CNY' };
  }
  async verify(notice: { body: string }) {
    const body = JSON.parse(notice.body) as { ref: string; sig: string };
    if (body.sig !== 'good') throw new NotificationRefused('alipay', 'the signature does not check');
    return this.state(body.ref);
  }
  answer(accepted: boolean) {
    return { status: accepted ? 200 : 400, contentType: 'text/plain', body: accepted ? 'success' : 'fail' };
  }
  async lookUp(externalId: string) {
    if (this.down) throw new GatewayUnavailable('alipay', 'no answer');
    return this.state(externalId);
  }
  async refund(externalId: string, refund: { reference: string }) {
    this.refunds.push(`${externalId}:${refund.reference}`);
    return this.refundOutcome;
  }
  async ping() {
    if (this.down) throw new GatewayUnavailable('alipay', 'no answer');
  }
}


/** Gives `souk` a scripted Alipay: its charges, notifications, lookups and refunds go to the returned gateway. */
export function addScriptedGateway(souk: Souk): ScriptedGateway {
  const gateway = new ScriptedGateway();
  (souk.gatewayPayments.ctx.gateways as Map<string, PaymentGateway>).set(gateway.name, gateway);
  souk.payments.register(gatewayPayment(gateway));
  return gateway;
}

/** The body of a notification the scripted gateway believes. */
export const scriptedNotice = (ref: string, sig = 'good') => JSON.stringify({ ref, sig });

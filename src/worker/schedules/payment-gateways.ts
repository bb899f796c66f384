// Payment gateways, looked after by the worker: charges still waiting are asked of their gateway
// once per SOUK_PAYMENT_LOOKUP_INTERVAL (a lost notification is caught this way; a gateway down
// leaves them waiting for the next run), and each gateway is pinged so the shop stops offering one
// that does not answer, and offers it again once it does.
import type { Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';

/** How often each configured gateway is pinged. */
export const GATEWAY_CHECK_EVERY_MS = 60_000;

export const lookUpCharges = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'payments.look-up-charges', everyMs, run: (souk) => souk.gatewayPayments.lookUpWaiting() });

export const checkGateways = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'payments.check-gateways', everyMs, run: (souk) => souk.gatewayPayments.checkHealth() });

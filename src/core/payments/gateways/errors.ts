// What goes wrong with a payment gateway, as domain errors: unreachable or refusing (503, the
// order or top-up is not written, or waits for the lookup job), and a notification that does not
// check (refused, credits nothing; never a 5xx).
import { DomainError } from '../../errors.js';

/** The gateway could not be reached, timed out, or refused Souk's call; the message names no secret. */
export class GatewayUnavailable extends DomainError {
  constructor(gateway: string, why: string) {
    super('payment_unavailable', 503, `The ${gateway} payment service is not answering right now (${why}); try again shortly.`);
  }
}

/** A notification whose signature, format or content does not check: nothing is credited. */
export class NotificationRefused extends DomainError {
  constructor(gateway: string, why: string) {
    super('notification_refused', 400, `The ${gateway} notification was refused: ${why}.`);
  }
}
